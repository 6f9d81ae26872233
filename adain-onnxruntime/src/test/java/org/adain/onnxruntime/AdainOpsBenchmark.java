package org.adain.onnxruntime;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.adain.onnxruntime.onnx.OnnxGraph;
import org.adain.onnxruntime.onnx.OnnxGraph.Attr;
import org.adain.onnxruntime.ops.AdainMath;

/**
 * Not a test: times AdaIN at relu4_1 of a 512-px image (1×512×64×64 content and style) in plain Java
 * ({@link AdainMath#transfer}) against the same formula as ONNX ops in an ORT session (ReduceMean, Sub, Mul, Sqrt,
 * Div, Add; tensor creation and the copy of the result included, as the model would need them). Prints medians and
 * the largest difference. Run by hand:
 *
 * <pre>
 * mvn -B -q -pl adain-onnxruntime -am test-compile
 * java -cp "adain-onnxruntime/target/test-classes:adain-onnxruntime/target/classes:$(cat cp.txt)" \
 *     org.adain.onnxruntime.AdainOpsBenchmark
 * </pre>
 */
public final class AdainOpsBenchmark {
    private AdainOpsBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int c = 512;
        int h = 64;
        int w = 64;
        int hw = h * w;
        Random r = new Random(1);
        float[] content = new float[c * hw];
        float[] style = new float[c * hw];
        for (int i = 0; i < content.length; i++) {
            content[i] = (float) Math.max(0, r.nextGaussian());
            style[i] = (float) Math.max(0, 2 * r.nextGaussian() + 0.5);
        }
        int[] shape = {1, c, h, w};
        OnnxGraph g = new OnnxGraph("adain");
        g.input("c", OnnxGraph.FLOAT, 1, c, h, w);
        g.input("s", OnnxGraph.FLOAT, 1, c, h, w);
        String unbias = g.initializer("unbias", new float[] {hw / (hw - 1f)}, 1);
        String eps = g.initializer("eps", new float[] {1e-5f}, 1);
        String[] cstat = stats(g, "c", unbias, eps);
        String[] sstat = stats(g, "s", unbias, eps);
        String norm = g.node("Div", List.of(cstat[2], cstat[1]), List.of());
        String scaled = g.node("Mul", List.of(norm, sstat[1]), List.of());
        g.node("Add", List.of(scaled, sstat[0]), List.of(), "out");
        g.output("out", OnnxGraph.FLOAT, 1, c, h, w);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
            o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            o.setIntraOpNumThreads(Integer.getInteger("threads", 2));
            try (OrtSession s = env.createSession(g.toModel(), o)) {
                float[] plain = null;
                float[] ort = null;
                double[] tj = new double[15];
                double[] to = new double[15];
                for (int i = 0; i < 15; i++) {
                    long t0 = System.nanoTime();
                    plain = AdainMath.transfer(content, shape, List.of(style), List.of(shape), new double[] {1}, 1,
                            null);
                    tj[i] = (System.nanoTime() - t0) / 1e6;
                    t0 = System.nanoTime();
                    try (OnnxTensor ct = OnnxTensor.createTensor(env, FloatBuffer.wrap(content), new long[] {1, c, h, w});
                            OnnxTensor st = OnnxTensor.createTensor(env, FloatBuffer.wrap(style),
                                    new long[] {1, c, h, w});
                            OrtSession.Result res = s.run(Map.of("c", ct, "s", st))) {
                        FloatBuffer fb = ((OnnxTensor) res.get("out").orElseThrow()).getFloatBuffer();
                        ort = new float[fb.remaining()];
                        fb.get(ort);
                    }
                    to[i] = (System.nanoTime() - t0) / 1e6;
                }
                double maxDiff = 0;
                for (int i = 0; i < plain.length; i++) {
                    maxDiff = Math.max(maxDiff, Math.abs(plain[i] - ort[i]));
                }
                System.out.printf(Locale.ROOT, "AdaIN 1x%dx%dx%d: Java median %.2f ms, ORT ops median %.2f ms "
                        + "(of the last 10 of 15), max |diff| %.2e, load %s%n", c, h, w, median(tj), median(to),
                        maxDiff, new String(java.nio.file.Files.readAllBytes(java.nio.file.Path.of("/proc/loadavg")))
                                .trim());
            }
        }
    }

    /** mean, std, x − mean of input x. */
    private static String[] stats(OnnxGraph g, String x, String unbias, String eps) {
        String mean = g.node("ReduceMean", List.of(x), List.of(Attr.ints("axes", 2, 3), Attr.of("keepdims", 1L)));
        String dev = g.node("Sub", List.of(x, mean), List.of());
        String sq = g.node("Mul", List.of(dev, dev), List.of());
        String var = g.node("ReduceMean", List.of(sq), List.of(Attr.ints("axes", 2, 3), Attr.of("keepdims", 1L)));
        String unbiased = g.node("Mul", List.of(var, unbias), List.of());
        String std = g.node("Sqrt", List.of(g.node("Add", List.of(unbiased, eps), List.of())), List.of());
        return new String[] {mean, std, dev};
    }

    private static double median(double[] all) {
        double[] last = Arrays.copyOfRange(all, 5, all.length);
        Arrays.sort(last);
        return last[last.length / 2];
    }
}
