package org.adain.dl4j.train;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.adain.dl4j.Dl4jBackendProvider;
import org.adain.dl4j.TestNets;
import org.adain.spi.ConvLayer;
import org.adain.spi.DecoderTraining;
import org.adain.spi.DecoderWeights;
import org.adain.spi.EncoderKind;
import org.adain.spi.EncoderWeights;
import org.adain.spi.LossTerms;
import org.adain.spi.Tensor;
import org.adain.spi.TrainingConfig;
import org.adain.testkit.reference.Npy;

/**
 * Milliseconds per decoder-training step of the dl4j backend ({@link DecoderTraining#step}: targets, forward,
 * backward, Adam), for bench/train_step.sh. Not a test. The inputs are the deterministic images of
 * bench/train_step_pytorch.py, so the first step's loss is a checksum that the two sides must share.
 *
 * <pre>
 * java -cp ... org.adain.dl4j.train.TrainStepBenchmark --weights /tmp/adain-bench/weights.npz --batch 8 --size 256
 * java -cp ... org.adain.dl4j.train.TrainStepBenchmark --channels 8,12,16,24 --batch 2 --size 64   (random weights)
 * </pre>
 *
 * Prints {@code bench.*} key=value lines: one per step, then the median and the peak RSS (VmHWM).
 */
public final class TrainStepBenchmark {
    private TrainStepBenchmark() {
    }

    public static void main(String[] args) throws IOException {
        Map<String, String> opt = new LinkedHashMap<>(Map.of("batch", "8", "size", "256", "warmup", "2", "runs", "3"));
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument " + args[i]);
            }
            opt.put(args[i].substring(2), args[i + 1]);
        }
        int batch = Integer.parseInt(opt.get("batch"));
        int size = Integer.parseInt(opt.get("size"));
        int warmup = Integer.parseInt(opt.get("warmup"));
        int runs = Integer.parseInt(opt.get("runs"));
        long t0 = System.nanoTime();
        EncoderWeights encoder;
        DecoderWeights decoder;
        if (opt.containsKey("weights")) {
            Map<String, Npy.Array> npz = readNpz(Path.of(opt.get("weights")));
            encoder = encoder(npz);
            decoder = decoder(npz);
        } else {
            int[] c = Arrays.stream(opt.getOrDefault("channels", "8,12,16,24").split(","))
                    .mapToInt(Integer::parseInt).toArray();
            encoder = TestNets.encoder(EncoderKind.NORMALISED_VGG19, c[0], c[1], c[2], c[3], 1);
            decoder = TestNets.decoder(c[0], c[1], c[2], c[3], 2);
        }
        Tensor contents = image(batch, size, 0);
        Tensor styles = image(batch, size, 1);
        System.out.printf(Locale.ROOT, "bench.info side=java batch=%d size=%d warmup=%d runs=%d channels=%d "
                + "omp_threads=%s load_ms=%.0f%n", batch, size, warmup, runs, encoder.featureChannels(),
                System.getenv("OMP_NUM_THREADS"), (System.nanoTime() - t0) / 1e6);
        List<Double> timed = new ArrayList<>();
        double firstLoss = Double.NaN;
        double lastLoss = Double.NaN;
        try (DecoderTraining t = new Dl4jBackendProvider().train(encoder, decoder, TrainingConfig.portDefaults())) {
            for (int i = 0; i < warmup + runs; i++) {
                long s = System.nanoTime();
                LossTerms l = t.step(contents, styles);
                double ms = (System.nanoTime() - s) / 1e6;
                double total = l.total(1, 10);
                if (i == 0) {
                    firstLoss = total;
                }
                lastLoss = total;
                String phase = i < warmup ? "warmup" : "timed";
                if (i >= warmup) {
                    timed.add(ms);
                }
                System.out.printf(Locale.ROOT, "bench.step side=java phase=%s i=%d ms=%.1f loss=%.6f rss_mib=%d%n",
                        phase, i, ms, total, rssMib("VmRSS"));
            }
        }
        double median = median(timed);
        System.out.printf(Locale.ROOT, "bench.result side=java median_ms=%.1f first_loss=%.6f last_loss=%.6f "
                + "peak_rss_mib=%d%n", median, firstLoss, lastLoss, rssMib("VmHWM"));
    }

    /** Same formula as bench/train_step_pytorch.py: smooth float32 images in [0, 1]. */
    static Tensor image(int n, int size, int which) {
        float[] x = new float[n * 3 * size * size];
        int k = 0;
        for (int b = 0; b < n; b++) {
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < size; y++) {
                    for (int xx = 0; xx < size; xx++) {
                        double v = 0.5 + 0.5 * Math.sin(0.031 * (xx + 1) * (c + 1 + which) + 0.017 * (y + 1) * (b + 2)
                                + 1.3 * which);
                        x[k++] = (float) v;
                    }
                }
            }
        }
        return Tensor.wrap(x, n, 3, size, size);
    }

    private static double median(List<Double> v) {
        List<Double> s = new ArrayList<>(v);
        s.sort(null);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    /** A /proc/self/status line in MiB (VmRSS now, VmHWM the peak); -1 when unavailable. */
    static long rssMib(String key) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(key + ":")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    // ---------------------------------------------------------------- weights.npz of bench/make_full_weights.py

    private static Map<String, Npy.Array> readNpz(Path file) throws IOException {
        Map<String, Npy.Array> out = new LinkedHashMap<>();
        try (ZipFile zip = new ZipFile(file.toFile())) {
            for (ZipEntry e : java.util.Collections.list(zip.entries())) {
                String name = e.getName().endsWith(".npy") ? e.getName().substring(0, e.getName().length() - 4)
                        : e.getName();
                try (InputStream in = zip.getInputStream(e)) {
                    out.put(name, Npy.read(in, file + ":" + e.getName()));
                }
            }
        }
        return out;
    }

    /** The layers "prefix/name/weight|bias" in file order (make_full_weights.py writes them in network order). */
    private static List<ConvLayer> layers(Map<String, Npy.Array> npz, String prefix) {
        List<ConvLayer> out = new ArrayList<>();
        for (String key : npz.keySet()) {
            if (key.startsWith(prefix + "/") && key.endsWith("/weight")) {
                String layer = key.substring(prefix.length() + 1, key.length() - "/weight".length());
                Npy.Array w = npz.get(key);
                Npy.Array b = npz.get(prefix + "/" + layer + "/bias");
                int[] s = w.shape();
                out.add(new ConvLayer(layer, s[0], s[1], s[2], s[3], floats(w), floats(b)));
            }
        }
        return out;
    }

    private static EncoderWeights encoder(Map<String, Npy.Array> npz) {
        List<ConvLayer> all = layers(npz, "encoder");
        ConvLayer pre = all.get(0);
        if (pre.kernelHeight() != 1) {
            throw new IllegalStateException("expected the 1×1 preprocessing conv first, got " + pre);
        }
        return new EncoderWeights(EncoderKind.NORMALISED_VGG19, pre, all.subList(1, 10), "weights.npz encoder");
    }

    private static DecoderWeights decoder(Map<String, Npy.Array> npz) {
        return new DecoderWeights(layers(npz, "decoder"), "weights.npz decoder");
    }

    private static float[] floats(Npy.Array a) {
        float[] f = new float[a.size()];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) a.data()[i];
        }
        return f;
    }
}
