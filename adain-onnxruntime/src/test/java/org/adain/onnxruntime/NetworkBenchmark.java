package org.adain.onnxruntime;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.lang.management.ManagementFactory;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.adain.format.WeightFormats;
import org.adain.onnxruntime.graph.AdainGraphs;
import org.adain.onnxruntime.graph.AdainGraphs.Padding;
import org.adain.spi.DecoderWeights;
import org.adain.spi.EncoderWeights;

/**
 * Not a test: the encoder (512×512 image → relu4_1) and the decoder (1×512×64×64 → 512×512) as ORT sessions with
 * each way of expressing the reflection padding ({@link Padding}), same settings as the backend (arena, ALL_OPT).
 * For each variant it prints the medians and minima of the timed runs in wall time and in process CPU time (all
 * threads, ORT's pool included; the fairer figure on a shared machine, and with {@code -Dthreads=1} free of the pool's
 * spinning), the largest difference of the outputs from the first variant's, and with {@code -Dprofile=DIR} ORT's
 * profile of the timed runs summed per operator type (the NCHWc reorders are {@code ReorderInput}/{@code
 * ReorderOutput}); {@code -DkeepProfile=true} keeps the profile and saves the graph as ORT rewrote it next to it.
 * {@code -Dconfig=key=value;...} adds session config entries, {@code -Dopt=} sets the optimisation level,
 * {@code -Dnets=encoder} or {@code decoder} runs one network. Full-size weights from bench/make_full_weights.py:
 *
 * <pre>
 * java -Dthreads=2 -Druns=5 -Dvariants=PAD,NHWC_PAD,ZERO_RING -Dprofile=/tmp/prof -Dconfig=session.intra_op.allow_spinning=0 \
 *     -cp ... org.adain.onnxruntime.NetworkBenchmark /tmp/adain-bench/encoder_tf2.h5 /tmp/adain-bench/decoder_tf2.h5
 * </pre>
 */
public final class NetworkBenchmark {
    private static final Pattern CAT = Pattern.compile("\"cat\"\\s*:\\s*\"([^\"]*)\"");
    private static final Pattern NAME = Pattern.compile("\"name\"\\s*:\\s*\"([^\"]*)\"");
    private static final Pattern OP = Pattern.compile("\"op_name\"\\s*:\\s*\"([^\"]*)\"");
    private static final Pattern DUR = Pattern.compile("\"dur\"\\s*:\\s*(\\d+)");
    private static final Pattern TS = Pattern.compile("\"ts\"\\s*:\\s*(\\d+)");

    private NetworkBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        ClassLoader loader = NetworkBenchmark.class.getClassLoader();
        EncoderWeights enc = WeightFormats.readEncoder(Path.of(args[0]), loader);
        DecoderWeights dec = WeightFormats.readDecoder(Path.of(args[1]), loader);
        int runs = Integer.getInteger("runs", 5);
        String profile = System.getProperty("profile");
        String nets = System.getProperty("nets", "encoder,decoder");
        List<Padding> variants = new ArrayList<>();
        for (String v : System.getProperty("variants", "PAD,SLICE_CONCAT").split(",")) {
            variants.add(Padding.valueOf(v.trim()));
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        float[] image = new float[3 * 512 * 512];
        for (int i = 0; i < image.length; i++) {
            image[i] = (i * 17 % 256) / 255f;
        }
        float[] features = new float[512 * 64 * 64];
        for (int i = 0; i < features.length; i++) {
            features[i] = (i * 31 % 97) / 40f;
        }
        System.out.printf(Locale.ROOT, "ORT %s, threads %d, config '%s', opt %s%n", env.getVersion(),
                Integer.getInteger("threads", 2), System.getProperty("config", ""), System.getProperty("opt",
                        "ALL_OPT"));
        float[] encRef = null;
        float[] decRef = null;
        for (Padding p : variants) {
            if (nets.contains("encoder")) {
                Run e = run(env, AdainGraphs.encoder(enc, p), AdainGraphs.IMAGES, image, new long[] {1, 3, 512, 512},
                        "relu4_1", runs, profile == null ? null : profile + "/encoder-" + p);
                encRef = encRef == null ? e.out : encRef;
                report("encoder 512px", p, e, encRef, runs);
            }
            if (nets.contains("decoder")) {
                Run d = run(env, AdainGraphs.decoder(dec, p), AdainGraphs.FEATURES, features,
                        new long[] {1, 512, 64, 64}, AdainGraphs.IMAGE, runs, profile == null ? null
                                : profile + "/decoder-" + p);
                decRef = decRef == null ? d.out : decRef;
                report("decoder 64x64x512", p, d, decRef, runs);
            }
        }
    }

    private record Run(double wall, double cpu, double minWall, double minCpu, float[] out, Map<String, long[]> ops) {
    }

    private static void report(String what, Padding p, Run r, float[] ref, int runs) throws Exception {
        double diff = 0;
        double scale = 0;
        for (int i = 0; i < ref.length; i++) {
            diff = Math.max(diff, Math.abs(ref[i] - r.out[i]));
            scale = Math.max(scale, Math.abs(ref[i]));
        }
        // the minimum is the run least disturbed by other processes on a shared machine
        System.out.printf(Locale.ROOT, "%-18s %-14s wall %.3f s, cpu %.3f s (medians of %d; cpu/wall %.2f; minima %.3f / "
                + "%.3f s); max |diff| vs first %.2e (max |out| %.2f); load %s%n", what, p, r.wall, r.cpu, runs,
                r.cpu / r.wall, r.minWall, r.minCpu, diff, scale, Files.readString(Path.of("/proc/loadavg")).trim());
        if (r.ops != null) {
            long total = r.ops.values().stream().mapToLong(v -> v[0]).sum();
            StringBuilder b = new StringBuilder();
            r.ops.entrySet().stream().sorted((x, y) -> Long.compare(y.getValue()[0], x.getValue()[0])).forEach(
                    en -> b.append(String.format(Locale.ROOT, "    %-16s %9.1f ms/run %5.1f%%  (%d nodes/run)%n",
                            en.getKey(), en.getValue()[0] / 1e3 / runs, 100.0 * en.getValue()[0] / total,
                            en.getValue()[1] / runs)));
            System.out.printf(Locale.ROOT, "  profile, node kernel time summed per op type (all threads' work is "
                    + "inside the node's span), total %.1f ms/run:%n%s", total / 1e3 / runs, b);
        }
    }

    private static Run run(OrtEnvironment env, byte[] model, String input, float[] x, long[] shape, String output,
            int runs, String profile) throws Exception {
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
            o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.valueOf(System.getProperty("opt", "ALL_OPT")));
            o.setCPUArenaAllocator(true);
            // as OrtSettings (off); -Dpattern=true for ORT's default
            o.setMemoryPatternOptimization(Boolean.getBoolean("pattern"));
            o.setIntraOpNumThreads(Integer.getInteger("threads", 2));
            String config = System.getProperty("config", "");
            for (String kv : config.split(";")) {
                if (!kv.isBlank()) {
                    String[] p = kv.split("=", 2);
                    o.addConfigEntry(p[0].trim(), p[1].trim());
                }
            }
            if (profile != null) {
                Files.createDirectories(Path.of(profile).getParent());
                o.enableProfiling(profile);
                if (Boolean.getBoolean("keepProfile")) {
                    // the graph as ORT rewrote it (NCHWc nodes and reorders), to see what was fused
                    o.setOptimizedModelFilePath(profile + "-optimized.onnx");
                }
            }
            try (OrtSession s = env.createSession(model, o)) {
                double[] wall = new double[runs + 1];
                double[] cpu = new double[runs + 1];
                float[] out = null;
                for (int i = 0; i <= runs; i++) {
                    long c0 = os.getProcessCpuTime();
                    long t0 = System.nanoTime();
                    try (OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), shape);
                            OrtSession.Result r = s.run(Map.of(input, in), Set.of(output))) {
                        if (i == 0) {
                            OnnxTensor t = (OnnxTensor) r.get(output).orElseThrow();
                            FloatBuffer fb = t.getFloatBuffer();
                            out = new float[fb.remaining()];
                            fb.get(out);
                        }
                    }
                    wall[i] = (System.nanoTime() - t0) / 1e9;
                    cpu[i] = (os.getProcessCpuTime() - c0) / 1e9;
                }
                Map<String, long[]> ops = profile == null ? null : aggregate(s.endProfiling());
                // the first run is a warm-up
                return new Run(median(wall), median(cpu), min(wall), min(cpu), out, ops);
            }
        }
    }

    private static double min(double[] t) {
        return Arrays.stream(t, 1, t.length).min().orElseThrow();
    }

    private static double median(double[] t) {
        double[] timed = Arrays.copyOfRange(t, 1, t.length);
        Arrays.sort(timed);
        return timed[timed.length / 2];
    }

    /**
     * Sums ORT's node events ({@code cat} Node, {@code *_kernel_time}) per op type, leaving out the first
     * {@code model_run} (the warm-up). Values: total microseconds and node count.
     */
    private static Map<String, long[]> aggregate(String file) throws Exception {
        String json = Files.readString(Path.of(file));
        List<long[]> modelRuns = new ArrayList<>();
        List<String> events = new ArrayList<>();
        for (String ev : json.split("\n")) { // ORT writes one event per line
            events.add(ev);
            Matcher n = NAME.matcher(ev);
            if (n.find() && n.group(1).equals("model_run")) {
                modelRuns.add(new long[] {number(TS, ev), number(DUR, ev)});
            }
        }
        modelRuns.sort((a, b) -> Long.compare(a[0], b[0]));
        long warmEnd = modelRuns.isEmpty() ? 0 : modelRuns.get(0)[0] + modelRuns.get(0)[1];
        Map<String, long[]> ops = new TreeMap<>();
        for (String ev : events) {
            Matcher c = CAT.matcher(ev);
            Matcher n = NAME.matcher(ev);
            if (!c.find() || !c.group(1).equals("Node") || !n.find() || !n.group(1).endsWith("_kernel_time")
                    || number(TS, ev) < warmEnd) {
                continue;
            }
            Matcher op = OP.matcher(ev);
            String key = op.find() ? op.group(1) : "?";
            long[] v = ops.computeIfAbsent(key, k -> new long[2]);
            v[0] += number(DUR, ev);
            v[1]++;
        }
        if (!Boolean.getBoolean("keepProfile")) {
            Files.delete(Path.of(file));
        }
        return ops;
    }

    private static long number(Pattern p, String ev) {
        Matcher m = p.matcher(ev);
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }
}
