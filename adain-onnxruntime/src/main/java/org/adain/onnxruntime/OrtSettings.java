package org.adain.onnxruntime;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.OrtSession.SessionOptions;
import ai.onnxruntime.OrtSession.SessionOptions.ExecutionMode;
import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;
import java.lang.System.Logger.Level;
import java.util.EnumSet;
import java.util.Locale;
import org.adain.BackendException;
import org.adain.onnxruntime.graph.AdainGraphs;

/**
 * How sessions are made: the device ({@code cpu}, {@code cuda[:id]} or {@code auto}) and the intra-op threads,
 * always with the CPU arena on and {@code ALL_OPT} graph optimisation (the arena off cost 1.6–2×, {@code
 * EXTENDED_OPT} about 10%, in the probe of issue 15), and ORT's memory pattern off: with it, the second run of each
 * shape took twice as long (the decoder 0.90 s against 0.45 at 512², new arena memory for the one block the pattern
 * asks for), and the process held 146 MiB more, for no gain in the runs after. The one place that knows ONNX
 * Runtime's session options.
 */
record OrtSettings(Device device, int cudaDevice, int intraOpThreads) {
    /** Where the networks run. */
    enum Device {
        CPU, CUDA, AUTO
    }

    /** The GPU artifact users swap in for CUDA; named in every CUDA error. */
    static final String GPU_ARTIFACT = "com.microsoft.onnxruntime:onnxruntime_gpu";

    OrtSettings {
        if (intraOpThreads < 0) {
            throw new IllegalArgumentException("intra-op threads must be ≥ 0 (0: OMP_NUM_THREADS when set, else "
                    + "the available processors), got " + intraOpThreads);
        }
        if (cudaDevice < 0) {
            throw new IllegalArgumentException("The CUDA device id must be ≥ 0, got " + cudaDevice);
        }
    }

    /** Parses "cpu", "cuda", "cuda:1" or "auto" (any case). */
    static OrtSettings withDevice(String device, int threads, String origin) {
        String d = device.trim().toLowerCase(Locale.ROOT);
        if (d.equals("cpu")) {
            return new OrtSettings(Device.CPU, 0, threads);
        }
        if (d.equals("auto")) {
            return new OrtSettings(Device.AUTO, 0, threads);
        }
        if (d.equals("cuda")) {
            return new OrtSettings(Device.CUDA, 0, threads);
        }
        if (d.startsWith("cuda:")) {
            try {
                return new OrtSettings(Device.CUDA, Integer.parseInt(d.substring(5)), threads);
            } catch (NumberFormatException e) {
                // reported below with the accepted values
            }
        }
        throw new IllegalArgumentException("Unknown device '" + device + "' (" + origin + "); use cpu, cuda, "
                + "cuda:<id> or auto");
    }

    /** Whether the ONNX Runtime on the class path has the CUDA execution provider (the onnxruntime_gpu jar). */
    static boolean cudaBuild() {
        return OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA);
    }

    /**
     * A session of {@code model} on this device: on CPU, or on CUDA (failing with a message that says what to
     * install), or with {@code auto} on CUDA when it starts and else on CPU with a logged warning.
     *
     * @return the session and the device it really runs on
     */
    Started start(OrtEnvironment env, byte[] model, String what) {
        if (device == Device.CPU) {
            return new Started(create(env, model, false, what), "CPU");
        }
        String missing = cudaMissing();
        if (missing == null) {
            try {
                return new Started(create(env, model, true, what), "CUDA:" + cudaDevice);
            } catch (BackendException e) {
                if (device == Device.CUDA) {
                    throw e;
                }
                missing = e.getMessage();
            }
        } else if (device == Device.CUDA) {
            throw new BackendException(missing);
        }
        String why = missing;
        OrtLog.LOGGER.log(Level.WARNING, () -> "Device 'auto': CUDA unavailable, running the " + what
                + " on the CPU. " + why);
        return new Started(create(env, model, false, what), "CPU");
    }

    /** A session and the device it runs on. */
    record Started(OrtSession session, String device) {
    }

    /** Why CUDA cannot be used with this ONNX Runtime build, or null when the build has it. */
    private String cudaMissing() {
        EnumSet<OrtProvider> available = OrtEnvironment.getAvailableProviders();
        if (available.contains(OrtProvider.CUDA)) {
            return null;
        }
        return "Device 'cuda' needs the CUDA build of ONNX Runtime: replace the dependency "
                + "com.microsoft.onnxruntime:onnxruntime by " + GPU_ARTIFACT + " of the same version ("
                + OrtEnvironment.getEnvironment().getVersion() + "), and have CUDA 12, cuDNN 9 and an NVIDIA driver "
                + "on the host. The ONNX Runtime on the class path has only " + available;
    }

    private SessionOptions options(boolean cuda) throws OrtException {
        SessionOptions o = new SessionOptions();
        try {
            o.setOptimizationLevel(OptLevel.ALL_OPT);
            o.setExecutionMode(ExecutionMode.SEQUENTIAL);
            o.setCPUArenaAllocator(true);
            o.setMemoryPatternOptimization(false);
            o.setIntraOpNumThreads(threads());
            if (cuda) {
                o.addCUDA(cudaDevice);
            }
            return o;
        } catch (OrtException | RuntimeException e) {
            o.close();
            throw e;
        }
    }

    private OrtSession create(OrtEnvironment env, byte[] model, boolean cuda, String what) {
        try (SessionOptions o = options(cuda)) {
            return env.createSession(model, o);
        } catch (OrtException | RuntimeException e) {
            String where = cuda ? "on CUDA device " + cudaDevice + " (needs CUDA 12, cuDNN 9 and an NVIDIA driver; "
                    + "ONNX Runtime says: " + e.getMessage() + ")" : "on the CPU: " + e.getMessage();
            throw new BackendException("ONNX Runtime could not start the " + what + " " + where, e);
        }
    }

    /**
     * The intra-op threads sessions get: the setting, else {@code OMP_NUM_THREADS} as the dl4j backend reads it,
     * else the processors the JVM may use (which honours container limits). Never ONNX Runtime's own default: it
     * counts physical cores and found one on a 2-vCPU VM, which halved the speed (cpu/wall 1.05 against 1.9).
     */
    int threads() {
        if (intraOpThreads > 0) {
            return intraOpThreads;
        }
        Integer omp = ompThreads(System.getenv("OMP_NUM_THREADS"));
        return omp != null ? omp : Math.max(1, Runtime.getRuntime().availableProcessors());
    }

    /** A positive OMP_NUM_THREADS, or null when unset or not a positive number (then it is ignored). */
    static Integer ompThreads(String env) {
        if (env == null) {
            return null;
        }
        try {
            int n = Integer.parseInt(env.trim());
            return n > 0 ? n : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /**
     * The form of the reflection padding for these settings: on an x86-64 CPU the {@code Pad} between channels-last
     * reorders ({@link AdainGraphs.Padding#NHWC_PAD}), which a quiet run measured 4–11% cheaper on the decoder and
     * 1–5% on the encoder, with bit-identical outputs; elsewhere the plain {@code Pad}, because ORT folds those
     * Transposes into its blocked-layout reorders only on x86-64, and on ARM64 or CUDA they would be real copies.
     */
    AdainGraphs.Padding padding() {
        return device == Device.CPU && x86_64(System.getProperty("os.arch", "")) ? AdainGraphs.Padding.NHWC_PAD
                : AdainGraphs.Padding.PAD;
    }

    /** Whether {@code os.arch} names x86-64 (as the JVM spells it on Linux, macOS and Windows). */
    static boolean x86_64(String osArch) {
        return osArch.equals("amd64") || osArch.equals("x86_64");
    }

    /** "device cpu, 2 intra-op threads (OMP_NUM_THREADS)". */
    String describe() {
        String d = switch (device) {
            case CPU -> "cpu";
            case CUDA -> "cuda:" + cudaDevice;
            case AUTO -> "auto";
        };
        String from = intraOpThreads > 0 ? "" : ompThreads(System.getenv("OMP_NUM_THREADS")) != null
                ? " (OMP_NUM_THREADS)" : " (available processors)";
        return "device " + d + ", " + threads() + " intra-op threads" + from;
    }
}
