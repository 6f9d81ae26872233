package org.adain.examples.bench;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Locale;
import org.adain.AdainException;
import org.adain.Images;
import org.adain.StyleRequest;
import org.adain.StyleTransfer;

/**
 * Soak benchmark ({@code bench/soak.sh}): many stylisations with one {@link StyleTransfer}, as a server does them,
 * and where the process's memory stands along the way. Each request is built from the decoded images and returns a
 * {@link BufferedImage} ({@link StyleTransfer#stylize}): resize, encode content and style, AdaIN, decode, convert.
 *
 * <pre>{@code
 * java -cp adain-examples/target/adain.jar org.adain.examples.bench.SoakBenchmark \
 *     --encoder adain-testkit/src/main/resources/org/adain/testkit/reference/models/encoder_tf2.h5 \
 *     --decoder adain-testkit/src/main/resources/org/adain/testkit/reference/models/decoder_tf2.h5 \
 *     --content ../shared/images/content/golden_gate.jpg --style ../shared/images/style/brushstrokes.jpg \
 *     --size 256 --requests 1000 --every 50
 * }</pre>
 *
 * <p>Prints one {@code soak.rss} record ({@link MemoryProbe#line}) at each checkpoint: {@code before_build} (images
 * decoded, no {@code StyleTransfer} yet), every {@code --every} requests, {@code after_trim}
 * ({@link StyleTransfer#trimMemory}), {@code after_close} and {@code after_close_gc} (after {@link System#gc()},
 * which returns the heap the requests' garbage made the JVM grow), then a {@code soak.result} record with the two ratios
 * the issue sets targets for: RSS at the end over RSS after request 100 (≤ 1.2), RSS after close minus RSS before
 * the build (≤ 100 MiB). No GC is forced before {@code after_close_gc}: the figures are what a server would see.
 * The result also gives the anonymous part of both ({@code RssAnon}): the file-backed pages (ND4J's and the JDK's
 * libraries, about 36 MiB for ND4J's) stay mapped as long as the JVM lives, and the kernel can drop them under
 * memory pressure and read them again, so the anonymous figure is what the process really keeps to itself.
 *
 * <p>With {@code --idle SECONDS}, the JVM then sits idle that long before two more records: {@code after_idle}
 * (after close, no GC forced: what {@code -XX:G1PeriodicGCInterval} gives back on its own) and, after
 * {@link System#gc()} and the same wait again, {@code after_close_gc_idle} (G1 uncommits the heap in the background
 * after a full collection, so {@code after_close_gc}, read at once, may still count heap it is giving back).
 *
 * <p>With {@code --smaps}, each checkpoint also prints a {@code soak.smaps} record: the resident memory by kind
 * ({@link MemoryMap}: Java heap, class metadata, code cache, thread stacks, malloc arenas, shared libraries…). The JVM
 * must then run with {@code -XX:NativeMemoryTracking=detail} to tell its own mappings apart.
 */
public final class SoakBenchmark {
    private static final String USAGE = "usage: SoakBenchmark --encoder FILE --decoder FILE --content IMG --style IMG"
            + " [--size N (256)] [--requests N (1000)] [--every N (50)] [--reference N (100)] [--idle SECONDS (0)]"
            + " [--smaps]";
    private static boolean smaps;
    /** RssAnon read with the RSS of the last checkpoint, before its records cost memory of their own. */
    private static long lastAnon;

    private SoakBenchmark() {
    }

    public static void main(String[] args) {
        Path encoder = null;
        Path decoder = null;
        Path contentFile = null;
        Path styleFile = null;
        int size = 256;
        int requests = 1000;
        int every = 50;
        int reference = 100;
        int idle = 0;
        try {
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "--encoder" -> encoder = Path.of(Args.value(args, ++i, a));
                    case "--decoder" -> decoder = Path.of(Args.value(args, ++i, a));
                    case "--content" -> contentFile = Path.of(Args.value(args, ++i, a));
                    case "--style" -> styleFile = Path.of(Args.value(args, ++i, a));
                    case "--size" -> size = Args.intValue(args, ++i, a, 9);
                    case "--requests" -> requests = Args.intValue(args, ++i, a, 1);
                    case "--every" -> every = Args.intValue(args, ++i, a, 1);
                    case "--reference" -> reference = Args.intValue(args, ++i, a, 1);
                    case "--idle" -> idle = Args.intValue(args, ++i, a, 0);
                    case "--smaps" -> smaps = true;
                    default -> throw new IllegalArgumentException("unknown argument " + a);
                }
            }
            if (encoder == null || decoder == null || contentFile == null || styleFile == null) {
                throw new IllegalArgumentException("--encoder, --decoder, --content and --style are required");
            }
            if (reference > requests) {
                throw new IllegalArgumentException("--reference " + reference + " is beyond --requests " + requests);
            }
        } catch (IllegalArgumentException e) {
            System.err.println("SoakBenchmark: " + e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        }

        try {
            BufferedImage content = Images.read(contentFile);
            BufferedImage style = Images.read(styleFile);
            StyleRequest request = StyleRequest.builder().content(content).style(style).contentSize(size)
                    .styleSize(size).build();
            System.out.printf(Locale.ROOT, "soak.info size=%d requests=%d every=%d omp_threads=%s java=%s "
                            + "max_heap_mib=%d load=%s%n", size, requests, every, envOr("OMP_NUM_THREADS", "unset"),
                    System.getProperty("java.version"), Runtime.getRuntime().maxMemory() >> 20,
                    MemoryProbe.loadAverage());
            long before = checkpoint("before_build", 0, false);
            long beforeAnon = lastAnon;
            long atReference = -1;
            long last = -1;
            long t0 = System.nanoTime();
            long cpu0 = MemoryProbe.processCpuNanos();
            StyleTransfer st = StyleTransfer.builder().encoder(encoder).decoder(decoder).build();
            try {
                System.out.println("soak.backend " + st.backendName() + ": " + st.describe());
                checkpoint("after_build", 0, true);
                for (int i = 1; i <= requests; i++) {
                    BufferedImage out = st.stylize(request);
                    if (out.getWidth() < 1) {
                        throw new IllegalStateException("empty output");
                    }
                    if (i % every == 0 || i == reference || i == requests) {
                        last = checkpoint("request", i, true);
                        if (i == reference) {
                            atReference = last;
                        }
                    }
                }
                double seconds = (System.nanoTime() - t0) / 1e9;
                long cpu1 = MemoryProbe.processCpuNanos();
                double cpuSeconds = cpu0 < 0 || cpu1 < 0 ? Double.NaN : (cpu1 - cpu0) / 1e9;
                System.out.printf(Locale.ROOT, "soak.time requests=%d wall_s=%.1f per_request_ms=%.1f cpu_s=%.1f"
                                + " cpu_per_request_ms=%.1f load=%s%n", requests, seconds, seconds * 1000 / requests,
                        cpuSeconds, cpuSeconds * 1000 / requests, MemoryProbe.loadAverage());
                st.trimMemory();
                checkpoint("after_trim", requests, true);
            } finally {
                st.close();
            }
            long closed = checkpoint("after_close", requests, true);
            long closedAnon = lastAnon;
            long idled = -1;
            if (idle > 0) {
                Thread.sleep(idle * 1000L);
                idled = checkpoint("after_idle", requests, true);
            }
            // what a caller can add: the JVM keeps the heap it grew (garbage of the requests' images) until a full
            // collection gives it back; printed apart so that the library's share and the JVM's stay visible
            System.gc();
            long collected = checkpoint("after_close_gc", requests, true);
            long collectedIdle = -1;
            if (idle > 0) {
                Thread.sleep(idle * 1000L);
                collectedIdle = checkpoint("after_close_gc_idle", requests, true);
            }
            System.out.printf(Locale.ROOT, "soak.result before_build_mib=%d at_%d_mib=%d end_mib=%d after_close_mib=%d"
                            + " end_over_%d=%.2f (target <= 1.20: %s) close_minus_before_mib=%d"
                            + " (target <= 100: %s) after_close_gc_mib=%d gc_minus_before_mib=%d"
                            + " anon_before_build_mib=%d anon_after_close_mib=%d anon_close_minus_before_mib=%d%s%n",
                    before, reference, atReference, last, closed, reference, (double) last / atReference,
                    last <= 1.2 * atReference ? "met" : "NOT met", closed - before,
                    closed - before <= 100 ? "met" : "NOT met", collected, collected - before, beforeAnon,
                    closedAnon, closedAnon - beforeAnon, idle > 0 ? String.format(Locale.ROOT,
                            " after_idle_mib=%d idle_minus_before_mib=%d after_close_gc_idle_mib=%d"
                                    + " gc_idle_minus_before_mib=%d", idled, idled - before, collectedIdle,
                            collectedIdle - before) : "");
        } catch (AdainException e) {
            System.err.println("SoakBenchmark: " + e.getMessage());
            System.exit(1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            System.err.println("SoakBenchmark: interrupted while idle");
            System.exit(1);
        }
    }

    private static long checkpoint(String what, int request, boolean offHeap) {
        // read before the smaps record: building it (the NMT report, the platform MBean server on first use) costs
        // memory of its own, which the soak.result figures must not count
        long rss = MemoryProbe.rssMib();
        lastAnon = MemoryProbe.rssAnonMib();
        System.out.printf(Locale.ROOT, "soak.rss at=%s request=%d %s%n", what, request, MemoryProbe.line(offHeap));
        if (smaps) {
            System.out.printf(Locale.ROOT, "soak.smaps at=%s request=%d %s%n", what, request, MemoryMap.line());
        }
        return rss;
    }

    private static String envOr(String name, String otherwise) {
        String v = System.getenv(name);
        return v == null ? otherwise : v;
    }
}
