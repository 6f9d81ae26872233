package org.adain.onnxruntime.ops;

import java.util.Arrays;
import java.util.List;

/**
 * AdaIN, its statistics and the transfer of a {@code TransferPlan} on heap float32 NCHW maps, with the "port"
 * numerics of SEMANTICS §2.1 and the operation order of adain-dl4j's {@code AdainOps}: per sample and channel,
 * {@code mean} over H×W and {@code std = sqrt(unbiased variance + 1e-5)}; {@code (c − mean_c) / std_c · std_s +
 * mean_s}, then the alpha blend. Sums run in double (two passes), the element-wise part in float32.
 *
 * <p>Plain Java rather than ONNX ops: on 1×512×64×64 maps (relu4_1 of 512-px images) the two took about the same
 * time (Java 159 ms, the same formula as ORT ops with its tensor copies 167 ms, on a machine with load 27;
 * {@code AdainOpsBenchmark} in the tests, docs/BENCHMARKS.md), a few percent of a stylisation, and Java keeps the
 * maps on the heap with no native tensors to create and free.
 *
 * <pre>{@code
 * float[] t = AdainMath.transfer(content, contentShape, List.of(style), List.of(styleShape), new double[] {1}, 1, null);
 * }</pre>
 *
 * A map with a single position has no unbiased variance: every method that needs a std throws
 * {@link IllegalArgumentException} naming the shape.
 */
public final class AdainMath {
    /** Added to the variance, inside the square root. */
    public static final double EPS = 1e-5;

    private AdainMath() {
    }

    /** Per (n, c) means over H×W, N·C values. */
    public static float[] mean(float[] x, int[] shape) {
        requireRank4(shape, "feature map");
        int nc = shape[0] * shape[1];
        int hw = shape[2] * shape[3];
        float[] out = new float[nc];
        for (int i = 0; i < nc; i++) {
            out[i] = (float) mean(x, i * hw, hw);
        }
        return out;
    }

    /** Per (n, c) {@code sqrt(unbiased variance + 1e-5)}, N·C values. */
    public static float[] std(float[] x, int[] shape) {
        requireRank4(shape, "feature map");
        requireTwoPositions(shape, "feature map");
        int nc = shape[0] * shape[1];
        int hw = shape[2] * shape[3];
        float[] out = new float[nc];
        for (int i = 0; i < nc; i++) {
            out[i] = std(x, i * hw, hw);
        }
        return out;
    }

    private static double mean(float[] x, int from, int n) {
        double s = 0;
        for (int i = from, end = from + n; i < end; i++) {
            s += x[i];
        }
        return s / n;
    }

    private static float std(float[] x, int from, int n) {
        double m = mean(x, from, n);
        double s = 0;
        for (int i = from, end = from + n; i < end; i++) {
            double d = x[i] - m;
            s += d * d;
        }
        // float like ND4J's var, then + eps and sqrt in float as the port does
        float var = (float) (s / (n - 1));
        return (float) Math.sqrt((float) (var + EPS));
    }

    /**
     * The target features (SEMANTICS §2–4, §8): without regions one AdaIN towards {@code Σ w_k·mean(s_k)} and
     * {@code Σ w_k·std(s_k)}; with regions each position takes its region's style, the content statistics over
     * that region only; then {@code alpha · t + (1 − alpha) · content} (alpha 0 gives the content exactly).
     *
     * @param content     N×C×H×W values
     * @param styles      each 1×C×h×w or N×C×h×w
     * @param weights     one per style, ignored with regions
     * @param regions     null, or one style index per content position (H·W values, row-major)
     * @throws IllegalArgumentException the shapes do not fit, a map or used region has a single position, weights
     *                                  or region indices do not match the styles, alpha is outside [0, 1]
     */
    public static float[] transfer(float[] content, int[] contentShape, List<float[]> styles, List<int[]> styleShapes,
            double[] weights, double alpha, int[] regions) {
        requireRank4(contentShape, "content");
        if (styles.isEmpty() || styles.size() != styleShapes.size()) {
            throw new IllegalArgumentException("A transfer needs at least one style feature map, got " + styles.size());
        }
        if (!(alpha >= 0 && alpha <= 1)) {
            throw new IllegalArgumentException("alpha must be in [0, 1], got " + alpha);
        }
        int n = contentShape[0];
        int c = contentShape[1];
        for (int k = 0; k < styles.size(); k++) {
            int[] s = styleShapes.get(k);
            requireRank4(s, "style " + k);
            if (s[1] != c) {
                throw new IllegalArgumentException("The style " + k + " map " + Arrays.toString(s) + " has " + s[1]
                        + " channels, the content map " + Arrays.toString(contentShape) + " has " + c);
            }
            if (s[0] != n && s[0] != 1) {
                throw new IllegalArgumentException("The style " + k + " map " + Arrays.toString(s) + " has batch "
                        + s[0] + "; it must be 1 or the content's batch " + n);
            }
            requireTwoPositions(s, "style " + k);
        }
        float[] t;
        if (regions == null) {
            if (weights == null || weights.length != styles.size()) {
                throw new IllegalArgumentException((weights == null ? 0 : weights.length) + " weights given for "
                        + styles.size() + " styles");
            }
            for (double w : weights) {
                if (!(w >= 0) || Double.isInfinite(w)) {
                    throw new IllegalArgumentException("Style weights must be finite and non-negative, got "
                            + Arrays.toString(weights));
                }
            }
            t = mixed(content, contentShape, styles, styleShapes, weights);
        } else {
            t = regional(content, contentShape, styles, styleShapes, regions);
        }
        return blend(t, content, alpha);
    }

    private static float[] blend(float[] t, float[] content, double alpha) {
        if (alpha == 1.0) {
            return t;
        }
        if (alpha == 0.0) {
            return content.clone();
        }
        float a = (float) alpha;
        float b = (float) (1.0 - alpha);
        for (int i = 0; i < t.length; i++) {
            t[i] = t[i] * a + content[i] * b;
        }
        return t;
    }

    private static float[] mixed(float[] content, int[] shape, List<float[]> styles, List<int[]> styleShapes,
            double[] weights) {
        requireTwoPositions(shape, "content");
        int n = shape[0];
        int c = shape[1];
        float[] mixMean = new float[n * c];
        float[] mixStd = new float[n * c];
        for (int k = 0; k < styles.size(); k++) {
            float[] m = mean(styles.get(k), styleShapes.get(k));
            float[] s = std(styles.get(k), styleShapes.get(k));
            float w = (float) weights[k];
            for (int i = 0; i < n * c; i++) {
                int j = styleShapes.get(k)[0] == 1 ? i % c : i;
                // float, as ND4J's muli/addi do it
                mixMean[i] += m[j] * w;
                mixStd[i] += s[j] * w;
            }
        }
        int hw = shape[2] * shape[3];
        float[] out = new float[content.length];
        for (int i = 0; i < n * c; i++) {
            int from = i * hw;
            float cm = (float) mean(content, from, hw);
            float cs = std(content, from, hw);
            for (int p = from, end = from + hw; p < end; p++) {
                out[p] = (content[p] - cm) / cs * mixStd[i] + mixMean[i];
            }
        }
        return out;
    }

    private static float[] regional(float[] content, int[] shape, List<float[]> styles, List<int[]> styleShapes,
            int[] regions) {
        int n = shape[0];
        int c = shape[1];
        int hw = shape[2] * shape[3];
        if (regions.length != hw) {
            throw new IllegalArgumentException("regions has " + regions.length + " entries, the content map "
                    + Arrays.toString(shape) + " has " + hw + " positions");
        }
        int[] counts = new int[styles.size()];
        for (int p = 0; p < regions.length; p++) {
            int r = regions[p];
            if (r < 0 || r >= styles.size()) {
                throw new IllegalArgumentException("regions[" + p + "] = " + r + " names no style (there are "
                        + styles.size() + ")");
            }
            counts[r]++;
        }
        for (int r = 0; r < counts.length; r++) {
            if (counts[r] == 1) {
                throw new IllegalArgumentException("Region " + r + " of the content map " + Arrays.toString(shape)
                        + " has a single position; its std needs at least two");
            }
        }
        float[] out = new float[content.length];
        for (int r = 0; r < counts.length; r++) {
            if (counts[r] == 0) {
                continue;
            }
            float[] sm = mean(styles.get(r), styleShapes.get(r));
            float[] ss = std(styles.get(r), styleShapes.get(r));
            for (int i = 0; i < n * c; i++) {
                int j = styleShapes.get(r)[0] == 1 ? i % c : i;
                int from = i * hw;
                double sum = 0;
                for (int p = 0; p < hw; p++) {
                    if (regions[p] == r) {
                        sum += content[from + p];
                    }
                }
                float cm = (float) (sum / counts[r]);
                double sq = 0;
                for (int p = 0; p < hw; p++) {
                    if (regions[p] == r) {
                        double d = content[from + p] - cm;
                        sq += d * d;
                    }
                }
                float cs = (float) Math.sqrt((float) ((float) (sq / (counts[r] - 1)) + EPS));
                for (int p = 0; p < hw; p++) {
                    if (regions[p] == r) {
                        out[from + p] = (content[from + p] - cm) / cs * ss[j] + sm[j];
                    }
                }
            }
        }
        return out;
    }

    private static void requireRank4(int[] shape, String what) {
        if (shape.length != 4) {
            throw new IllegalArgumentException("The " + what + " must be N×C×H×W (rank 4), got shape "
                    + Arrays.toString(shape));
        }
    }

    private static void requireTwoPositions(int[] shape, String what) {
        if ((long) shape[2] * shape[3] < 2) {
            throw new IllegalArgumentException("The " + what + " map " + Arrays.toString(shape) + " has "
                    + (long) shape[2] * shape[3] + " spatial position(s); AdaIN's unbiased std needs at least two");
        }
    }
}
