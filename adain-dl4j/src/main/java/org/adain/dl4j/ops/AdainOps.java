package org.adain.dl4j.ops;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.adain.Semantics;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Adaptive instance normalisation on ND4J arrays, with the "port" numerics of SEMANTICS §2.1: per sample and
 * channel, {@code mean} over H×W and {@code std = sqrt(unbiased variance + 1e-5)} on both content and style; or,
 * for {@link Semantics#TORCH7} (§2.2, {@code lib/AdaptiveInstanceNormalization.lua:50-67}), the content normalised
 * with {@code sqrt(biased variance + 1e-5)} (Torch7's batch norm in training mode) and the style's
 * {@code sqrt(biased variance)} without eps, defined for single-position maps.
 * All arrays are NCHW, float32. Results are new arrays owned by the caller; inputs are never modified.
 *
 * <pre>{@code
 * INDArray t = AdainOps.adain(contentFeatures, styleFeatures);
 * INDArray mixed = AdainOps.transfer(content, List.of(s1, s2), new double[] {0.25, 0.75}, 0.6, null);
 * }</pre>
 *
 * <p>A map with a single spatial position has no unbiased variance (the port returns NaN); every method that
 * needs a std rejects it with an {@link IllegalArgumentException} naming the shape.
 */
public final class AdainOps {
    /** Added to the variance, inside the square root. */
    public static final double EPS = 1e-5;

    private AdainOps() {
    }

    /** Per (n, c) mean over H×W, shape N×C×1×1. */
    public static INDArray mean(INDArray x) {
        requireRank4(x, "feature map");
        return x.mean(true, 2, 3);
    }

    /** The style-side std of a semantics: {@link #std(INDArray)} or {@link #stdTorch7(INDArray)}. */
    public static INDArray std(INDArray x, Semantics semantics) {
        return semantics == Semantics.TORCH7 ? stdTorch7(x) : std(x);
    }

    /** Per (n, c) {@code sqrt(biased variance)}, shape N×C×1×1: Torch7's {@code std(3, true)}. */
    public static INDArray stdTorch7(INDArray x) {
        return biasedRoot(x, 0.0);
    }

    /** Per (n, c) {@code sqrt(biased variance + eps)}, shape N×C×1×1. */
    public static INDArray biasedRoot(INDArray x, double eps) {
        requireRank4(x, "feature map");
        long n = x.size(0);
        long c = x.size(1);
        INDArray var = x.var(false, 2, 3); // biased: divides by L
        INDArray shaped = var.reshape(n, c, 1, 1);
        INDArray std = Transforms.sqrt(eps == 0 ? shaped.dup() : shaped.add(eps), false);
        release(var, shaped);
        return std;
    }

    /** Per (n, c) {@code sqrt(unbiased variance + 1e-5)}, shape N×C×1×1. */
    public static INDArray std(INDArray x) {
        requireRank4(x, "feature map");
        requireTwoPositions(x, "feature map");
        long n = x.size(0);
        long c = x.size(1);
        INDArray var = x.var(true, 2, 3); // unbiased: divides by L-1
        INDArray std = Transforms.sqrt(var.reshape(n, c, 1, 1).add(EPS), false);
        release(var);
        return std;
    }

    /** {@code (c − mean(c)) / std(c) · std(s) + mean(s)}. C must match; the style batch is N or 1. */
    public static INDArray adain(INDArray content, INDArray style) {
        return adain(content, style, Semantics.PYTORCH_PORT);
    }

    /** AdaIN with the statistics of a semantics. C must match; the style batch is N or 1. */
    public static INDArray adain(INDArray content, INDArray style, Semantics semantics) {
        requireRank4(content, "content");
        requireRank4(style, "style");
        requireCompatible(content, style, "style");
        if (semantics == Semantics.PYTORCH_PORT) {
            requireTwoPositions(style, "style");
        }
        INDArray sm = mean(style);
        INDArray ss = std(style, semantics);
        try {
            return adainWithStats(content, sm, ss, semantics);
        } finally {
            release(sm, ss);
        }
    }

    /**
     * AdaIN towards given target statistics: {@code (c − mean(c)) / std(c) · targetStd + targetMean}.
     *
     * @param targetMean N×C×1×1 or 1×C×1×1
     * @param targetStd  same shape as {@code targetMean}
     */
    public static INDArray adainWithStats(INDArray content, INDArray targetMean, INDArray targetStd) {
        return adainWithStats(content, targetMean, targetStd, Semantics.PYTORCH_PORT);
    }

    /**
     * AdaIN towards given target statistics, the content normalised as the semantics does: port
     * {@code sqrt(unbiased variance + 1e-5)}, Torch7 {@code sqrt(biased variance + 1e-5)}.
     */
    public static INDArray adainWithStats(INDArray content, INDArray targetMean, INDArray targetStd,
            Semantics semantics) {
        requireRank4(content, "content");
        if (semantics == Semantics.PYTORCH_PORT) {
            requireTwoPositions(content, "content");
        }
        INDArray cm = mean(content);
        INDArray cs = semantics == Semantics.TORCH7 ? biasedRoot(content, EPS) : std(content);
        // Same operation order as the port: normalise, scale, shift.
        INDArray out = content.sub(cm).divi(cs).muli(targetStd).addi(targetMean);
        release(cm, cs);
        return out;
    }

    /**
     * The target features of a transfer (SEMANTICS §2–4, §8; {@code org.adain.spi.TransferPlan}).
     * <ul>
     *   <li>{@code regions == null}: {@code t = Σ_k w_k · AdaIN(content, style_k)}, computed as one AdaIN towards
     *   {@code Σ w_k·mean(s_k)} and {@code Σ w_k·std(s_k)} (AdaIN is affine in the target statistics);</li>
     *   <li>otherwise position p (row-major over H×W) takes AdaIN with style {@code regions[p]}, the content
     *   statistics taken over that region's positions only, the style's over its whole map;</li>
     * </ul>
     * then {@code alpha · t + (1 − alpha) · content}. Alpha 0 returns a copy of the content exactly.
     *
     * @param weights one per style, used only without regions
     * @param regions null, or one style index per content position ({@code H·W} values)
     * @throws IllegalArgumentException for wrong ranks, mismatched channels, fewer than two positions in a map or a
     *                                  used region, weights that do not match the styles, alpha outside [0, 1],
     *                                  or region indices outside the styles
     */
    public static INDArray transfer(INDArray content, List<INDArray> styles, double[] weights, double alpha,
            int[] regions) {
        return transfer(content, styles, weights, alpha, regions, Semantics.PYTORCH_PORT);
    }

    /**
     * {@link #transfer(INDArray, List, double[], double, int[])} with the statistics of a semantics (Torch7 allows
     * single-position maps and regions).
     */
    public static INDArray transfer(INDArray content, List<INDArray> styles, double[] weights, double alpha,
            int[] regions, Semantics semantics) {
        Objects.requireNonNull(semantics, "semantics");
        boolean port = semantics == Semantics.PYTORCH_PORT;
        requireRank4(content, "content");
        Objects.requireNonNull(styles, "styles");
        if (styles.isEmpty()) {
            throw new IllegalArgumentException("A transfer needs at least one style feature map");
        }
        if (!(alpha >= 0 && alpha <= 1)) {
            throw new IllegalArgumentException("alpha must be in [0, 1], got " + alpha);
        }
        for (int k = 0; k < styles.size(); k++) {
            INDArray s = styles.get(k);
            requireRank4(s, "style " + k);
            requireCompatible(content, s, "style " + k);
            if (port) {
                requireTwoPositions(s, "style " + k);
            }
        }
        INDArray t;
        if (regions == null) {
            Objects.requireNonNull(weights, "weights");
            if (weights.length != styles.size()) {
                throw new IllegalArgumentException(weights.length + " weights given for " + styles.size()
                        + " styles");
            }
            for (double w : weights) {
                if (!(w >= 0) || Double.isInfinite(w)) {
                    throw new IllegalArgumentException("Style weights must be finite and non-negative, got "
                            + Arrays.toString(weights));
                }
            }
            t = mixed(content, styles, weights, semantics);
        } else {
            t = regional(content, styles, regions, semantics);
        }
        return blend(t, content, alpha);
    }

    /** {@code alpha · t + (1 − alpha) · content}; consumes {@code t}. Exact at alpha 0 and 1. */
    private static INDArray blend(INDArray t, INDArray content, double alpha) {
        if (alpha == 1.0) {
            return t;
        }
        if (alpha == 0.0) {
            release(t);
            return content.dup('c');
        }
        INDArray scaledContent = content.mul(1.0 - alpha);
        INDArray out = t.muli(alpha).addi(scaledContent);
        release(scaledContent);
        return out;
    }

    private static INDArray mixed(INDArray content, List<INDArray> styles, double[] weights, Semantics semantics) {
        if (semantics == Semantics.PYTORCH_PORT) {
            requireTwoPositions(content, "content");
        }
        INDArray mixMean = null;
        INDArray mixStd = null;
        try {
            for (int k = 0; k < styles.size(); k++) {
                INDArray m = mean(styles.get(k)).muli(weights[k]);
                INDArray s = std(styles.get(k), semantics).muli(weights[k]);
                if (mixMean == null) {
                    mixMean = m;
                    mixStd = s;
                } else {
                    mixMean.addi(m);
                    mixStd.addi(s);
                    release(m, s);
                }
            }
            return adainWithStats(content, mixMean, mixStd, semantics);
        } finally {
            release(mixMean, mixStd);
        }
    }

    private static INDArray regional(INDArray content, List<INDArray> styles, int[] regions, Semantics semantics) {
        boolean torch = semantics == Semantics.TORCH7;
        int h = (int) content.size(2);
        int w = (int) content.size(3);
        if (regions.length != (long) h * w) {
            throw new IllegalArgumentException("regions has " + regions.length + " entries, the content map "
                    + shape(content) + " has " + ((long) h * w) + " positions");
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
            if (counts[r] == 1 && !torch) {
                throw new IllegalArgumentException("Region " + r + " of the content map " + shape(content)
                        + " has a single position; its std needs at least two");
            }
        }
        DataType dt = content.dataType();
        INDArray out = Nd4j.zeros(dt, content.shape());
        for (int r = 0; r < counts.length; r++) {
            if (counts[r] == 0) {
                continue;
            }
            INDArray mask = regionMask(regions, r, h, w, dt);
            INDArray sm = mean(styles.get(r));
            INDArray ss = std(styles.get(r), semantics);
            // Content statistics over the region only: masked sums divided by the region size.
            INDArray masked = content.mul(mask);
            INDArray cm = masked.sum(true, 2, 3).divi(counts[r]);
            release(masked);
            INDArray dev = content.sub(cm).muli(mask); // zero outside the region
            INDArray sq = dev.mul(dev);
            INDArray var = sq.sum(true, 2, 3).divi(torch ? counts[r] : counts[r] - 1);
            release(sq);
            INDArray cs = Transforms.sqrt(var.addi(EPS), false);
            // Zero outside the region after the last mask, so the regions simply add up.
            INDArray part = dev.divi(cs).muli(ss).addi(sm).muli(mask);
            out.addi(part);
            release(part, cm, cs, sm, ss, mask);
        }
        return out;
    }

    private static INDArray regionMask(int[] regions, int r, int h, int w, DataType dt) {
        float[] m = new float[regions.length];
        for (int p = 0; p < regions.length; p++) {
            if (regions[p] == r) {
                m[p] = 1f;
            }
        }
        return Nd4j.create(m, new long[] {1, 1, h, w}, 'c').castTo(dt);
    }

    private static void requireRank4(INDArray x, String what) {
        Objects.requireNonNull(x, what);
        if (x.rank() != 4) {
            throw new IllegalArgumentException("The " + what + " must be N×C×H×W (rank 4), got shape " + shape(x));
        }
        if (!x.dataType().isFPType()) {
            throw new IllegalArgumentException("The " + what + " must hold floating point values, got "
                    + x.dataType());
        }
    }

    private static void requireTwoPositions(INDArray x, String what) {
        if (x.size(2) * x.size(3) < 2) {
            throw new IllegalArgumentException("The " + what + " map " + shape(x) + " has " + x.size(2) * x.size(3)
                    + " spatial position(s); AdaIN's unbiased std needs at least two");
        }
    }

    private static void requireCompatible(INDArray content, INDArray style, String what) {
        if (style.size(1) != content.size(1)) {
            throw new IllegalArgumentException("The " + what + " map " + shape(style) + " has " + style.size(1)
                    + " channels, the content map " + shape(content) + " has " + content.size(1));
        }
        if (style.size(0) != content.size(0) && style.size(0) != 1) {
            throw new IllegalArgumentException("The " + what + " map " + shape(style) + " has batch " + style.size(0)
                    + "; it must be 1 or the content's batch " + content.size(0));
        }
    }

    private static String shape(INDArray x) {
        return Arrays.toString(x.shape());
    }

    /** Frees arrays this class allocated; views and already-freed arrays are skipped. */
    private static void release(INDArray... arrays) {
        for (INDArray a : arrays) {
            if (a != null && !a.wasClosed() && a.closeable()) {
                a.close();
            }
        }
    }
}
