package org.adain.dl4j.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.adain.InvalidRequestException;
import org.adain.dl4j.Dl4jBackendProvider;
import org.adain.dl4j.TestNets;
import org.adain.spi.DecoderTraining;
import org.adain.spi.DecoderWeights;
import org.adain.spi.EncoderKind;
import org.adain.spi.EncoderWeights;
import org.adain.spi.LossTerms;
import org.adain.spi.Tensor;
import org.adain.spi.TrainingConfig;
import org.adain.spi.TrainingState;
import org.adain.testkit.reference.Npy;
import org.adain.testkit.reference.ReferenceCases;
import org.adain.testkit.reference.ReferenceWeights;
import org.junit.jupiter.api.Test;

/** The training session's life cycle: resuming exactly, learning, input checks. */
class TrainingSessionTest {
    private static final int A = 4, B = 5, C = 6, D = 8;
    private static final Dl4jBackendProvider PROVIDER = new Dl4jBackendProvider();

    private static EncoderWeights encoder() {
        return TestNets.encoder(EncoderKind.NORMALISED_VGG19, A, B, C, D, 41);
    }

    /** A larger learning rate than the port's so that three steps move the weights visibly. */
    private static TrainingConfig config() {
        return TrainingConfig.portDefaults().withLearningRate(1e-3, 0.1);
    }

    @Test
    void stateAndRestoreResumeBitExactly() {
        EncoderWeights e = encoder();
        DecoderWeights d = TestNets.decoder(A, B, C, D, 42);
        List<Tensor> contents = List.of(TrainFixtures.images(2, 24, 24, 1), TrainFixtures.images(2, 24, 24, 2),
                TrainFixtures.images(2, 24, 24, 3));
        List<Tensor> styles = List.of(TrainFixtures.images(2, 16, 24, 4), TrainFixtures.images(2, 16, 24, 5),
                TrainFixtures.images(2, 16, 24, 6));
        TrainingState straight;
        List<LossTerms> straightLosses = new ArrayList<>();
        try (DecoderTraining t = PROVIDER.train(e, d, config())) {
            TrainingState zero = t.state();
            assertThat(zero.iteration()).isZero();
            assertThat(allZero(zero.firstMoments())).isTrue();
            assertThat(allZero(zero.secondMoments())).isTrue();
            for (int i = 0; i < 3; i++) {
                straightLosses.add(t.step(contents.get(i), styles.get(i)));
            }
            straight = t.state();
        }
        TrainingState afterOne;
        try (DecoderTraining t = PROVIDER.train(e, d, config())) {
            assertThat(t.step(contents.get(0), styles.get(0))).isEqualTo(straightLosses.get(0));
            afterOne = t.state();
        }
        assertThat(afterOne.iteration()).isEqualTo(1);
        assertThat(allZero(afterOne.firstMoments())).isFalse();
        // a new session that starts from other weights: restore must replace them, the moments and the iteration
        TrainingState resumed;
        try (DecoderTraining t = PROVIDER.train(e, TestNets.decoder(A, B, C, D, 99), config())) {
            t.restore(afterOne);
            assertThat(t.iteration()).isEqualTo(1);
            assertThat(TrainingOracleParityTest.weightsEqual(t.weights(), afterOne.weights())).isTrue();
            for (int i = 1; i < 3; i++) {
                assertThat(t.step(contents.get(i), styles.get(i))).isEqualTo(straightLosses.get(i));
            }
            resumed = t.state();
        }
        assertThat(resumed.iteration()).isEqualTo(3);
        assertThat(TrainingOracleParityTest.weightsEqual(resumed.weights(), straight.weights()))
                .as("weights after 3 steps vs 1 step + restore + 2 steps").isTrue();
        assertThat(TrainingOracleParityTest.weightsEqual(resumed.weights(), d)).isFalse();
        assertThat(sameMoments(resumed.firstMoments(), straight.firstMoments())).isTrue();
        assertThat(sameMoments(resumed.secondMoments(), straight.secondMoments())).isTrue();
        System.out.println("resume: 3 straight steps and 1 + restore + 2 steps give bit-identical weights and moments");
    }

    @Test
    void lossDecreasesOnAFixedBatch() {
        // the reference model (8/12/16/24 channels) on its two training pairs, downscaled to 32×32
        EncoderWeights e = ReferenceWeights.encoder(ReferenceWeights.NORMALISED);
        DecoderWeights d = ReferenceWeights.decoder(ReferenceWeights.DECODER);
        var c = ReferenceCases.load().get("losses");
        Tensor contents = halve(c.contentBatch());
        Tensor styles = halve(c.styleBatch());
        assertThat(contents.shape()).containsExactly(2, 3, 32, 32);
        int steps = 20;
        double[] total = new double[steps + 1];
        try (DecoderTraining t = PROVIDER.train(e, d, TrainingConfig.portDefaults())) {
            for (int i = 0; i <= steps; i++) {
                LossTerms l = t.step(contents, styles);
                total[i] = l.total(1, 10);
            }
        }
        StringBuilder sb = new StringBuilder("loss over " + steps + " Adam steps (port defaults: lr 1e-4, 32×32, batch 2):");
        for (double v : total) {
            sb.append(String.format(Locale.ROOT, " %.4f", v));
        }
        System.out.println(sb);
        assertThat(total[steps]).as("loss after %d steps vs before", steps).isLessThan(0.1 * total[0]);
        for (int i = 5; i <= steps; i += 5) {
            assertThat(total[i]).as("loss at step %d", i).isLessThan(total[i - 5]);
        }
    }

    @Test
    void gradientsSurviveAChangeOfBatchShape() {
        EncoderWeights e = encoder();
        DecoderWeights d = TestNets.decoder(A, B, C, D, 43);
        Tensor c1 = TrainFixtures.images(2, 16, 16, 7);
        Tensor s1 = TrainFixtures.images(2, 16, 16, 8);
        Tensor c2 = TrainFixtures.images(1, 24, 32, 9);
        Tensor s2 = TrainFixtures.images(1, 20, 20, 10);
        List<Tensor[]> afterSwitch;
        DecoderWeights w1;
        try (DecoderTraining t = PROVIDER.train(e, d, config())) {
            t.step(c1, s1);
            w1 = t.weights();
            afterSwitch = t.gradients(c2, s2);
            assertThat(TrainingOracleParityTest.weightsEqual(t.weights(), w1)).isTrue();
            t.step(c2, s2);
            t.step(c1, s1);
            assertThat(t.iteration()).isEqualTo(3);
        }
        try (DecoderTraining fresh = PROVIDER.train(e, w1, config())) {
            List<Tensor[]> want = fresh.gradients(c2, s2);
            for (int i = 0; i < DecoderWeights.CONV_COUNT; i++) {
                assertThat(afterSwitch.get(i)[0]).isEqualTo(want.get(i)[0]);
                assertThat(afterSwitch.get(i)[1]).isEqualTo(want.get(i)[1]);
            }
        }
    }

    @Test
    void kerasApplicationsEncoderTrains() {
        EncoderWeights e = TrainFixtures.tame(TestNets.encoder(EncoderKind.KERAS_APPLICATIONS_VGG19, A, B, C, D, 44));
        DecoderWeights d = TestNets.decoder(A, B, C, D, 45);
        Tensor contents = TrainFixtures.images(2, 21, 19, 11);
        Tensor styles = TrainFixtures.images(2, 30, 17, 12);
        try (DecoderTraining t = PROVIDER.train(e, d, config())) {
            double first = t.step(contents, styles).total(1, 10);
            double last = first;
            for (int i = 0; i < 5; i++) {
                last = t.step(contents, styles).total(1, 10);
            }
            assertThat(last).isLessThan(first);
        }
    }

    @Test
    void rejectsBadInputsAndStates() {
        EncoderWeights e = encoder();
        DecoderWeights d = TestNets.decoder(A, B, C, D, 46);
        DecoderTraining t = PROVIDER.train(e, d, config());
        try {
            assertThatThrownBy(() -> t.step(TrainFixtures.images(2, 16, 16, 1), TrainFixtures.images(1, 16, 16, 2)))
                    .isInstanceOf(InvalidRequestException.class).hasMessageContaining("2 contents and 1 styles");
            assertThatThrownBy(() -> t.step(TrainFixtures.images(1, 8, 16, 1), TrainFixtures.images(1, 16, 16, 2)))
                    .isInstanceOf(InvalidRequestException.class).hasMessageContaining("at least 9×9");
            float[] nan = new float[3 * 16 * 16];
            nan[5] = Float.NaN;
            assertThatThrownBy(() -> t.gradients(Tensor.wrap(nan, 1, 3, 16, 16), TrainFixtures.images(1, 16, 16, 2)))
                    .isInstanceOf(InvalidRequestException.class).hasMessageContaining("non-finite");
            // a state of another topology
            DecoderWeights other = TestNets.decoder(A, B, C, 7, 47);
            try (DecoderTraining o = PROVIDER.train(TestNets.encoder(EncoderKind.NORMALISED_VGG19, A, B, C, 7, 48),
                    other, config())) {
                TrainingState foreign = o.state();
                assertThatThrownBy(() -> t.restore(foreign)).isInstanceOf(InvalidRequestException.class)
                        .hasMessageContaining("decoder conv 0");
            }
            assertThat(t.iteration()).isZero();
        } finally {
            t.close();
        }
        t.close(); // idempotent
        assertThatThrownBy(() -> t.step(TrainFixtures.images(1, 16, 16, 1), TrainFixtures.images(1, 16, 16, 2)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        assertThatThrownBy(() -> PROVIDER.train(e, TestNets.decoder(A, B, C, 7, 49), config()))
                .isInstanceOf(org.adain.ModelException.class);
    }

    // ---------------------------------------------------------------- helpers

    /** 2×2 box downscaling of a batch (64×64 → 32×32). */
    private static Tensor halve(Npy.Array a) {
        int[] s = a.shape();
        int n = s[0], ch = s[1], h = s[2] / 2, w = s[3] / 2;
        float[] out = new float[n * ch * h * w];
        int k = 0;
        for (int b = 0; b < n; b++) {
            for (int c = 0; c < ch; c++) {
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        double v = a.get(b, c, 2 * y, 2 * x) + a.get(b, c, 2 * y + 1, 2 * x)
                                + a.get(b, c, 2 * y, 2 * x + 1) + a.get(b, c, 2 * y + 1, 2 * x + 1);
                        out[k++] = (float) (v / 4);
                    }
                }
            }
        }
        return Tensor.wrap(out, n, ch, h, w);
    }

    private static boolean allZero(List<Tensor[]> moments) {
        for (Tensor[] pair : moments) {
            for (Tensor t : pair) {
                for (int i = 0; i < t.size(); i++) {
                    if (t.getFlat(i) != 0) {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    private static boolean sameMoments(List<Tensor[]> a, List<Tensor[]> b) {
        for (int i = 0; i < a.size(); i++) {
            if (!Arrays.equals(a.get(i), b.get(i))) {
                return false;
            }
        }
        return true;
    }
}
