package org.adain.dl4j.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Locale;
import org.adain.dl4j.Dl4jBackendProvider;
import org.adain.dl4j.TestNets;
import org.adain.spi.DecoderTraining;
import org.adain.spi.DecoderWeights;
import org.adain.spi.EncoderKind;
import org.adain.spi.EncoderWeights;
import org.adain.spi.LossTerms;
import org.adain.spi.StyleModel;
import org.adain.spi.Tensor;
import org.adain.spi.TrainingConfig;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Gradients of the training graph against central finite differences of the loss computed in double precision
 * by the plain-Java reference network ({@link TestNets}), on a tiny model (3/4/5/6 channels) for both encoder
 * flavours, with content and style images of different sizes that are not multiples of 8 (ceil pooling and the
 * Keras padding in the target half). Each finite difference is taken with two step sizes that must agree (no ReLU
 * kink inside the step), then compared with the graph's float32 gradient.
 */
class TrainingGradientTest {
    private static final int A = 4, B = 5, C = 6, D = 8;
    private static final double CONTENT_WEIGHT = 1.0, STYLE_WEIGHT = 10.0;

    @ParameterizedTest
    @EnumSource(EncoderKind.class)
    void gradientsMatchFiniteDifferences(EncoderKind kind) {
        EncoderWeights e = TrainFixtures.tame(TestNets.encoder(kind, A, B, C, D, 31));
        DecoderWeights d = TestNets.decoder(A, B, C, D, 32);
        Tensor contents = TrainFixtures.images(2, 20, 18, 33);
        Tensor styles = TrainFixtures.images(2, 17, 24, 34);
        TrainFixtures.Objective objective = new TrainFixtures.Objective(e, TrainFixtures.toDouble(contents),
                TrainFixtures.toDouble(styles), CONTENT_WEIGHT, STYLE_WEIGHT);
        Dl4jBackendProvider provider = new Dl4jBackendProvider();
        TrainingConfig cfg = TrainingConfig.portDefaults().withContentWeight(CONTENT_WEIGHT)
                .withStyleWeight(STYLE_WEIGHT);
        List<Tensor[]> grads;
        LossTerms stepLosses;
        try (DecoderTraining t = provider.train(e, d, cfg)) {
            grads = t.gradients(contents, styles);
            stepLosses = t.step(contents, styles);
        }
        // forward values: graph vs double reference vs the inference model's losses
        double reference = objective.loss(d);
        double graph = stepLosses.total(CONTENT_WEIGHT, STYLE_WEIGHT);
        try (StyleModel m = provider.load(e, d)) {
            LossTerms eager = m.losses(contents, styles);
            System.out.printf(Locale.ROOT, "fd %-24s loss: graph %.9g, eager %.9g, double reference %.9g%n", kind,
                    graph, eager.total(CONTENT_WEIGHT, STYLE_WEIGHT), reference);
            assertThat(Math.abs(eager.total(CONTENT_WEIGHT, STYLE_WEIGHT) - graph)).isLessThanOrEqualTo(
                    1e-5 * Math.abs(reference));
        }
        assertThat(Math.abs(graph - reference)).isLessThanOrEqualTo(1e-4 * Math.abs(reference));

        java.util.Random rnd = new java.util.Random(35);
        int checked = 0;
        int kinks = 0;
        for (int conv : new int[] {0, 4, 8}) {
            Tensor kernel = grads.get(conv)[0];
            Tensor bias = grads.get(conv)[1];
            assertThat(kernel.shape()).containsExactly(d.convs().get(conv).outChannels(),
                    d.convs().get(conv).inChannels(), 3, 3);
            double kernelScale = maxAbs(kernel);
            double biasScale = maxAbs(bias);
            // the largest gradient, two random non-zero ones and one random one (zero or not)
            int[] picks = {argMaxAbs(kernel), randomNonZero(kernel, rnd), randomNonZero(kernel, rnd),
                rnd.nextInt(kernel.size())};
            for (int index : picks) {
                if (check(kind, objective, d, conv, false, index, kernel.getFlat(index), kernelScale)) {
                    checked++;
                } else {
                    kinks++;
                }
            }
            int b = argMaxAbs(bias);
            if (check(kind, objective, d, conv, true, b, bias.getFlat(b), biasScale)) {
                checked++;
            } else {
                kinks++;
            }
            assertThat(kernelScale).as("conv %d has a non-zero gradient", conv).isGreaterThan(0);
        }
        assertThat(checked + kinks).isEqualTo(15);
        assertThat(checked).as("weights checked (the others sit on a ReLU kink)").isGreaterThanOrEqualTo(12);
    }

    /**
     * Compares with a central difference whose two step sizes (h, h/2) agree, trying smaller h at a ReLU kink.
     *
     * @return false when every step size straddles a kink (nothing compared)
     */
    private static boolean check(EncoderKind kind, TrainFixtures.Objective objective, DecoderWeights d, int conv,
            boolean bias, int index, double got, double scale) {
        String what = String.format(Locale.ROOT, "fd %-24s conv %d %-6s %4d", kind, conv, bias ? "bias" : "kernel",
                index);
        for (double h : new double[] {2e-4, 5e-5, 1.25e-5}) {
            double fd1 = centralDifference(objective, d, conv, bias, index, h);
            double fd2 = centralDifference(objective, d, conv, bias, index, h / 2);
            if (Math.abs(fd1 - fd2) > 1e-4 * scale + 1e-4 * Math.abs(fd2)) {
                System.out.printf(Locale.ROOT, "%s: h %.2e and h/2 disagree (%+.7e vs %+.7e), a ReLU kink%n", what, h,
                        fd1, fd2);
                continue;
            }
            double err = Math.abs(got - fd2);
            double tol = 5e-6 * scale + 5e-5 * Math.abs(fd2);
            System.out.printf(Locale.ROOT, "%s: graph %+.7e  fd %+.7e (h %.2e)  |err| %.2e (%.1f%% of tolerance)%n",
                    what, got, fd2, h / 2, err, 100 * err / tol);
            assertThat(err).as(what).isLessThanOrEqualTo(tol);
            return true;
        }
        return false;
    }

    /** (L(w + h₊) − L(w − h₋)) / (h₊ + h₋) with the float32 steps actually taken. */
    private static double centralDifference(TrainFixtures.Objective objective, DecoderWeights d, int conv,
            boolean bias, int index, double h) {
        float w = TrainFixtures.value(d, conv, bias, index);
        float up = (float) (w + h);
        float down = (float) (w - h);
        double lu = objective.loss(TrainFixtures.with(d, conv, bias, index, up));
        double ld = objective.loss(TrainFixtures.with(d, conv, bias, index, down));
        return (lu - ld) / ((double) up - (double) down);
    }

    private static int argMaxAbs(Tensor t) {
        int best = 0;
        for (int i = 1; i < t.size(); i++) {
            if (Math.abs(t.getFlat(i)) > Math.abs(t.getFlat(best))) {
                best = i;
            }
        }
        return best;
    }

    private static int randomNonZero(Tensor t, java.util.Random rnd) {
        for (int attempt = 0; attempt < 1000; attempt++) {
            int i = rnd.nextInt(t.size());
            if (t.getFlat(i) != 0) {
                return i;
            }
        }
        return argMaxAbs(t);
    }

    private static double maxAbs(Tensor t) {
        double m = 0;
        for (int i = 0; i < t.size(); i++) {
            m = Math.max(m, Math.abs(t.getFlat(i)));
        }
        return m;
    }
}
