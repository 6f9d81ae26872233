package org.adain.dl4j.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Locale;
import org.adain.dl4j.Dl4jBackendProvider;
import org.adain.spi.DecoderTraining;
import org.adain.spi.DecoderWeights;
import org.adain.spi.EncoderWeights;
import org.adain.spi.LossTerms;
import org.adain.spi.StyleModel;
import org.adain.spi.Tensor;
import org.adain.spi.TrainingConfig;
import org.adain.testkit.reference.ExpectedArray;
import org.adain.testkit.reference.Npy;
import org.adain.testkit.reference.ReferenceCase;
import org.adain.testkit.reference.ReferenceCases;
import org.adain.testkit.reference.ReferenceWeights;
import org.junit.jupiter.api.Test;

/**
 * Training against the float64 PyTorch oracle (adain-testkit reference cases of kinds LOSSES, GRADIENTS, ADAM): a
 * fixed batch of 2 pairs at 64×64, the small model (8/12/16/24 channels), normalised encoder. Each comparison is
 * printed with its error and the case's tolerance.
 */
class TrainingOracleParityTest {
    private static final Dl4jBackendProvider PROVIDER = new Dl4jBackendProvider();

    @Test
    void lossTermsMatchTheOracle() {
        ReferenceCase c = ReferenceCases.load().get("losses");
        Tensor contents = tensor(c.contentBatch());
        Tensor styles = tensor(c.styleBatch());
        LossTerms got;
        try (DecoderTraining t = PROVIDER.train(c.encoderWeights(), c.decoderWeights(), config(c, 1e-4, 5e-5))) {
            got = t.step(contents, styles);
        }
        close(c, "content", new double[] {got.content()});
        close(c, "style_layers", got.styleLayers());
        close(c, "total", new double[] {got.total(c.contentWeight(), c.styleWeight())});
        // The forward-only losses of the inference model agree with the training graph's.
        try (StyleModel m = PROVIDER.load(c.encoderWeights(), c.decoderWeights())) {
            LossTerms eager = m.losses(contents, styles);
            report("losses", "inference model vs training content", Math.abs(eager.content() - got.content()), 1e-6);
            assertThat(eager.content()).isCloseTo(got.content(), org.assertj.core.data.Offset.offset(1e-6));
            for (int i = 0; i < 4; i++) {
                double d = Math.abs(eager.styleLayers()[i] - got.styleLayers()[i]);
                report("losses", "inference model vs training style " + i, d, 1e-6);
                assertThat(d).isLessThanOrEqualTo(1e-6);
            }
        }
    }

    @Test
    void gradientsMatchTheOracle() {
        ReferenceCase c = ReferenceCases.load().get("gradients");
        Tensor contents = tensor(c.contentBatch());
        Tensor styles = tensor(c.styleBatch());
        try (DecoderTraining t = PROVIDER.train(c.encoderWeights(), c.decoderWeights(), config(c, 1e-4, 5e-5))) {
            List<Tensor[]> g = t.gradients(contents, styles);
            assertThat(g).hasSize(DecoderWeights.CONV_COUNT);
            for (int i : c.decoderConvs()) {
                close(c, "grad_conv" + i + "_kernel", g.get(i)[0]);
                close(c, "grad_conv" + i + "_bias", g.get(i)[1]);
            }
            assertThat(t.iteration()).isZero();
            // gradients() changes nothing
            assertThat(weightsEqual(t.weights(), c.decoderWeights())).isTrue();
        }
    }

    @Test
    void twoAdamStepsMatchTheOracle() {
        for (String name : List.of("adam", "adam_lr_decay")) {
            ReferenceCase c = ReferenceCases.load().get(name);
            Tensor contents = tensor(c.contentBatch());
            Tensor styles = tensor(c.styleBatch());
            EncoderWeights enc = c.encoderWeights();
            TrainingConfig cfg = new TrainingConfig(c.learningRate(), c.learningRateDecay(), c.contentWeight(),
                    c.styleWeight(), c.doubleParameter("beta1"), c.doubleParameter("beta2"),
                    c.doubleParameter("adam_eps"));
            int steps = c.intParameter("steps");
            double[] losses = new double[steps];
            DecoderWeights after;
            try (DecoderTraining t = PROVIDER.train(enc, c.decoderWeights(), cfg)) {
                for (int i = 0; i < steps; i++) {
                    losses[i] = t.step(contents, styles).total(c.contentWeight(), c.styleWeight());
                }
                assertThat(t.iteration()).isEqualTo(steps);
                after = t.weights();
            }
            close(c, "losses", losses);
            try (StyleModel m = PROVIDER.load(enc, after)) {
                close(c, "loss_after", new double[] {m.losses(contents, styles).total(c.contentWeight(),
                        c.styleWeight())});
            }
            for (int i : c.decoderConvs()) {
                close(c, "conv" + i + "_kernel", ReferenceWeights.kernel(after.convs().get(i)));
                close(c, "conv" + i + "_bias", ReferenceWeights.bias(after.convs().get(i)));
            }
        }
    }

    // ---------------------------------------------------------------- helpers

    static TrainingConfig config(ReferenceCase c, double lr, double decay) {
        return new TrainingConfig(lr, decay, c.contentWeight(), c.styleWeight(), 0.9, 0.999, 1e-8);
    }

    static Tensor tensor(Npy.Array a) {
        float[] f = new float[a.size()];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) a.data()[i];
        }
        return Tensor.wrap(f, a.shape());
    }

    private static void close(ReferenceCase c, String expected, Tensor got) {
        double[] d = new double[got.size()];
        for (int i = 0; i < d.length; i++) {
            d[i] = got.getFlat(i);
        }
        close(c, expected, new Npy.Array(got.shape(), d));
    }

    private static void close(ReferenceCase c, String expected, double[] got) {
        close(c, expected, new Npy.Array(new int[] {got.length}, got));
    }

    private static void close(ReferenceCase c, String expected, Npy.Array got) {
        ExpectedArray e = c.expected(expected);
        Npy.Array want = e.load();
        assertThat(got.shape()).as(c.name() + " " + expected + " shape").containsExactly(want.shape());
        double err = got.maxAbsDiff(want);
        report(c.name(), expected + " (max |x| " + String.format(Locale.ROOT, "%.3g", want.maxAbs()) + ")", err,
                e.tolerance());
        assertThat(err).as(c.name() + " " + expected + " max abs error").isLessThanOrEqualTo(e.tolerance());
    }

    private static void report(String c, String what, double err, double tol) {
        System.out.printf(Locale.ROOT, "parity %-14s %-40s max err %.3e  tolerance %.1e  (%.1f%%)%n", c, what, err,
                tol, 100 * err / tol);
    }

    static boolean weightsEqual(DecoderWeights a, DecoderWeights b) {
        for (int i = 0; i < DecoderWeights.CONV_COUNT; i++) {
            if (!java.util.Arrays.equals(a.convs().get(i).kernelOihw(), b.convs().get(i).kernelOihw())
                    || !java.util.Arrays.equals(a.convs().get(i).bias(), b.convs().get(i).bias())) {
                return false;
            }
        }
        return true;
    }
}
