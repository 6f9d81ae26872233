package org.adain.dl4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.adain.BackendException;
import org.adain.ImageTensor;
import org.adain.Precision;
import org.adain.StyleRequest;
import org.adain.StyleTransfer;
import org.adain.dl4j.graph.Dnnl;
import org.adain.spi.DecoderWeights;
import org.adain.spi.EncoderKind;
import org.adain.spi.EncoderWeights;
import org.junit.jupiter.api.Test;

/** {@code precision(BF16)} through the provider and the public API, and the provider's refusals. */
class Dl4jPrecisionTest {
    private static final Dnnl.Bf16Support NATIVE = new Dnnl.Bf16Support(Dnnl.Bf16Level.NATIVE, "avx512_core_bf16",
            "bf16 convolutions run natively on this CPU (oneDNN ISA avx512_core_bf16)");
    private static final Dnnl.Bf16Support EMULATED = new Dnnl.Bf16Support(Dnnl.Bf16Level.EMULATED, "avx512_core",
            "this CPU has AVX-512 but no bf16 instructions (oneDNN ISA avx512_core)");
    private static final Dnnl.Bf16Support UNAVAILABLE = new Dnnl.Bf16Support(Dnnl.Bf16Level.UNAVAILABLE, "avx2",
            "oneDNN has no bf16 convolution for this CPU (oneDNN ISA avx2)");

    @Test
    void nativeBf16RunsEmulatedOnlyWhenAskedTheRestIsRefused() {
        assertThatCode(() -> Dl4jBackendProvider.checkBf16(true, NATIVE, false)).doesNotThrowAnyException();
        assertThatThrownBy(() -> Dl4jBackendProvider.checkBf16(true, EMULATED, false))
                .isInstanceOf(BackendException.class).hasMessageContaining("refuses precision BF16")
                .hasMessageContaining("avx512_core").hasMessageContaining("-Dadain.dl4j.bf16.allowEmulated=true");
        assertThatCode(() -> Dl4jBackendProvider.checkBf16(true, EMULATED, true)).doesNotThrowAnyException();
        assertThatThrownBy(() -> Dl4jBackendProvider.checkBf16(true, UNAVAILABLE, true))
                .isInstanceOf(BackendException.class).hasMessageContaining("cannot run precision BF16")
                .hasMessageContaining("avx2");
        assertThatThrownBy(() -> Dl4jBackendProvider.checkBf16(false, NATIVE, true))
                .isInstanceOf(BackendException.class).hasMessageContaining("CUDA");
    }

    @Test
    void theApiRunsBf16CloseToFloat32() {
        Dnnl.Bf16Support support = Dnnl.bf16Support();
        assumeTrue(support.level() == Dnnl.Bf16Level.NATIVE, support::message);
        EncoderWeights ew = TestNets.encoder(EncoderKind.NORMALISED_VGG19, 16, 24, 32, 40, 41);
        DecoderWeights dw = TestNets.decoder(16, 24, 32, 40, 42);
        StyleRequest request = StyleRequest.builder().content(image(43, 40, 56)).style(image(44, 32, 32), 1).build();
        try (StyleTransfer f32 = StyleTransfer.builder().weights(ew, dw).backend("dl4j").build();
                StyleTransfer bf16 = StyleTransfer.builder().weights(ew, dw).backend("dl4j")
                        .precision(Precision.BF16).build()) {
            assertThat(f32.precision()).isEqualTo(Precision.FLOAT32);
            assertThat(bf16.precision()).isEqualTo(Precision.BF16);
            assertThat(bf16.describe()).contains("bf16").contains(support.isa());
            float[] want = f32.stylizeTensor(request).toArray();
            float[] got = bf16.stylizeTensor(request).toArray();
            double maxDiff = 0;
            double min = Double.MAX_VALUE;
            double max = -Double.MAX_VALUE;
            for (int i = 0; i < want.length; i++) {
                maxDiff = Math.max(maxDiff, Math.abs(got[i] - want[i]));
                min = Math.min(min, want[i]);
                max = Math.max(max, want[i]);
            }
            // random small networks give no image-like range: compare with the float32 output's range, within the
            // 4% that Dl4jStyleModelBf16Test allows encoder and decoder in a row
            assertThat(maxDiff).as("bf16 ran").isGreaterThan(0);
            assertThat(maxDiff / (max - min)).isLessThanOrEqualTo(0.04);
        }
    }

    private static ImageTensor image(long seed, int h, int w) {
        java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
        float[] v = new float[3 * h * w];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextDouble();
        }
        return ImageTensor.of(v, h, w);
    }
}
