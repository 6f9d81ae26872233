package org.adain.dl4j;

import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import org.adain.BackendException;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Starts ND4J's native runtime once and describes it for diagnostics. */
final class Nd4jRuntime {
    /**
     * What adain-dl4j's POM puts on the classpath for the machine it is resolved on (its platform profiles), named
     * in the error when the natives do not load: usually a classpath resolved for another machine.
     */
    static String expectedNatives() {
        String platform = platformOrUnknown();
        String nd4j = platform.endsWith("x86_64") ? platform + "-onednn" : platform;
        return "org.nd4j:nd4j-native:" + nd4jVersion() + " with classifier " + nd4j + " (or nd4j-cuda-11.6 through"
                + " adain-dl4j-cuda), resolved on this platform: adain-dl4j's POM picks the natives of the machine"
                + " Maven runs on, or those of -Djavacpp.platform";
    }

    private static volatile boolean started;

    private Nd4jRuntime() {
    }

    /**
     * Loads the natives (about 2 s the first time, while JavaCPP unpacks them) with a first tiny op.
     *
     * @throws BackendException naming the native jar that is expected when they do not load
     */
    static void start() {
        if (started) {
            return;
        }
        synchronized (Nd4jRuntime.class) {
            if (started) {
                return;
            }
            try {
                INDArray probe = Nd4j.create(DataType.FLOAT, 1);
                probe.addi(1f);
                probe.close();
                started = true;
            } catch (LinkageError | RuntimeException e) {
                // LinkageError covers UnsatisfiedLinkError and a failed static initialiser of Nd4j.
                throw new BackendException("The dl4j backend could not start ND4J's native library on "
                        + System.getProperty("os.name") + "/" + System.getProperty("os.arch") + " ("
                        + platformOrUnknown() + "). Put " + expectedNatives() + " on the classpath. Cause: " + e, e);
            }
            Dl4jLog.LOGGER.log(Level.INFO, () -> "Started " + runtime() + "; natives from " + nativeLibraryPath());
        }
    }

    private static String platformOrUnknown() {
        try {
            return Loader.getPlatform();
        } catch (LinkageError | RuntimeException e) {
            return "JavaCPP platform unknown";
        }
    }

    /** One line: backend, ND4J version, native build, threads, off-heap limit. */
    static String describeLine() {
        start();
        return "dl4j: " + runtime();
    }

    /** "ND4J 1.0.0-M2.1 CpuBackend, native linux-x86_64-onednn (oneDNN), 2 OMP threads, off-heap max 2.0 GiB". */
    private static String runtime() {
        return "ND4J " + nd4jVersion() + " " + Nd4j.getBackend().getClass().getSimpleName() + ", native "
                + nativeClassifier() + (hasOneDnn() ? " (oneDNN)" : " (without oneDNN)") + ", " + ompThreads()
                + " OMP threads, off-heap max " + gib(Pointer.maxBytes());
    }

    /** Several lines for bug reports; never throws, a failed start is described instead. */
    static String describeEnvironment() {
        try {
            start();
        } catch (BackendException e) {
            return "dl4j: not available: " + e.getMessage();
        }
        Properties env = Nd4j.getExecutioner().getEnvironmentInformation();
        StringBuilder sb = new StringBuilder();
        sb.append("backend: dl4j (ND4J ").append(nd4jVersion()).append(", ")
                .append(Nd4j.getBackend().getClass().getSimpleName()).append(")\n");
        sb.append("native: ").append(nativeClassifier()).append(" from ").append(nativeLibraryPath()).append('\n');
        sb.append("oneDNN: ").append(hasOneDnn() ? "yes" : "no").append(", BLAS: ")
                .append(env.getOrDefault("blas.vendor", "?")).append('\n');
        sb.append("threads: ").append(ompThreads()).append(" OMP, ").append(env.getOrDefault("cores", "?"))
                .append(" cores\n");
        sb.append("off-heap: max ").append(gib(Pointer.maxBytes())).append(", physical max ")
                .append(gib(Pointer.maxPhysicalBytes())).append(", process physical now ")
                .append(gib(Pointer.physicalBytes())).append('\n');
        sb.append("buffer reuse: up to ").append(bufferPoolBytes() >> 20).append(" MiB per model (-D")
                .append(BUFFER_POOL_PROPERTY).append(")\n");
        sb.append("java: ").append(System.getProperty("java.version")).append(" on ")
                .append(System.getProperty("os.name")).append('/').append(System.getProperty("os.arch"));
        return sb.toString();
    }

    /** From the nd4j-api jar's Maven metadata, or "unknown". */
    static String nd4jVersion() {
        try (InputStream in = Nd4j.class.getResourceAsStream("/META-INF/maven/org.nd4j/nd4j-api/pom.properties")) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                return p.getProperty("version", "unknown");
            }
        } catch (IOException e) {
            // fall through: the version is only informative
        }
        return "unknown";
    }

    /** The JavaCPP platform directory the CPU natives were loaded from, e.g. "linux-x86_64-onednn". */
    static String nativeClassifier() {
        String path = nativeLibraryPath();
        if (path.startsWith("/") || path.contains(":")) {
            Path parent = Paths.get(path).getParent();
            if (parent != null && parent.getFileName() != null) {
                return parent.getFileName().toString();
            }
        }
        return Loader.getPlatform();
    }

    private static String nativeLibraryPath() {
        Map<String, String> loaded = Loader.getLoadedLibraries();
        String path = loaded.get("jnind4jcpu");
        return path != null ? path : "(not a CPU backend: " + Nd4j.getBackend().getClass().getName() + ")";
    }

    /** Whether ND4J runs on its CPU natives (not adain-dl4j-cuda's CUDA backend). */
    static boolean isCpu() {
        return Nd4j.getBackend().getClass().getSimpleName().equals("CpuBackend");
    }

    private static boolean hasOneDnn() {
        try {
            return Nd4j.getBackend().buildInfo().contains("HAVE_ONEDNN");
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    /** System property: MiB each model keeps for reusing its intermediates (0 turns reuse off). */
    static final String BUFFER_POOL_PROPERTY = "adain.dl4j.bufferPoolMiB";
    /** The most a model keeps by default, when the off-heap limit allows it. */
    static final long DEFAULT_BUFFER_POOL_MIB = 512;

    /**
     * {@link #bufferPoolBytes()}, logged with where the number comes from: for a model or a training session.
     *
     * @param owner "this model" or "this training session", for the log
     * @throws org.adain.InvalidRequestException when the property is not a whole number of MiB ≥ 0
     */
    static long bufferPoolBytes(String owner) {
        long bytes = bufferPoolBytes();
        String property = System.getProperty(BUFFER_POOL_PROPERTY);
        Dl4jLog.LOGGER.log(Level.INFO, () -> "Buffer reuse for " + owner + ": "
                + (bytes == 0 ? "off" : "up to " + (bytes >> 20) + " MiB") + " ("
                + (property == null || property.isBlank()
                        ? "default: the lesser of " + DEFAULT_BUFFER_POOL_MIB + " MiB and a quarter of "
                                + memoryBoundDescription()
                        : "-D" + BUFFER_POOL_PROPERTY + "=" + property.strip())
                + ")");
        return bytes;
    }

    /**
     * Bytes a model's {@link org.adain.dl4j.graph.BufferPool} may keep: {@value #BUFFER_POOL_PROPERTY} MiB, by default
     * {@value #DEFAULT_BUFFER_POOL_MIB} MiB or a quarter of {@link #memoryBound()}, whichever is less (a 512²
     * stylisation would reuse about 560 MiB; 512 keeps a 4096² one, tiled, under 4 GiB).
     *
     * @throws org.adain.InvalidRequestException when the property is not a whole number of MiB ≥ 0
     */
    static long bufferPoolBytes() {
        String v = System.getProperty(BUFFER_POOL_PROPERTY);
        if (v == null || v.isBlank()) {
            return defaultPoolBytes(memoryBound());
        }
        try {
            long mib = Long.parseLong(v.strip());
            if (mib >= 0 && mib <= (Long.MAX_VALUE >> 20)) {
                return mib << 20;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new org.adain.InvalidRequestException("-D" + BUFFER_POOL_PROPERTY + "=" + v
                + ": expected a whole number of MiB ≥ 0 (0 turns buffer reuse off; default "
                + DEFAULT_BUFFER_POOL_MIB + " or a quarter of " + memoryBoundDescription() + ")");
    }

    /** The lesser of {@value #DEFAULT_BUFFER_POOL_MIB} MiB and a quarter of {@code bound} (bytes). */
    static long defaultPoolBytes(long bound) {
        return Math.min(DEFAULT_BUFFER_POOL_MIB << 20, Math.max(0, bound / 4));
    }

    /**
     * The memory the default pool is a share of: JavaCPP's off-heap limit when the user set it
     * ({@code org.bytedeco.javacpp.maxBytes}), else the memory of the machine or container. Not {@code -Xmx}, which
     * JavaCPP's default limit follows: ND4J M2.1 allocates its arrays natively, outside that limit, so tying the pool
     * to the heap only shrank it in servers with a bounded heap (128 MiB at {@code -Xmx512m}, which tripled the CPU
     * time of a 512 px pass) without bounding anything.
     */
    static long memoryBound() {
        if (javacppMaxBytesSet()) {
            return Pointer.maxBytes();
        }
        long total = totalMemory();
        return total > 0 ? total : Pointer.maxBytes();
    }

    private static String memoryBoundDescription() {
        return (javacppMaxBytesSet() ? "org.bytedeco.javacpp.maxBytes, " : "the machine's memory, ")
                + gib(memoryBound());
    }

    /** JavaCPP reads either spelling of the property. */
    private static boolean javacppMaxBytesSet() {
        return System.getProperty("org.bytedeco.javacpp.maxBytes") != null
                || System.getProperty("org.bytedeco.javacpp.maxbytes") != null;
    }

    /** Physical memory, or the container's limit (the JDK reads cgroups); 0 when the JVM cannot tell. */
    private static long totalMemory() {
        java.lang.management.OperatingSystemMXBean os = java.lang.management.ManagementFactory
                .getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getTotalMemorySize() : 0;
    }

    private static int ompThreads() {
        return Nd4j.getEnvironment().maxThreads();
    }

    private static String gib(long bytes) {
        return String.format(Locale.ROOT, "%.1f GiB", bytes / (1024.0 * 1024 * 1024));
    }
}
