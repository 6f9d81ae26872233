package org.adain.dl4j.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.adain.dl4j.TestNets;
import org.adain.spi.DecoderWeights;
import org.adain.spi.EncoderKind;
import org.adain.spi.EncoderWeights;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Whole encoder and decoder: sizes, and values against the double-precision Java reference network. */
class NetworksTest {
    private static final int A = 4, B = 5, C = 6, D = 8;

    @Test
    void normalisedEncoderShapesUseCeilPooling() {
        EncoderWeights ew = TestNets.encoder(EncoderKind.NORMALISED_VGG19, A, B, C, D, 1);
        try (VggEncoder enc = new VggEncoder(ew)) {
            INDArray x = TestNets.toNd4j(TestNets.randomImage(1, 3, 75, 100, 2));
            List<INDArray> taps = enc.encodeTaps(x);
            assertThat(taps).hasSize(4);
            assertThat(taps.get(0).shape()).containsExactly(1, A, 75, 100);
            assertThat(taps.get(1).shape()).containsExactly(1, B, 38, 50);
            assertThat(taps.get(2).shape()).containsExactly(1, C, 19, 25);
            assertThat(taps.get(3).shape()).containsExactly(1, D, 10, 13);
            assertThat(enc.encode(x).shape()).containsExactly(1, D, 10, 13);
        }
    }

    @Test
    void kerasEncoderPadsToMultiplesOfEight() {
        EncoderWeights ew = TestNets.encoder(EncoderKind.KERAS_APPLICATIONS_VGG19, A, B, C, D, 1);
        try (VggEncoder enc = new VggEncoder(ew)) {
            INDArray x = TestNets.toNd4j(TestNets.randomImage(1, 3, 75, 100, 2));
            List<INDArray> taps = enc.encodeTaps(x);
            assertThat(taps.get(0).shape()).containsExactly(1, A, 80, 104);
            assertThat(taps.get(1).shape()).containsExactly(1, B, 40, 52);
            assertThat(taps.get(2).shape()).containsExactly(1, C, 20, 26);
            assertThat(taps.get(3).shape()).containsExactly(1, D, 10, 13);
        }
    }

    @Test
    void decoderOutputIsEightTimesTheFeatures() {
        DecoderWeights dw = TestNets.decoder(A, B, C, D, 3);
        try (AdainDecoder dec = new AdainDecoder(dw)) {
            INDArray f = TestNets.toNd4j(TestNets.randomImage(1, D, 10, 13, 4));
            assertThat(dec.decode(f).shape()).containsExactly(1, 3, 80, 104); // 8·ceil(75/8) × 8·ceil(100/8)
        }
    }

    @Test
    void normalisedEncoderMatchesTheReference() {
        compareEncoder(EncoderKind.NORMALISED_VGG19, 2, 13, 18);
    }

    @Test
    void kerasEncoderMatchesTheReference() {
        compareEncoder(EncoderKind.KERAS_APPLICATIONS_VGG19, 1, 11, 17);
    }

    private static void compareEncoder(EncoderKind kind, int n, int h, int w) {
        EncoderWeights ew = TestNets.encoder(kind, A, B, C, D, 7);
        double[][][][] img = TestNets.randomImage(n, 3, h, w, 8);
        List<double[][][][]> ref = TestNets.encoderTaps(ew, img);
        try (VggEncoder enc = new VggEncoder(ew)) {
            List<INDArray> taps = enc.encodeTaps(TestNets.toNd4j(img));
            for (int i = 0; i < 4; i++) {
                double[][][][] got = TestNets.fromNd4j(taps.get(i));
                double scale = Math.max(1, TestNets.maxAbs(ref.get(i)));
                assertThat(TestNets.shape(got)).isEqualTo(TestNets.shape(ref.get(i)));
                assertThat(TestNets.maxAbsDiff(got, ref.get(i)) / scale)
                        .as("%s %s relative error", kind, EncoderWeights.TAP_NAMES.get(i)).isLessThan(1e-5);
            }
        }
    }

    @Test
    void decoderMatchesTheReference() {
        DecoderWeights dw = TestNets.decoder(A, B, C, D, 9);
        double[][][][] f = TestNets.randomImage(2, D, 3, 2, 10);
        double[][][][] ref = TestNets.decode(dw, f);
        try (AdainDecoder dec = new AdainDecoder(dw)) {
            double[][][][] got = TestNets.fromNd4j(dec.decode(TestNets.toNd4j(f)));
            assertThat(TestNets.shape(got)).isEqualTo("[2, 3, 24, 16]");
            assertThat(TestNets.maxAbsDiff(got, ref) / Math.max(1, TestNets.maxAbs(ref))).isLessThan(1e-5);
        }
    }

    @Test
    void inputsAreValidated() {
        EncoderWeights ew = TestNets.encoder(EncoderKind.NORMALISED_VGG19, A, B, C, D, 1);
        try (VggEncoder enc = new VggEncoder(ew); AdainDecoder dec = new AdainDecoder(TestNets.decoder(A, B, C, D, 2))) {
            assertThatThrownBy(() -> enc.encode(TestNets.toNd4j(TestNets.randomImage(1, 3, 8, 20, 1))))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[1, 3, 8, 20]");
            assertThatThrownBy(() -> enc.encode(TestNets.toNd4j(TestNets.randomImage(1, 4, 20, 20, 1))))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[1, 4, 20, 20]");
            assertThatThrownBy(() -> dec.decode(TestNets.toNd4j(TestNets.randomImage(1, D, 1, 5, 1))))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[1, 8, 1, 5]");
            assertThatThrownBy(() -> dec.decode(TestNets.toNd4j(TestNets.randomImage(1, D + 1, 4, 5, 1))))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[1, 9, 4, 5]");
        }
    }

    @Test
    void encodingDoesNotModifyTheInput() {
        EncoderWeights ew = TestNets.encoder(EncoderKind.KERAS_APPLICATIONS_VGG19, A, B, C, D, 1);
        double[][][][] img = TestNets.randomImage(1, 3, 16, 16, 5); // already a multiple of 8: no padding copy
        INDArray x = TestNets.toNd4j(img);
        try (VggEncoder enc = new VggEncoder(ew)) {
            enc.encode(x);
        }
        assertThat(TestNets.maxAbsDiff(TestNets.fromNd4j(x), TestNets.asFloat32(img))).isZero();
    }
}
