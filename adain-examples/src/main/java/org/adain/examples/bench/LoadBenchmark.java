package org.adain.examples.bench;

import java.awt.image.BufferedImage;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.adain.AdainException;
import org.adain.Images;
import org.adain.StyleRequest;
import org.adain.StyleTransfer;

/**
 * Load benchmark ({@code bench/load.sh}): client threads send stylisations as fast as they can for a set time,
 * against one {@link StyleTransfer} or several (client {@code k} uses instance {@code k mod instances}), as a
 * server's request threads would. Each request is {@link StyleTransfer#stylize} of the same decoded content and
 * style at {@code --size}.
 *
 * <pre>{@code
 * OMP_NUM_THREADS=2 java -cp adain-examples/target/adain.jar org.adain.examples.bench.LoadBenchmark \
 *     --encoder E.h5 --decoder D.h5 --content C.jpg --style S.jpg --size 256 \
 *     --clients 8 --instances 1 --duration 300 --warmup 3
 * }</pre>
 *
 * <p>Each instance first serves {@code --warmup} untimed requests. Then the clients run for {@code --duration}
 * seconds; a request that started before the end is completed and counted. The {@code load.result} record gives
 * completed requests, throughput, latency percentiles (each request's wall time, including the wait for the
 * instance's lock), errors (any exception; the first few are printed), CPU seconds per wall second, the load
 * average before and after (the machine may be shared: timings are only comparable at similar load), and the
 * process's RSS and peak RSS.
 */
public final class LoadBenchmark {
    private static final String USAGE = "usage: LoadBenchmark --encoder FILE --decoder FILE --content IMG --style IMG"
            + " [--size N (256)] [--clients N (8)] [--instances N (1)] [--duration SECONDS (300)] [--warmup N (3)]";
    private static final int ERRORS_SHOWN = 5;

    private LoadBenchmark() {
    }

    public static void main(String[] args) throws InterruptedException {
        Path encoder = null;
        Path decoder = null;
        Path contentFile = null;
        Path styleFile = null;
        int size = 256;
        int clients = 8;
        int instanceCount = 1;
        int duration = 300;
        int warmup = 3;
        try {
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "--encoder" -> encoder = Path.of(Args.value(args, ++i, a));
                    case "--decoder" -> decoder = Path.of(Args.value(args, ++i, a));
                    case "--content" -> contentFile = Path.of(Args.value(args, ++i, a));
                    case "--style" -> styleFile = Path.of(Args.value(args, ++i, a));
                    case "--size" -> size = Args.intValue(args, ++i, a, 9);
                    case "--clients" -> clients = Args.intValue(args, ++i, a, 1);
                    case "--instances" -> instanceCount = Args.intValue(args, ++i, a, 1);
                    case "--duration" -> duration = Args.intValue(args, ++i, a, 1);
                    case "--warmup" -> warmup = Args.intValue(args, ++i, a, 0);
                    default -> throw new IllegalArgumentException("unknown argument " + a);
                }
            }
            if (encoder == null || decoder == null || contentFile == null || styleFile == null) {
                throw new IllegalArgumentException("--encoder, --decoder, --content and --style are required");
            }
        } catch (IllegalArgumentException e) {
            System.err.println("LoadBenchmark: " + e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        }

        List<StyleTransfer> instances = new ArrayList<>();
        try {
            BufferedImage content = Images.read(contentFile);
            BufferedImage style = Images.read(styleFile);
            StyleRequest request = StyleRequest.builder().content(content).style(style).contentSize(size)
                    .styleSize(size).build();
            for (int k = 0; k < instanceCount; k++) {
                instances.add(StyleTransfer.builder().encoder(encoder).decoder(decoder).build());
            }
            System.out.println("load.backend " + instances.get(0).backendName() + ": " + instances.get(0).describe());
            for (StyleTransfer st : instances) {
                for (int w = 0; w < warmup; w++) {
                    st.stylize(request);
                }
            }
            run(instances, request, size, clients, duration);
        } catch (AdainException e) {
            System.err.println("LoadBenchmark: " + e.getMessage());
            System.exit(1);
        } finally {
            instances.forEach(StyleTransfer::close);
        }
    }

    private static void run(List<StyleTransfer> instances, StyleRequest request, int size, int clients,
            int duration) throws InterruptedException {
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        String loadBefore = MemoryProbe.loadAverage();
        long[][] latencies = new long[clients][];
        AtomicLong errors = new AtomicLong();
        CountDownLatch start = new CountDownLatch(1);
        long[] end = new long[1];
        List<Thread> threads = new ArrayList<>();
        for (int k = 0; k < clients; k++) {
            int client = k;
            StyleTransfer st = instances.get(k % instances.size());
            Thread t = new Thread(() -> {
                long[] mine = new long[1024];
                int n = 0;
                try {
                    start.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                while (System.nanoTime() < end[0]) {
                    long t0 = System.nanoTime();
                    try {
                        BufferedImage out = st.stylize(request);
                        if (out.getWidth() < 1) {
                            throw new IllegalStateException("empty output");
                        }
                    } catch (RuntimeException | Error e) {
                        if (errors.incrementAndGet() <= ERRORS_SHOWN) {
                            System.out.println("load.error client=" + client + " " + e);
                        }
                        continue;
                    }
                    if (n == mine.length) {
                        mine = Arrays.copyOf(mine, n * 2);
                    }
                    mine[n++] = System.nanoTime() - t0;
                }
                latencies[client] = Arrays.copyOf(mine, n);
            }, "load-client-" + k);
            threads.add(t);
            t.start();
        }
        long c0 = os.getProcessCpuTime();
        long w0 = System.nanoTime();
        end[0] = w0 + duration * 1_000_000_000L;
        start.countDown();
        for (Thread t : threads) {
            t.join();
        }
        double wall = (System.nanoTime() - w0) / 1e9;
        double cpu = (os.getProcessCpuTime() - c0) / 1e9;
        long[] all = Arrays.stream(latencies).filter(l -> l != null).flatMapToLong(Arrays::stream).sorted()
                .toArray();
        System.out.printf(Locale.ROOT, "load.result size=%d clients=%d instances=%d omp_threads=%s duration_s=%.1f "
                        + "requests=%d errors=%d throughput_per_s=%.2f p50_ms=%.0f p90_ms=%.0f p99_ms=%.0f "
                        + "max_ms=%.0f cpu_per_wall=%.2f load_before=%s load_after=%s rss_mib=%d peak_rss_mib=%s%n",
                size, clients, instances.size(), ompThreads(), wall, all.length, errors.get(), all.length / wall,
                percentile(all, 50), percentile(all, 90), percentile(all, 99),
                all.length == 0 ? Double.NaN : all[all.length - 1] / 1e6, cpu / wall, loadBefore,
                MemoryProbe.loadAverage(), MemoryProbe.rssMib(), MemoryProbe.status("VmHWM:"));
    }

    /** The nearest-rank percentile of sorted nanoseconds, in milliseconds. */
    private static double percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p / 100 * sorted.length);
        return sorted[Math.max(0, rank - 1)] / 1e6;
    }

    private static String ompThreads() {
        String env = System.getenv("OMP_NUM_THREADS");
        return env == null ? "unset" : env;
    }
}
