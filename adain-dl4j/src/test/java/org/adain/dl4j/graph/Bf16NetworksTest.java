package org.adain.dl4j.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;
import java.util.function.Function;
import org.adain.dl4j.TestNets;
import org.adain.spi.DecoderWeights;
import org.adain.spi.EncoderKind;
import org.adain.spi.EncoderWeights;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The bf16 networks against the float32 ones on the same weights and inputs, in one JVM (ND4J's oneDNN 2.3 and the
 * preset's 2.5.2 side by side): close to float32 by a bound a wrong network cannot meet, yet not identical, which
 * shows the bf16 path ran.
 */
class Bf16NetworksTest {
    private static final int A = 16, B = 24, C = 32, D = 40;

    @BeforeEach
    void needsBf16() {
        Dnnl.Bf16Support s = Dnnl.bf16Support();
        assumeTrue(s.level() != Dnnl.Bf16Level.UNAVAILABLE, s.message());
    }

    @Test
    void normalisedEncoderMatchesFloat32() {
        compareEncoder(EncoderKind.NORMALISED_VGG19, 11);
    }

    @Test
    void kerasEncoderMatchesFloat32() {
        compareEncoder(EncoderKind.KERAS_APPLICATIONS_VGG19, 12);
    }

    private static void compareEncoder(EncoderKind kind, long seed) {
        EncoderWeights ew = TestNets.encoder(kind, A, B, C, D, seed);
        INDArray x = TestNets.toNd4j(TestNets.randomImage(2, 3, 37, 53, seed + 1));
        INDArray before = x.dup();
        try (VggEncoder f32 = new VggEncoder(ew); Bf16Encoder bf16 = new Bf16Encoder(ew)) {
            INDArray want = f32.encode(x);
            INDArray got = bf16.encode(x);
            assertThat(got.shape()).containsExactly(2, D, 5, 7);
            assertClose(got, want, kind + " relu4_1");
            assertThat(bf16.encode(x)).as("a second call on the cached primitives").isEqualTo(got);
        }
        assertThat(x).as("the input is not modified").isEqualTo(before);
    }

    @Test
    void decoderMatchesFloat32() {
        DecoderWeights dw = TestNets.decoder(A, B, C, D, 13);
        INDArray f = TestNets.toNd4j(TestNets.randomImage(2, D, 5, 7, 14));
        INDArray before = f.dup();
        try (AdainDecoder f32 = new AdainDecoder(dw); Bf16Decoder bf16 = new Bf16Decoder(dw)) {
            INDArray want = f32.decode(f);
            INDArray got = bf16.decode(f);
            assertThat(got.shape()).containsExactly(2, 3, 40, 56);
            assertClose(got, want, "decoded image");
        }
        assertThat(f).as("the input is not modified").isEqualTo(before);
    }

    /** A strided view is read as its values, not its buffer. */
    @Test
    void viewsAreReadByValue() {
        DecoderWeights dw = TestNets.decoder(A, B, C, D, 15);
        INDArray f = TestNets.toNd4j(TestNets.randomImage(1, D, 6, 4, 16));
        INDArray view = f.permute(0, 1, 3, 2);
        try (Bf16Decoder bf16 = new Bf16Decoder(dw)) {
            assertThat(bf16.decode(view)).isEqualTo(bf16.decode(view.dup('c')));
        }
    }

    /**
     * Max |bf16 − f32| ≤ 2% and mean ≤ 0.3% of the float32 output's range. A missing ReLU, a wrong pad, a shifted or
     * transposed map, swapped layers or a wrong pooling mode each move outputs by a large part of the range.
     */
    private static void assertClose(INDArray got, INDArray want, String what) {
        double range = want.maxNumber().doubleValue() - want.minNumber().doubleValue();
        INDArray diff = got.sub(want);
        double max = diff.amaxNumber().doubleValue();
        double mean = diff.norm1Number().doubleValue() / diff.length();
        assertThat(range).as("%s range", what).isGreaterThan(0);
        assertThat(max / range).as("%s: max |bf16 − f32| / range", what).isLessThanOrEqualTo(0.02);
        assertThat(mean / range).as("%s: mean |bf16 − f32| / range", what).isLessThanOrEqualTo(0.003);
        assertThat(max).as("%s is not float32's bit for bit (the bf16 path ran)", what).isGreaterThan(0);
    }

    @Test
    void inputsAreValidatedAsInFloat32() {
        EncoderWeights ew = TestNets.encoder(EncoderKind.NORMALISED_VGG19, A, B, C, D, 1);
        DecoderWeights dw = TestNets.decoder(A, B, C, D, 2);
        try (VggEncoder f32e = new VggEncoder(ew); Bf16Encoder enc = new Bf16Encoder(ew);
                AdainDecoder f32d = new AdainDecoder(dw); Bf16Decoder dec = new Bf16Decoder(dw)) {
            for (INDArray bad : List.of(TestNets.toNd4j(TestNets.randomImage(1, 3, 8, 20, 1)),
                    TestNets.toNd4j(TestNets.randomImage(1, 4, 20, 20, 1)))) {
                assertSameFailure(f32e::encode, enc::encode, bad);
            }
            for (INDArray bad : List.of(TestNets.toNd4j(TestNets.randomImage(1, D, 1, 5, 1)),
                    TestNets.toNd4j(TestNets.randomImage(1, D + 1, 4, 5, 1)))) {
                assertSameFailure(f32d::decode, dec::decode, bad);
            }
        }
    }

    private static void assertSameFailure(Function<INDArray, INDArray> f32, Function<INDArray, INDArray> bf16,
            INDArray bad) {
        Throwable expected = org.assertj.core.api.Assertions.catchThrowable(() -> f32.apply(bad));
        assertThat(expected).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> bf16.apply(bad)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage(expected.getMessage());
    }

    @Test
    void closeIsIdempotentAndRefusesLaterCalls() {
        EncoderWeights ew = TestNets.encoder(EncoderKind.KERAS_APPLICATIONS_VGG19, A, B, C, D, 3);
        Bf16Encoder enc = new Bf16Encoder(ew);
        INDArray x = TestNets.toNd4j(TestNets.randomImage(1, 3, 16, 16, 4));
        enc.encode(x);
        enc.close();
        enc.close();
        assertThatThrownBy(() -> enc.encode(x)).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        Bf16Decoder dec = new Bf16Decoder(TestNets.decoder(A, B, C, D, 5));
        dec.close();
        dec.close();
    }

    @Test
    void shapeCacheEvictsTheLeastRecentlyUsedShape() {
        DecoderWeights dw = TestNets.decoder(A, B, C, D, 6);
        INDArray a = TestNets.toNd4j(TestNets.randomImage(1, D, 3, 4, 7));
        INDArray b = TestNets.toNd4j(TestNets.randomImage(1, D, 4, 3, 8));
        INDArray c = TestNets.toNd4j(TestNets.randomImage(2, D, 3, 3, 9));
        try (Bf16Decoder dec = new Bf16Decoder(dw, 2, Long.MAX_VALUE)) {
            INDArray first = dec.decode(a);
            dec.decode(b);
            assertThat(dec.plansBuilt()).isEqualTo(2);
            dec.decode(a); // a is now the most recent: c evicts b
            assertThat(dec.plansBuilt()).isEqualTo(2);
            dec.decode(c);
            assertThat(dec.plansBuilt()).isEqualTo(3);
            assertThat(dec.cachedShapes()).containsExactly(List.of(1L, (long) D, 3L, 4L), List.of(2L, (long) D, 3L, 3L));
            dec.decode(b);
            assertThat(dec.plansBuilt()).isEqualTo(4);
            assertThat(dec.cachedShapes()).containsExactly(List.of(2L, (long) D, 3L, 3L), List.of(1L, (long) D, 4L, 3L));
            // rebuilt primitives and regrown buffers give the same bits
            dec.releaseBuffers();
            assertThat(dec.decode(a)).isEqualTo(first);
        }
    }

    @Test
    void buffersBeyondTheBudgetAreNotKept() {
        DecoderWeights dw = TestNets.decoder(A, B, C, D, 17);
        INDArray f = TestNets.toNd4j(TestNets.randomImage(1, D, 4, 4, 18));
        try (Bf16Decoder keeps = new Bf16Decoder(dw, Long.MAX_VALUE); Bf16Decoder frees = new Bf16Decoder(dw, 0)) {
            INDArray want = keeps.decode(f);
            // the largest map, A×34×34 bf16 (the last conv's padded input), in each of the two buffers
            assertThat(keeps.bufferBytes()).isEqualTo(2L * A * 34 * 34 * 2);
            assertThat(frees.decode(f)).isEqualTo(want);
            assertThat(frees.bufferBytes()).isZero();
        }
    }

    @Test
    void supportNamesTheCpuIsa() {
        Dnnl.Bf16Support s = Dnnl.bf16Support();
        assertThat(s.message()).contains(s.isa());
        assertThat(s.isa()).startsWith("avx512_core");
    }
}
