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
import org.adain.Backends;
import org.adain.ImageTensor;
import org.adain.Images;
import org.adain.Precision;
import org.adain.StyleFeatures;
import org.adain.StyleRequest;
import org.adain.StyleTransfer;
import org.adain.format.WeightFormats;
import org.adain.spi.BackendProvider;
import org.adain.spi.FeatureMap;
import org.adain.spi.StyleModel;
import org.adain.spi.Tensor;

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
 * Modes ({@code --mode}), the same on the Python side:
 * <ul>
 *   <li>{@code single}: one stylisation, content and style encoded (the default);</li>
 *   <li>{@code cached}: one stylisation with the style's features encoded once before the timed runs
 *   ({@link StyleTransfer#encodeStyle}): content encoded, AdaIN, decoded;</li>
 *   <li>{@code batch8}: 8 contents with one style, 8 uncached stylisations per timed run;</li>
 *   <li>{@code batch8cached}: the same 8 contents, the style encoded once inside the timed run, then 8
 *   stylisations from the cached features;</li>
 *   <li>{@code encoder}: the backend's {@code StyleModel.encode} alone, of a synthetic size×size image (the same
 *   pattern on the Python side), through the SPI;</li>
 *   <li>{@code decoder}: the backend's {@code StyleModel.decode} alone, of that image's relu4_1 features.</li>
 * </ul>
 * The backend is the one {@code StyleTransfer} would choose: {@code -Dadain.backend=onnxruntime} picks ONNX Runtime.
 * The 8 contents are the content image and 7 variants of it (mirrored, upside down, cyclically shifted by half
 * its width, and combinations), all the same size.
 * {@code --tiling-threshold} and {@code --tile-size} set the builder's tiling options; {@code --max-pixels} its
 * pixel limit ({@code bench/large_image.sh} uses them).
 *
 * <p>Output: the same {@code key=value} records as the Python side ({@code bench.info}, {@code bench.run},
 * {@code bench.result}, plus a free-text {@code bench.backend} line). Wall time is {@link System#nanoTime}, CPU
 * time is the whole process's ({@code com.sun.management.OperatingSystemMXBean#getProcessCpuTime}: native
 * threads, JIT and GC included), peak RSS is {@code VmHWM} from {@code /proc/self/status}. Timings belong to this
 * benchmark, never to unit tests.
 */
public final class StylizeBenchmark {
    private static final String USAGE = "usage: StylizeBenchmark --encoder FILE --decoder FILE --content IMG"
            + " --style IMG [--size N (512)] [--style-size N (= --size)] [--crop] [--warmup N (2)] [--runs N (5)]"
            + " [--mode single|cached|batch8|batch8cached|encoder|decoder] [--tiling-threshold PIXELS] [--tile-size N]"
            + " [--max-pixels N] [--precision float32|bf16]";

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
        String mode = "single";
        Long tilingThreshold;
        Integer tileSize;
        Long maxPixels;
        Precision precision = Precision.FLOAT32;
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
        if (o.mode.equals("encoder") || o.mode.equals("decoder")) {
            if (o.precision != Precision.FLOAT32) {
                System.err.println("StylizeBenchmark: --precision applies to the stylisation modes; --mode " + o.mode
                        + " times the float32 ND4J network");
                System.exit(2);
                return;
            }
            network(o);
            return;
        }
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

        long t0 = System.nanoTime();
        StyleTransfer.Builder builder = StyleTransfer.builder().encoder(o.encoder).decoder(o.decoder)
                .precision(o.precision);
        if (o.tilingThreshold != null) {
            builder.tilingThreshold(o.tilingThreshold);
        }
        if (o.tileSize != null) {
            builder.tileSize(o.tileSize);
        }
        if (o.maxPixels != null) {
            builder.maxPixels(o.maxPixels);
        }
        try (StyleTransfer st = builder.build()) {
            BufferedImage content = Images.read(o.content);
            BufferedImage style = Images.read(o.style);
            ImageTensor styleTensor = ImageTensor.fromImage(style);
            boolean batch = o.mode.startsWith("batch8");
            List<ImageTensor> contents = variants(ImageTensor.fromImage(content), batch ? 8 : 1);
            StyleFeatures cachedOnce = o.mode.equals("cached") ? st.encodeStyle(styleTensor, styleSize, o.crop) : null;
            double loadSeconds = (System.nanoTime() - t0) / 1e9;
            System.out.println("bench.backend side=java " + st.backendName() + ": " + st.describe());

            List<double[]> timed = new ArrayList<>();
            ImageTensor out = null;
            for (int i = 0; i < o.warmup + o.runs; i++) {
                boolean warm = i < o.warmup;
                long w0 = System.nanoTime();
                long c0 = os.getProcessCpuTime();
                out = runOnce(st, o.mode, contents, styleTensor, cachedOnce, o.size, styleSize, o.crop);
                double wall = (System.nanoTime() - w0) / 1e9;
                double cpu = (os.getProcessCpuTime() - c0) / 1e9;
                System.out.printf(Locale.ROOT,
                        "bench.run side=java phase=%s i=%d wall_s=%.4f cpu_s=%.4f cpu_per_wall=%.2f%n",
                        warm ? "warmup" : "timed", warm ? i + 1 : i + 1 - o.warmup, wall, cpu, cpu / wall);
                if (!warm) {
                    timed.add(new double[] {wall, cpu});
                }
                if (i == 0) {
                    System.out.printf(Locale.ROOT, "bench.info side=java mode=%s threads=%s java=%s size=%d "
                                    + "style_size=%d crop=%s content=%s style=%s output=3x%dx%d load_s=%.4f%n",
                            o.mode, ompThreads(), System.getProperty("java.version"), o.size, styleSize, o.crop,
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
            System.out.printf(Locale.ROOT, "bench.result side=java mode=" + o.mode + " runs=%d median_wall_s=%.4f min_wall_s=%.4f "
                            + "max_wall_s=%.4f median_cpu_s=%.4f median_cpu_per_wall=%.2f peak_rss_mib=%s "
                            + "out_mean=%.6g out_absmax=%.6g%n",
                    walls.length, median(walls), Arrays.stream(walls).min().orElse(Double.NaN),
                    Arrays.stream(walls).max().orElse(Double.NaN), median(cpus), median(ratios), peakRssMib(),
                    sum / v.length, absMax);
            if (cachedOnce != null) {
                cachedOnce.close();
            }
        } catch (AdainException e) {
            System.err.println("StylizeBenchmark: " + e.getMessage());
            System.exit(1);
        }
    }

    /**
     * The encoder or decoder alone through the SPI, on {@link #pattern} (bench/pytorch_baseline.py makes the same
     * values), with the same records as the end-to-end modes.
     */
    private static void network(Options o) {
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long t0 = System.nanoTime();
        ClassLoader loader = StylizeBenchmark.class.getClassLoader();
        BackendProvider provider = Backends.select(null, loader);
        try (StyleModel model = provider.load(WeightFormats.readEncoder(o.encoder, loader),
                WeightFormats.readDecoder(o.decoder, loader))) {
            Tensor x = pattern(o.size);
            FeatureMap features = o.mode.equals("decoder") ? model.encode(x) : null;
            double loadSeconds = (System.nanoTime() - t0) / 1e9;
            System.out.println("bench.backend side=java " + provider.name() + ": " + model.describe());
            List<double[]> timed = new ArrayList<>();
            Tensor out = null;
            for (int i = 0; i < o.warmup + o.runs; i++) {
                boolean warm = i < o.warmup;
                long w0 = System.nanoTime();
                long c0 = os.getProcessCpuTime();
                if (features != null) {
                    out = model.decode(features);
                } else {
                    try (FeatureMap f = model.encode(x)) {
                        out = f.toTensor();
                    }
                }
                double wall = (System.nanoTime() - w0) / 1e9;
                double cpu = (os.getProcessCpuTime() - c0) / 1e9;
                System.out.printf(Locale.ROOT,
                        "bench.run side=java phase=%s i=%d wall_s=%.4f cpu_s=%.4f cpu_per_wall=%.2f%n",
                        warm ? "warmup" : "timed", warm ? i + 1 : i + 1 - o.warmup, wall, cpu, cpu / wall);
                if (!warm) {
                    timed.add(new double[] {wall, cpu});
                }
                if (i == 0) {
                    System.out.printf(Locale.ROOT, "bench.info side=java mode=%s threads=%s java=%s size=%d "
                                    + "style_size=%d crop=%s content=%dx%d style=%dx%d output=%s load_s=%.4f%n",
                            o.mode, ompThreads(), System.getProperty("java.version"), o.size, o.size, o.crop, o.size,
                            o.size, o.size, o.size, out.dim(1) + "x" + out.dim(2) + "x" + out.dim(3),
                            loadSeconds);
                }
            }
            double[] walls = timed.stream().mapToDouble(r -> r[0]).toArray();
            double[] cpus = timed.stream().mapToDouble(r -> r[1]).toArray();
            double[] ratios = timed.stream().mapToDouble(r -> r[1] / r[0]).toArray();
            double sum = 0;
            double absMax = 0;
            for (float v : out.toArray()) {
                sum += v;
                absMax = Math.max(absMax, Math.abs(v));
            }
            System.out.printf(Locale.ROOT, "bench.result side=java mode=" + o.mode + " runs=%d median_wall_s=%.4f "
                            + "min_wall_s=%.4f max_wall_s=%.4f median_cpu_s=%.4f median_cpu_per_wall=%.2f "
                            + "peak_rss_mib=%s out_mean=%.6g out_absmax=%.6g%n",
                    walls.length, median(walls), Arrays.stream(walls).min().orElse(Double.NaN),
                    Arrays.stream(walls).max().orElse(Double.NaN), median(cpus), median(ratios), peakRssMib(),
                    sum / out.size(), absMax);
        } catch (AdainException e) {
            System.err.println("StylizeBenchmark: " + e.getMessage());
            System.exit(1);
        }
    }

    /** 1×3×n×n, value {@code ((131c + 31y + 17x) mod 256) / 255}: the same input as the Python side's. */
    private static Tensor pattern(int n) {
        float[] a = new float[3 * n * n];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < n; y++) {
                for (int x = 0; x < n; x++) {
                    a[(c * n + y) * n + x] = ((131 * c + 31 * y + 17 * x) % 256) / 255f;
                }
            }
        }
        return Tensor.wrap(a, 1, 3, n, n);
    }

    /** One timed run of the mode; returns the last output. */
    private static ImageTensor runOnce(StyleTransfer st, String mode, List<ImageTensor> contents, ImageTensor style,
            StyleFeatures cachedOnce, int size, int styleSize, boolean crop) {
        StyleFeatures features = switch (mode) {
            case "cached" -> cachedOnce;
            case "batch8cached" -> st.encodeStyle(style, styleSize, crop);
            default -> null;
        };
        try {
            ImageTensor out = null;
            for (ImageTensor c : contents) {
                StyleRequest.Builder b = StyleRequest.builder().content(c).contentSize(size).styleSize(styleSize)
                        .crop(crop);
                out = st.stylizeTensor((features != null ? b.style(features) : b.style(style)).build());
            }
            return out;
        } finally {
            if (features != null && features != cachedOnce) {
                features.close();
            }
        }
    }

    /** The image and up to 7 variants of the same size: mirrored left-right, upside down, both. */
    private static List<ImageTensor> variants(ImageTensor img, int count) {
        List<ImageTensor> list = new ArrayList<>();
        int h = img.height();
        int w = img.width();
        float[] src = img.toArray();
        for (int k = 0; k < count; k++) {
            boolean flipX = (k & 1) != 0;
            boolean flipY = (k & 2) != 0;
            boolean shift = (k & 4) != 0; // a half-width cyclic shift makes the last 4 differ from the first 4
            float[] d = new float[src.length];
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < h; y++) {
                    int sy = flipY ? h - 1 - y : y;
                    for (int x = 0; x < w; x++) {
                        int sx = flipX ? w - 1 - x : x;
                        if (shift) {
                            sx = (sx + w / 2) % w;
                        }
                        d[(c * h + y) * w + x] = src[(c * h + sy) * w + sx];
                    }
                }
            }
            list.add(ImageTensor.of(d, h, w));
        }
        return list;
    }

    private static Options parse(String[] args) {
        Options o = new Options();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--crop" -> o.crop = true;
                case "--encoder" -> o.encoder = Path.of(Args.value(args, ++i, a));
                case "--decoder" -> o.decoder = Path.of(Args.value(args, ++i, a));
                case "--content" -> o.content = Path.of(Args.value(args, ++i, a));
                case "--style" -> o.style = Path.of(Args.value(args, ++i, a));
                case "--size" -> o.size = Args.intValue(args, ++i, a, 0);
                case "--style-size" -> o.styleSize = Args.intValue(args, ++i, a, 0);
                case "--warmup" -> o.warmup = Args.intValue(args, ++i, a, 0);
                case "--runs" -> o.runs = Args.intValue(args, ++i, a, 1);
                case "--mode" -> {
                    o.mode = Args.value(args, ++i, a);
                    if (!List.of("single", "cached", "batch8", "batch8cached", "encoder", "decoder").contains(o.mode)) {
                        throw new IllegalArgumentException("--mode must be single, cached, batch8, batch8cached, "
                                + "encoder or decoder");
                    }
                }
                case "--tiling-threshold" -> o.tilingThreshold = Long.parseLong(Args.value(args, ++i, a));
                case "--tile-size" -> o.tileSize = Args.intValue(args, ++i, a, 8);
                case "--max-pixels" -> o.maxPixels = Long.parseLong(Args.value(args, ++i, a));
                case "--precision" -> o.precision = Args.precision(args, ++i, a);
                case "-h", "--help" -> throw new IllegalArgumentException("help");
                default -> throw new IllegalArgumentException("unknown argument " + a);
            }
        }
        if (o.encoder == null || o.decoder == null || o.content == null || o.style == null) {
            throw new IllegalArgumentException("--encoder, --decoder, --content and --style are required");
        }
        return o;
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
