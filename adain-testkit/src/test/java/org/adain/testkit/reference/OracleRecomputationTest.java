package org.adain.testkit.reference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.adain.spi.DecoderWeights;
import org.adain.spi.EncoderWeights;
import org.adain.testkit.reference.MiniNet.Conv;
import org.adain.testkit.reference.MiniNet.T;
import org.adain.testkit.reference.MiniNet.Terms;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Recomputes the oracle's numbers with {@link MiniNet} (naive float64 Java) from the {@code .npy} weights and
 * the inputs: agreement to ~1e-12 shows the weights, their layout and order, and the documented formulas are
 * what the expected arrays were computed with.
 */
class OracleRecomputationTest {

    private static final double CLOSE = 1e-10;

    private static ReferenceCases refs;
    private static EncoderWeights normalised;
    private static DecoderWeights decoder;

    @BeforeAll
    static void load() {
        refs = ReferenceCases.load();
        normalised = ReferenceWeights.encoder("normalised");
        decoder = ReferenceWeights.decoder("decoder");
    }

    private static void assertClose(Npy.Array actual, Npy.Array expected, String what) {
        assertThat(actual.shape()).as(what + " shape").containsExactly(expected.shape());
        assertThat(actual.maxAbsDiff(expected)).as(what).isLessThanOrEqualTo(CLOSE * (1 + expected.maxAbs()));
    }

    private static Npy.Array column(double[] v, int n, int c) {
        return new Npy.Array(new int[] {n, c, 1, 1}, v.clone());
    }

    // ---- the weights reproduce the existing cases -----------------------------------------------

    @Test
    void normalisedWeightsReproduceTheFeatures() {
        ReferenceCase c = refs.get("features_48x64");
        Map<String, T> taps = MiniNet.encode(T.of(ReferenceCases.imageTensor(c.content())), normalised);
        for (String tap : EncoderWeights.TAP_NAMES) {
            assertClose(taps.get(tap).array(), c.load(tap), tap);
        }
    }

    @Test
    void decoderWeightsReproduceDecoderOnly() {
        ReferenceCase c = refs.get("decoder_only");
        T out = MiniNet.decode(T.of(c.inputArray("features")), MiniNet.decoderConvs(decoder));
        assertClose(out.array(), c.load("output"), "decoder_only");
    }

    @Test
    void kerasAppsWeightsReproduceTheKerasAppsTarget() {
        ReferenceCase c = refs.get("keras_apps_45x70");
        EncoderWeights e = ReferenceWeights.encoder("keras_apps");
        T fc = MiniNet.encode(MiniNet.padTo8(T.of(ReferenceCases.imageTensor(c.content()))), e).get("relu4_1");
        T fs = MiniNet.encode(MiniNet.padTo8(T.of(ReferenceCases.imageTensor(c.styles().get(0)))), e).get("relu4_1");
        assertClose(MiniNet.adain(fc, fs).array(), c.load("target"), "keras_apps target");
    }

    // ---- statistics and AdaIN -------------------------------------------------------------------

    @Test
    void statisticsAreUnbiasedPlusEpsInsideTheSqrt() {
        for (ReferenceCase c : refs.ofKind(ReferenceCase.Kind.STATISTICS, org.adain.Semantics.PYTORCH_PORT)) {
            T x = T.of(c.inputArray("features"));
            double[][] ms = MiniNet.meanStd(x, true);
            if (c.expectError()) {
                assertThat(x.h() * x.w()).isEqualTo(1);
                assertThat(Arrays.stream(ms[1]).allMatch(Double::isNaN)).isTrue();           // what the port returns: 0/0
                continue;
            }
            assertClose(column(ms[0], x.n(), x.c()), c.load("mean"), c.name() + " mean");
            assertClose(column(ms[1], x.n(), x.c()), c.load("std"), c.name() + " std");
            // the case tells the biased variance apart
            double[][] biased = MiniNet.meanStd(x, false);
            assertThat(column(biased[1], x.n(), x.c()).maxAbsDiff(c.load("std")))
                    .isGreaterThan(10 * c.expected("std").tolerance());
        }
        ReferenceCase k = refs.get("stats_constant_channel");
        Npy.Array std = k.load("std");
        assertThat(std.get(0, 1, 0, 0)).isCloseTo(Math.sqrt(1e-5), within(1e-15));
        assertThat(std.get(1, 2, 0, 0)).isCloseTo(Math.sqrt(1e-5), within(1e-15));
        assertThat(std.get(0, 2, 0, 0)).isGreaterThan(0.1);
    }

    /** Per (n, c) mean and sqrt(biased variance + eps): Torch7's statistics (std(3, true) with eps 0). */
    private static double[][] torch7MeanStd(T x, double eps) {
        int l = x.h() * x.w();
        double[][] r = new double[2][x.n() * x.c()];
        for (int k = 0; k < r[0].length; k++) {
            double s = 0;
            for (int i = 0; i < l; i++) {
                s += x.d()[k * l + i];
            }
            double m = s / l;
            double q = 0;
            for (int i = 0; i < l; i++) {
                q += (x.d()[k * l + i] - m) * (x.d()[k * l + i] - m);
            }
            r[0][k] = m;
            r[1][k] = Math.sqrt(q / l + eps);
        }
        return r;
    }

    @Test
    void torch7StatisticsAndAdainAreTheLuaFormulas() {
        for (ReferenceCase c : refs.ofKind(ReferenceCase.Kind.STATISTICS, org.adain.Semantics.TORCH7)) {
            T x = T.of(c.inputArray("features"));
            double[][] ms = torch7MeanStd(x, 0);
            assertClose(column(ms[0], x.n(), x.c()), c.load("mean"), c.name() + " mean");
            assertClose(column(ms[1], x.n(), x.c()), c.load("std"), c.name() + " std");
        }
        assertThat(refs.get("torch7_stats").load("std").get(0, 1, 0, 0)).isZero();   // a constant channel: 0, no eps
        for (ReferenceCase c : refs.ofKind(ReferenceCase.Kind.ADAIN, org.adain.Semantics.TORCH7)) {
            T xc = T.of(c.inputArray("content_features"));
            T xs = T.of(c.inputArray("style_features"));
            T out = MiniNet.adainWith(xc, torch7MeanStd(xc, 1e-5), torch7MeanStd(xs, 0));
            assertClose(out.array(), c.load("output"), c.name());
            assertThat(Arrays.stream(c.load("output").data()).allMatch(Double::isFinite)).isTrue();
            if (xc.h() * xc.w() > 1 && xs.h() * xs.w() > 1) {
                // the port's statistics would be caught
                assertThat(MiniNet.adain(xc, xs).array().maxAbsDiff(c.load("output")))
                        .isGreaterThan(10 * c.output().tolerance());
            }
        }
    }

    @Test
    void adainUsesPerSampleStatistics() {
        for (ReferenceCase c : refs.ofKind(ReferenceCase.Kind.ADAIN, org.adain.Semantics.PYTORCH_PORT)) {
            T xc = T.of(c.inputArray("content_features"));
            T xs = T.of(c.inputArray("style_features"));
            if (c.expectError()) {
                assertThat(xs.h() * xs.w()).isEqualTo(1);
                assertThat(Arrays.stream(MiniNet.adain(xc, xs).d()).allMatch(Double::isNaN)).isTrue();
                continue;
            }
            assertThat(xc.h() * xc.w()).isNotEqualTo(xs.h() * xs.w());   // unbiased factors do not cancel
            double[][] cs = MiniNet.meanStd(xc, true);
            double[][] ss = MiniNet.meanStd(xs, true);
            assertClose(MiniNet.adain(xc, xs).array(), c.load("output"), c.name());
            assertClose(column(cs[0], xc.n(), xc.c()), c.load("content_mean"), c.name());
            assertClose(column(cs[1], xc.n(), xc.c()), c.load("content_std"), c.name());
            assertClose(column(ss[0], xs.n(), xs.c()), c.load("style_mean"), c.name());
            assertClose(column(ss[1], xs.n(), xs.c()), c.load("style_std"), c.name());
            // biased statistics would be caught
            T biased = MiniNet.adainWith(xc, MiniNet.meanStd(xc, false), MiniNet.meanStd(xs, false));
            assertThat(biased.array().maxAbsDiff(c.load("output"))).isGreaterThan(10 * c.output().tolerance());
        }
        // batch 2: statistics pooled over the batch would be caught
        ReferenceCase b = refs.get("adain_batch2");
        T xc = T.of(b.inputArray("content_features"));
        T xs = T.of(b.inputArray("style_features"));
        T pooled = MiniNet.adain(new T(1, xc.c(), xc.h(), 2 * xc.w(), interleave(xc)),
                new T(1, xs.c(), xs.h(), 2 * xs.w(), interleave(xs)));
        assertThat(pooled.d().length).isEqualTo(xc.d().length);
        assertThat(maxDiff(deinterleave(pooled, xc), b.load("output").data()))
                .isGreaterThan(10 * b.output().tolerance());
    }

    /** Puts the two samples side by side along W (one sample of width 2W): statistics then pool the batch. */
    private static double[] interleave(T x) {
        double[] out = new double[x.d().length];
        for (int n = 0; n < 2; n++) {
            for (int c = 0; c < x.c(); c++) {
                for (int r = 0; r < x.h(); r++) {
                    for (int s = 0; s < x.w(); s++) {
                        out[(c * x.h() + r) * 2 * x.w() + n * x.w() + s] = x.d()[x.at(n, c, r, s)];
                    }
                }
            }
        }
        return out;
    }

    private static double[] deinterleave(T y, T like) {
        double[] out = new double[like.d().length];
        for (int n = 0; n < 2; n++) {
            for (int c = 0; c < like.c(); c++) {
                for (int r = 0; r < like.h(); r++) {
                    for (int s = 0; s < like.w(); s++) {
                        out[like.at(n, c, r, s)] = y.d()[(c * like.h() + r) * 2 * like.w() + n * like.w() + s];
                    }
                }
            }
        }
        return out;
    }

    private static double maxDiff(double[] a, double[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }

    // ---- training -------------------------------------------------------------------------------

    @Test
    void lossesFollowLossTerms() {
        ReferenceCase c = refs.get("losses");
        assertThat(c.contentWeight()).isEqualTo(1.0);
        assertThat(c.styleWeight()).isEqualTo(10.0);
        Terms t = MiniNet.terms(c.encoderWeights(), MiniNet.decoderConvs(c.decoderWeights()), T.of(c.contentBatch()),
                T.of(c.styleBatch()));
        assertClose(t.target().array(), c.load("target"), "target");
        assertClose(t.decoded().array(), c.load("decoded"), "decoded");
        assertThat(t.content()).isCloseTo(c.scalar("content"), within(1e-12));
        Npy.Array style = c.load("style_layers");
        assertThat(style.shape()).containsExactly(4);
        for (int k = 0; k < 4; k++) {
            assertThat(t.style()[k]).as("style " + k).isCloseTo(style.data()[k], within(1e-12));
        }
        assertThat(t.total(1, 10)).isCloseTo(c.scalar("total"), within(1e-11));
        // every term matters at the stored tolerance
        assertThat(c.scalar("content")).isGreaterThan(10 * c.expected("content").tolerance());
        assertThat(Arrays.stream(style.data()).min().orElseThrow()).isGreaterThan(10 * c.expected("style_layers").tolerance());
    }

    @Test
    void gradientsAgreeWithFiniteDifferences() {
        ReferenceCase c = refs.get("gradients");
        ReferenceCase l = refs.get("losses");
        assertThat(c.scalar("loss")).isEqualTo(l.scalar("total"));
        assertThat(c.decoderConvs()).containsExactly(0, 8);
        T contents = T.of(c.contentBatch());
        T styles = T.of(c.styleBatch());
        EncoderWeights enc = c.encoderWeights();
        double h = 1e-5;
        // all of conv8's bias, and the largest and a zero entry of conv0's bias
        Npy.Array g0 = c.load("grad_conv0_bias");
        int big = 0;
        int zero = -1;
        for (int i = 0; i < g0.size(); i++) {
            big = Math.abs(g0.data()[i]) > Math.abs(g0.data()[big]) ? i : big;
            zero = g0.data()[i] == 0.0 ? i : zero;
        }
        int[][] probes = {{8, 0}, {8, 1}, {8, 2}, {0, big}, {0, zero < 0 ? 0 : zero}};
        for (int[] p : probes) {
            double[] v = new double[2];
            for (int sgn = 0; sgn < 2; sgn++) {
                List<Conv> dec = MiniNet.decoderConvs(c.decoderWeights());
                dec.get(p[0]).bias()[p[1]] += sgn == 0 ? h : -h;
                v[sgn] = MiniNet.terms(enc, dec, contents, styles).total(c.contentWeight(), c.styleWeight());
            }
            double fd = (v[0] - v[1]) / (2 * h);
            double want = c.load("grad_conv" + p[0] + "_bias").data()[p[1]];
            assertThat(fd).as("d total / d conv%d.bias[%d]", p[0], p[1])
                    .isCloseTo(want, within(1e-6 * (1 + Math.abs(want))));
        }
        assertThat(c.load("grad_conv8_bias").maxAbs()).isGreaterThan(1);
    }

    @Test
    void adamStepsAreBoundedByTheLearningRates() {
        double total = refs.get("losses").scalar("total");
        for (ReferenceCase c : refs.ofKind(ReferenceCase.Kind.ADAM, org.adain.Semantics.PYTORCH_PORT)) {
            double lr0 = c.learningRate();
            double lr1 = c.learningRate() / (1 + c.learningRateDecay());
            assertThat(ReferenceCases.doubleList(c.parameters().get("lr_per_step"), "lr_per_step"))
                    .containsExactly(lr0, lr1);
            Npy.Array losses = c.load("losses");
            assertThat(losses.shape()).containsExactly(2);
            assertThat(losses.data()[0]).isEqualTo(total);
            assertThat(losses.data()[1]).isLessThan(losses.data()[0] - 10 * c.expected("losses").tolerance());
            assertThat(c.scalar("loss_after")).isLessThan(losses.data()[1]);
            // |step 1| <= lr0 (m/sqrt(v) = sign(g)); |step 2| <= lr1 * 1.0014 (Cauchy-Schwarz on the bias-corrected
            // moments of two gradients with betas 0.9 / 0.999)
            double bound = lr0 + 1.0014 * lr1 + 1e-15;
            int moved = 0;
            int count = 0;
            DecoderWeights init = c.decoderWeights();
            for (int k : c.decoderConvs()) {
                for (String part : List.of("kernel", "bias")) {
                    Npy.Array before = part.equals("kernel") ? ReferenceWeights.kernel(init.convs().get(k))
                            : ReferenceWeights.bias(init.convs().get(k));
                    ExpectedArray e = c.expected("conv" + k + "_" + part);
                    Npy.Array after = e.load();
                    assertThat(after.maxAbsDiff(before)).as(e.name()).isLessThanOrEqualTo(bound)
                            .isGreaterThan(0.9 * lr0);
                    for (int i = 0; i < after.size(); i++) {
                        double d = Math.abs(after.data()[i] - before.data()[i]);
                        moved += d > e.tolerance() ? 1 : 0;
                        count++;
                    }
                }
            }
            assertThat(moved).as(c.name() + " weights moved beyond tolerance").isGreaterThan(count / 2)
                    .isEqualTo(c.intParameter("weights_changed_beyond_tolerance"));
            assertThat(count).isEqualTo(c.intParameter("weights_total"));
        }
        assertThat(refs.get("adam").decoderConvs()).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8);
        assertThat(refs.get("adam").learningRate()).isEqualTo(1e-4);
        assertThat(refs.get("adam").learningRateDecay()).isEqualTo(5e-5);
    }
}
