package org.adain.examples.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * One line of where this process's memory is, for the soak and load benchmarks: resident set ({@code VmRSS}, split
 * into anonymous and file-backed pages, from {@code /proc/self/status}), the Java heap in use and committed, and the
 * off-heap bytes JavaCPP tracks (ND4J's buffers) when JavaCPP is on the classpath and asked for. Linux only; elsewhere the
 * {@code /proc} fields are {@code ?}.
 */
final class MemoryProbe {
    private MemoryProbe() {
    }

    /**
     * {@code rss_mib=… rss_anon_mib=… rss_file_mib=… heap_used_mib=… heap_committed_mib=… javacpp_mib=…}.
     *
     * @param offHeap whether to ask JavaCPP (false before a backend was started: asking would load its natives)
     */
    static String line(boolean offHeap) {
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        return String.format(Locale.ROOT, "rss_mib=%s rss_anon_mib=%s rss_file_mib=%s heap_used_mib=%d "
                        + "heap_committed_mib=%d javacpp_mib=%s",
                status("VmRSS:"), status("RssAnon:"), status("RssFile:"), heap.getUsed() >> 20,
                heap.getCommitted() >> 20, offHeap ? javaCppMib() : "-");
    }

    /** VmRSS in MiB, or -1 where {@code /proc} is not available. */
    static long rssMib() {
        String s = status("VmRSS:");
        return s.equals("?") ? -1 : Long.parseLong(s);
    }

    /** RssAnon in MiB (resident anonymous pages: what the file-backed libraries do not account for), or -1. */
    static long rssAnonMib() {
        String s = status("RssAnon:");
        return s.equals("?") ? -1 : Long.parseLong(s);
    }

    /** This process's CPU time (user + system, all threads) in ns, or -1 where the JVM does not give it. */
    static long processCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return -1;
    }

    /** A {@code /proc/self/status} field (kB) in MiB, or "?". */
    static String status(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(field)) {
                    String[] parts = line.substring(field.length()).trim().split("\\s+");
                    return Long.toString(Math.round(Long.parseLong(parts[0]) / 1024.0));
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: reported as unknown
        }
        return "?";
    }

    /** The 1-, 5- and 15-minute load averages, for reading timings taken on a shared machine. */
    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + "/" + f[1] + "/" + f[2];
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    /**
     * JavaCPP's count of the off-heap bytes its pointers hold ({@code Pointer.totalBytes()}), by reflection: the
     * examples compile against the API only, and a backend without JavaCPP has none. Reading it does not load
     * ND4J's natives, but initialises JavaCPP's {@code Pointer} class.
     */
    private static String javaCppMib() {
        try {
            Class<?> pointer = Class.forName("org.bytedeco.javacpp.Pointer", false,
                    MemoryProbe.class.getClassLoader());
            Method total = pointer.getMethod("totalBytes");
            return Long.toString(((Long) total.invoke(null)) >> 20);
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            return "?";
        }
    }
}
