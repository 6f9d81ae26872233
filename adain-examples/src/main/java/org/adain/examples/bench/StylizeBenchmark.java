package org.adain.examples.bench;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.adain.AdainException;
import org.adain.ImageTensor;
import org.adain.Images;
import org.adain.StyleRequest;
import org.adain.StyleTransfer;

/**
 * Java side of the Java-vs-PyTorch benchmark ({@code bench/compare.sh}): times one stylisation end to end through
 * the public API, as {@code bench/pytorch_baseline.py} times the PyTorch port. One timed run is one
 * {@link StyleTransfer#stylizeTensor} call on a request built once from already-decoded images: resize (+ crop)
 * content and style, encode both, AdaIN, decode, crop, finiteness check. Loading the model and decoding the image
 * files are outside the timed region (the load time is printed apart).
 *
 * <pre>{@code
 * OMP_NUM_THREADS=2 java -cp adain-examples/target/adain.jar org.adain.examples.bench.StylizeBenchmark \
 *     --encoder /tmp/adain-bench/encoder_tf2.h5 --decoder /tmp/adain-bench/decoder_tf2.h5 \
 *     --content ../shared/images/content/golden_gate.jpg --style ../shared/images/style/brushstrokes.jpg \
 *     --size 512 --crop --warmup 2 --runs 5
 * }</pre>
 *
 * Output: the same {@code key=value} records as the Python side ({@code bench.info}, {@code bench.run},
 * {@code bench.result}, plus a free-text {@code bench.backend} line). Wall time is {@link System#nanoTime}, CPU
 * time is the whole process's ({@code com.sun.management.OperatingSystemMXBean#getProcessCpuTime}: native
 * threads, JIT and GC included), peak RSS is {@code VmHWM} from {@code /proc/self/status}. Timings belong to this
 * benchmark, never to unit tests.
 */
public final class StylizeBenchmark {
    private static final String USAGE = "usage: StylizeBenchmark --encoder FILE --decoder FILE --content IMG"
            + " --style IMG [--size N (512)] [--style-size N (= --size)] [--crop] [--warmup N (2)] [--runs N (5)]";

    private StylizeBenchmark() {
    }

    private static final class Options {
        Path encoder;
        Path decoder;
        Path content;
        Path style;
        int size = StyleRequest.DEFAULT_SIZE;
        Integer styleSize;
        boolean crop;
        int warmup = 2;
        int runs = 5;
    }

    public static void main(String[] args) {
        Options o;
        try {
            o = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("StylizeBenchmark: " + e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        }
        int styleSize = o.styleSize != null ? o.styleSize : o.size;
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

        long t0 = System.nanoTime();
        try (StyleTransfer st = StyleTransfer.builder().encoder(o.encoder).decoder(o.decoder).build()) {
            BufferedImage content = Images.read(o.content);
            BufferedImage style = Images.read(o.style);
            StyleRequest request = StyleRequest.builder()
                    .content(ImageTensor.fromImage(content))
                    .style(ImageTensor.fromImage(style))
                    .contentSize(o.size).styleSize(styleSize).crop(o.crop)
                    .build();
            double loadSeconds = (System.nanoTime() - t0) / 1e9;
            System.out.println("bench.backend side=java " + st.backendName() + ": " + st.describe());

            List<double[]> timed = new ArrayList<>();
            ImageTensor out = null;
            for (int i = 0; i < o.warmup + o.runs; i++) {
                boolean warm = i < o.warmup;
                long w0 = System.nanoTime();
                long c0 = os.getProcessCpuTime();
                out = st.stylizeTensor(request);
                double wall = (System.nanoTime() - w0) / 1e9;
                double cpu = (os.getProcessCpuTime() - c0) / 1e9;
                System.out.printf(Locale.ROOT,
                        "bench.run side=java phase=%s i=%d wall_s=%.4f cpu_s=%.4f cpu_per_wall=%.2f%n",
                        warm ? "warmup" : "timed", warm ? i + 1 : i + 1 - o.warmup, wall, cpu, cpu / wall);
                if (!warm) {
                    timed.add(new double[] {wall, cpu});
                }
                if (i == 0) {
                    System.out.printf(Locale.ROOT, "bench.info side=java threads=%s java=%s size=%d style_size=%d "
                                    + "crop=%s content=%s style=%s output=3x%dx%d load_s=%.4f%n",
                            ompThreads(), System.getProperty("java.version"), o.size, styleSize, o.crop,
                            resizedSize(o.size, o.crop, content), resizedSize(styleSize, o.crop, style),
                            out.height(), out.width(), loadSeconds);
                }
            }
            double[] walls = timed.stream().mapToDouble(r -> r[0]).toArray();
            double[] cpus = timed.stream().mapToDouble(r -> r[1]).toArray();
            double[] ratios = timed.stream().mapToDouble(r -> r[1] / r[0]).toArray();
            float[] v = out.toArray();
            double sum = 0;
            double absMax = 0;
            for (float x : v) {
                sum += x;
                absMax = Math.max(absMax, Math.abs(x));
            }
            System.out.printf(Locale.ROOT, "bench.result side=java runs=%d median_wall_s=%.4f min_wall_s=%.4f "
                            + "max_wall_s=%.4f median_cpu_s=%.4f median_cpu_per_wall=%.2f peak_rss_mib=%s "
                            + "out_mean=%.6g out_absmax=%.6g%n",
                    walls.length, median(walls), Arrays.stream(walls).min().orElse(Double.NaN),
                    Arrays.stream(walls).max().orElse(Double.NaN), median(cpus), median(ratios), peakRssMib(),
                    sum / v.length, absMax);
        } catch (AdainException e) {
            System.err.println("StylizeBenchmark: " + e.getMessage());
            System.exit(1);
        }
    }

    private static Options parse(String[] args) {
        Options o = new Options();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--crop" -> o.crop = true;
                case "--encoder" -> o.encoder = Path.of(value(args, ++i, a));
                case "--decoder" -> o.decoder = Path.of(value(args, ++i, a));
                case "--content" -> o.content = Path.of(value(args, ++i, a));
                case "--style" -> o.style = Path.of(value(args, ++i, a));
                case "--size" -> o.size = intValue(args, ++i, a, 0);
                case "--style-size" -> o.styleSize = intValue(args, ++i, a, 0);
                case "--warmup" -> o.warmup = intValue(args, ++i, a, 0);
                case "--runs" -> o.runs = intValue(args, ++i, a, 1);
                case "-h", "--help" -> throw new IllegalArgumentException("help");
                default -> throw new IllegalArgumentException("unknown argument " + a);
            }
        }
        if (o.encoder == null || o.decoder == null || o.content == null || o.style == null) {
            throw new IllegalArgumentException("--encoder, --decoder, --content and --style are required");
        }
        return o;
    }

    private static String value(String[] args, int i, String name) {
        if (i >= args.length) {
            throw new IllegalArgumentException(name + " needs a value");
        }
        return args[i];
    }

    private static int intValue(String[] args, int i, String name, int min) {
        String s = value(args, i, name);
        int v;
        try {
            v = Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " needs an integer, got " + s);
        }
        if (v < min) {
            throw new IllegalArgumentException(name + " must be at least " + min + ", got " + v);
        }
        return v;
    }

    private static double median(double[] xs) {
        double[] s = xs.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    /** WxH the network sees, by the reference's resize rule (shorter side to size, longer truncated). */
    private static String resizedSize(int size, boolean crop, BufferedImage image) {
        int h = image.getHeight();
        int w = image.getWidth();
        if (size > 0) {
            if (h <= w) {
                w = (int) ((long) size * w / h);
                h = size;
            } else {
                h = (int) ((long) size * h / w);
                w = size;
            }
        }
        if (crop) {
            int side = Math.min(size > 0 ? size : Integer.MAX_VALUE, Math.min(h, w));
            h = side;
            w = side;
        }
        return w + "x" + h;
    }

    private static String ompThreads() {
        String env = System.getenv("OMP_NUM_THREADS");
        return env == null ? "unset" : env;
    }

    /** VmHWM of this process in MiB, or "?" where /proc is not available. */
    private static String peakRssMib() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    String[] parts = line.substring(6).trim().split("\\s+");
                    return String.format(Locale.ROOT, "%.0f", Long.parseLong(parts[0]) / 1024.0);
                }
            }
        } catch (IOException | RuntimeException e) {
            // fall through
        }
        return "?";
    }
}
