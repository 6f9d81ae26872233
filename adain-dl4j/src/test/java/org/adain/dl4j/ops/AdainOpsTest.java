package org.adain.dl4j.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** AdaIN maths against hand-computed values and plain double loops (SEMANTICS §2.1, §3, §4, TransferPlan). */
class AdainOpsTest {
    private static final double TOL = 2e-5;

    // ------------------------------------------------------------------ helpers

    private static INDArray arr(double[] v, long... shape) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = (float) v[i];
        }
        return Nd4j.create(f, shape, DataType.FLOAT);
    }

    private static double[] random(int n, long seed, double scale, double offset) {
        Random r = new Random(seed);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (r.nextGaussian() * scale + offset); // float32-representable, as the arrays hold
        }
        return v;
    }

    /** Reference mean of (n, c) over the positions p with {@code sel[p]} (all when sel is null). */
    private static double refMean(double[] x, int c, int channels, int n, int hw, boolean[] sel) {
        double s = 0;
        int k = 0;
        for (int p = 0; p < hw; p++) {
            if (sel == null || sel[p]) {
                s += x[(n * channels + c) * hw + p];
                k++;
            }
        }
        return s / k;
    }

    private static double refStd(double[] x, int c, int channels, int n, int hw, boolean[] sel) {
        double m = refMean(x, c, channels, n, hw, sel);
        double s = 0;
        int k = 0;
        for (int p = 0; p < hw; p++) {
            if (sel == null || sel[p]) {
                double d = x[(n * channels + c) * hw + p] - m;
                s += d * d;
                k++;
            }
        }
        return Math.sqrt(s / (k - 1) + 1e-5);
    }

    /** AdaIN of content (nb×ch×hw) with a batch-1 or batch-nb style (sb×ch×shw), double loops. */
    private static double[] refAdain(double[] c, int nb, int ch, int hw, double[] s, int sb, int shw) {
        double[] out = new double[c.length];
        for (int n = 0; n < nb; n++) {
            int sn = sb == 1 ? 0 : n;
            for (int k = 0; k < ch; k++) {
                double cm = refMean(c, k, ch, n, hw, null), cs = refStd(c, k, ch, n, hw, null);
                double sm = refMean(s, k, ch, sn, shw, null), ss = refStd(s, k, ch, sn, shw, null);
                for (int p = 0; p < hw; p++) {
                    int i = (n * ch + k) * hw + p;
                    out[i] = (c[i] - cm) / cs * ss + sm;
                }
            }
        }
        return out;
    }

    private static void assertClose(INDArray actual, double[] expected, double tol) {
        double[] a = actual.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        assertThat(a).hasSize(expected.length);
        for (int i = 0; i < a.length; i++) {
            assertThat(a[i]).as("element %d", i).isCloseTo(expected[i], within(tol));
        }
    }

    // ------------------------------------------------------------------ statistics

    @Test
    void meanAndStdOfAHandComputedMap() {
        // One channel [[1, 2], [3, 4]]: mean 2.5, squared deviations 2.25+0.25+0.25+2.25 = 5, unbiased var 5/3.
        INDArray x = arr(new double[] {1, 2, 3, 4}, 1, 1, 2, 2);
        INDArray m = AdainOps.mean(x);
        INDArray s = AdainOps.std(x);
        assertThat(m.shape()).containsExactly(1, 1, 1, 1);
        assertThat(s.shape()).containsExactly(1, 1, 1, 1);
        assertThat(m.getDouble(0, 0, 0, 0)).isCloseTo(2.5, within(1e-6));
        assertThat(s.getDouble(0, 0, 0, 0)).isCloseTo(Math.sqrt(5.0 / 3.0 + 1e-5), within(1e-6));
    }

    @Test
    void constantChannelHasStdSqrtEps() {
        // Channel 0 constant 7 (std = sqrt(1e-5) = 0.0031623), channel 1 = {0, 2}: var_u 2, std sqrt(2 + 1e-5).
        INDArray x = arr(new double[] {7, 7, 0, 2}, 1, 2, 1, 2);
        INDArray s = AdainOps.std(x);
        assertThat(s.getDouble(0, 0, 0, 0)).isCloseTo(0.0031623, within(1e-7));
        assertThat(s.getDouble(0, 1, 0, 0)).isCloseTo(Math.sqrt(2 + 1e-5), within(1e-6));
        // AdaIN of a constant content channel gives exactly the style mean there (0 / std · s + m).
        INDArray style = arr(new double[] {1, 3, 5, -1, 0, 1}, 1, 2, 1, 3);
        INDArray t = AdainOps.adain(x, style);
        assertThat(t.getDouble(0, 0, 0, 0)).isCloseTo(3.0, within(1e-6));
        assertThat(t.getDouble(0, 0, 0, 1)).isCloseTo(3.0, within(1e-6));
    }

    @Test
    void statsPerSampleAndChannelWithBatch() {
        int nb = 3, ch = 2, h = 3, w = 4, hw = h * w;
        double[] v = random(nb * ch * hw, 1, 2.0, 0.5);
        INDArray x = arr(v, nb, ch, h, w);
        INDArray m = AdainOps.mean(x);
        INDArray s = AdainOps.std(x);
        assertThat(m.shape()).containsExactly(nb, ch, 1, 1);
        for (int n = 0; n < nb; n++) {
            for (int c = 0; c < ch; c++) {
                assertThat(m.getDouble(n, c, 0, 0)).isCloseTo(refMean(v, c, ch, n, hw, null), within(1e-5));
                assertThat(s.getDouble(n, c, 0, 0)).isCloseTo(refStd(v, c, ch, n, hw, null), within(1e-5));
            }
        }
    }

    // ------------------------------------------------------------------ AdaIN

    @Test
    void adainByHand() {
        // content {1, 2, 3, 4}: mean 2.5, std sqrt(5/3 + 1e-5); style {0, 10}: mean 5, std sqrt(50 + 1e-5).
        INDArray c = arr(new double[] {1, 2, 3, 4}, 1, 1, 2, 2);
        INDArray s = arr(new double[] {0, 10}, 1, 1, 1, 2);
        double cs = Math.sqrt(5.0 / 3.0 + 1e-5), ss = Math.sqrt(50 + 1e-5);
        double[] expected = new double[4];
        for (int i = 0; i < 4; i++) {
            expected[i] = (i + 1 - 2.5) / cs * ss + 5;
        }
        assertClose(AdainOps.adain(c, s), expected, 1e-4);
    }

    @Test
    void adainWithBatchAndDifferentSizes() {
        int nb = 2, ch = 3;
        double[] c = random(nb * ch * 12, 2, 1.5, 0.3);
        double[] s = random(nb * ch * 10, 3, 4.0, -1.0);
        INDArray out = AdainOps.adain(arr(c, nb, ch, 3, 4), arr(s, nb, ch, 2, 5));
        assertThat(out.shape()).containsExactly(nb, ch, 3, 4);
        assertClose(out, refAdain(c, nb, ch, 12, s, nb, 10), 1e-4);
    }

    @Test
    void batchOneStyleAppliesToEveryContentSample() {
        double[] c = random(2 * 2 * 6, 4, 1, 0);
        double[] s = random(2 * 9, 5, 3, 2);
        INDArray out = AdainOps.adain(arr(c, 2, 2, 2, 3), arr(s, 1, 2, 3, 3));
        assertClose(out, refAdain(c, 2, 2, 6, s, 1, 9), 1e-4);
    }

    @Test
    void singlePositionMapsAreRejectedNamingTheShape() {
        INDArray one = arr(new double[] {1, 2}, 1, 2, 1, 1);
        INDArray ok = arr(new double[] {1, 2, 3, 4}, 1, 2, 1, 2);
        assertThatThrownBy(() -> AdainOps.std(one)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("[1, 2, 1, 1]");
        assertThatThrownBy(() -> AdainOps.adain(one, ok)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("[1, 2, 1, 1]");
        assertThatThrownBy(() -> AdainOps.adain(ok, one)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("[1, 2, 1, 1]");
    }

    @Test
    void mismatchedChannelsAndRanksAreRejected() {
        INDArray c2 = arr(new double[] {1, 2, 3, 4}, 1, 2, 1, 2);
        INDArray c1 = arr(new double[] {1, 2, 3, 4}, 1, 1, 2, 2);
        assertThatThrownBy(() -> AdainOps.adain(c2, c1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("channels");
        assertThatThrownBy(() -> AdainOps.mean(arr(new double[] {1, 2}, 2, 1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[2, 1]");
    }

    // ------------------------------------------------------------------ transfer

    @Test
    void alphaBlendsAtFeatureLevel() {
        int ch = 2, hw = 6;
        double[] c = random(ch * hw, 6, 1, 0.5);
        double[] s = random(ch * 8, 7, 2, 1);
        INDArray content = arr(c, 1, ch, 2, 3);
        INDArray style = arr(s, 1, ch, 2, 4);
        double[] full = refAdain(c, 1, ch, hw, s, 1, 8);

        INDArray a0 = AdainOps.transfer(content, List.of(style), new double[] {1}, 0.0, null);
        assertThat(a0.data().asFloat()).containsExactly(content.data().asFloat()); // exactly the content
        assertThat(a0).isNotSameAs(content);

        assertClose(AdainOps.transfer(content, List.of(style), new double[] {1}, 1.0, null), full, 1e-4);

        double[] blended = new double[c.length];
        for (int i = 0; i < c.length; i++) {
            blended[i] = 0.6 * full[i] + 0.4 * c[i];
        }
        assertClose(AdainOps.transfer(content, List.of(style), new double[] {1}, 0.6, null), blended, 1e-4);
    }

    @Test
    void weightsInterpolateAdainOutputs() {
        int ch = 3, hw = 12;
        double[] c = random(ch * hw, 8, 1, 0);
        double[] s1 = random(ch * 6, 9, 0.5, 2);
        double[] s2 = random(ch * 20, 10, 3, -1);
        double[] a1 = refAdain(c, 1, ch, hw, s1, 1, 6);
        double[] a2 = refAdain(c, 1, ch, hw, s2, 1, 20);
        double[] expected = new double[c.length];
        for (int i = 0; i < c.length; i++) {
            double mix = 0.25 * a1[i] + 0.75 * a2[i];
            expected[i] = 0.6 * mix + 0.4 * c[i];
        }
        INDArray out = AdainOps.transfer(arr(c, 1, ch, 3, 4), List.of(arr(s1, 1, ch, 2, 3), arr(s2, 1, ch, 4, 5)),
                new double[] {0.25, 0.75}, 0.6, null);
        assertClose(out, expected, 1e-4);
    }

    @Test
    void regionsUseRegionContentStatsAndWholeStyleStats() {
        int ch = 2, h = 3, w = 4, hw = h * w;
        double[] c = random(ch * hw, 11, 1.2, 0.2);
        double[] s0 = random(ch * 6, 12, 2, 3);
        double[] s1 = random(ch * 9, 13, 0.7, -2);
        int[] regions = {0, 0, 1, 1, 0, 1, 1, 1, 0, 0, 0, 1};
        double alpha = 0.6;
        double[] expected = new double[c.length];
        for (int r = 0; r < 2; r++) {
            boolean[] sel = new boolean[hw];
            for (int p = 0; p < hw; p++) {
                sel[p] = regions[p] == r;
            }
            double[] s = r == 0 ? s0 : s1;
            int shw = r == 0 ? 6 : 9;
            for (int k = 0; k < ch; k++) {
                double cm = refMean(c, k, ch, 0, hw, sel), cs = refStd(c, k, ch, 0, hw, sel);
                double sm = refMean(s, k, ch, 0, shw, null), ss = refStd(s, k, ch, 0, shw, null);
                for (int p = 0; p < hw; p++) {
                    if (sel[p]) {
                        int i = k * hw + p;
                        expected[i] = alpha * ((c[i] - cm) / cs * ss + sm) + (1 - alpha) * c[i];
                    }
                }
            }
        }
        INDArray out = AdainOps.transfer(arr(c, 1, ch, h, w), List.of(arr(s0, 1, ch, 2, 3), arr(s1, 1, ch, 3, 3)),
                new double[] {0.5, 0.5}, alpha, regions);
        assertClose(out, expected, 1e-4);
    }

    @Test
    void regionsWithAnUnusedStyleAndAlphaOne() {
        double[] c = {1, 2, 3, 4, 10, 20};
        double[] s = {0, 10, 0, 10, 0, 10};
        // Style 1 is unused: everything is region 0, i.e. plain AdaIN with style 0.
        INDArray out = AdainOps.transfer(arr(c, 1, 1, 2, 3), List.of(arr(s, 1, 1, 2, 3), arr(c, 1, 1, 2, 3)),
                new double[] {1, 0}, 1.0, new int[] {0, 0, 0, 0, 0, 0});
        assertClose(out, refAdain(c, 1, 1, 6, s, 1, 6), 1e-4);
    }

    @Test
    void badRegionsAreRejected() {
        INDArray c = arr(random(12, 14, 1, 0), 1, 1, 3, 4);
        List<INDArray> styles = List.of(arr(random(4, 15, 1, 0), 1, 1, 2, 2), arr(random(4, 16, 1, 0), 1, 1, 2, 2));
        double[] w = {0.5, 0.5};
        int[] single = {0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0};
        assertThatThrownBy(() -> AdainOps.transfer(c, styles, w, 1, single))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("single position")
                .hasMessageContaining("[1, 1, 3, 4]");
        assertThatThrownBy(() -> AdainOps.transfer(c, styles, w, 1, new int[11]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("11");
        int[] outOfRange = new int[12];
        outOfRange[3] = 2;
        assertThatThrownBy(() -> AdainOps.transfer(c, styles, w, 1, outOfRange))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("regions[3] = 2");
    }

    @Test
    void badPlansAreRejected() {
        INDArray c = arr(random(12, 17, 1, 0), 1, 1, 3, 4);
        INDArray s = arr(random(4, 18, 1, 0), 1, 1, 2, 2);
        assertThatThrownBy(() -> AdainOps.transfer(c, List.of(), new double[0], 1, null))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AdainOps.transfer(c, List.of(s), new double[] {0.5, 0.5}, 1, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("weights");
        assertThatThrownBy(() -> AdainOps.transfer(c, List.of(s), new double[] {1}, 1.5, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("alpha");
        INDArray one = arr(new double[] {1}, 1, 1, 1, 1);
        assertThatThrownBy(() -> AdainOps.transfer(one, List.of(s), new double[] {1}, 1, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[1, 1, 1, 1]");
    }
}
