package org.adain.dl4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;
import org.adain.dl4j.graph.Dnnl;
import org.adain.spi.DecoderWeights;
import org.adain.spi.EncoderKind;
import org.adain.spi.EncoderWeights;
import org.adain.spi.FeatureMap;
import org.adain.spi.Tensor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A model built with bf16 networks: encode and decode in bf16, everything else the float32 model's, bit for bit. */
class Dl4jStyleModelBf16Test {
    private static final int A = 16, B = 24, C = 32, D = 40;
    private final EncoderWeights ew = TestNets.encoder(EncoderKind.NORMALISED_VGG19, A, B, C, D, 31);
    private final DecoderWeights dw = TestNets.decoder(A, B, C, D, 32);

    @BeforeEach
    void needsBf16() {
        Dnnl.Bf16Support s = Dnnl.bf16Support();
        assumeTrue(s.level() != Dnnl.Bf16Level.UNAVAILABLE, s.message());
    }

    private static Tensor image(int n, int h, int w, long seed) {
        return Tensor.wrap(TestNets.toNd4j(TestNets.randomImage(n, 3, h, w, seed)).data().asFloat(), n, 3, h, w);
    }

    @Test
    void encodeAndDecodeRunInBf16AndStayCloseToFloat32() {
        Tensor x = image(1, 29, 35, 33);
        try (Dl4jStyleModel f32 = new Dl4jStyleModel(ew, dw); Dl4jStyleModel bf16 = new Dl4jStyleModel(ew, dw, true)) {
            assertThat(bf16.describe()).contains("bf16").contains(Dnnl.bf16Support().isa());
            assertThat(f32.describe()).doesNotContain("bf16");
            float[] want = f32.decode(f32.encode(x)).toArray();
            FeatureMap features = bf16.encode(x);
            float[] got = bf16.decode(features).toArray();
            double min = Double.MAX_VALUE, max = -Double.MAX_VALUE, maxDiff = 0, sumDiff = 0;
            for (int i = 0; i < want.length; i++) {
                min = Math.min(min, want[i]);
                max = Math.max(max, want[i]);
                double d = Math.abs(got[i] - want[i]);
                maxDiff = Math.max(maxDiff, d);
                sumDiff += d;
            }
            double range = max - min;
            // encoder and decoder in a row: twice the single network's bound of Bf16NetworksTest
            assertThat(maxDiff / range).isLessThanOrEqualTo(0.04);
            assertThat(sumDiff / want.length / range).isLessThanOrEqualTo(0.006);
            assertThat(maxDiff).as("bf16 ran").isGreaterThan(0);
        }
    }

    @Test
    void encodeLayersAndLossesStayFloat32() {
        Tensor x = image(1, 24, 24, 34);
        Tensor s = image(1, 24, 24, 35);
        try (Dl4jStyleModel f32 = new Dl4jStyleModel(ew, dw); Dl4jStyleModel bf16 = new Dl4jStyleModel(ew, dw, true)) {
            List<Tensor> want = f32.encodeLayers(x);
            List<Tensor> got = bf16.encodeLayers(x);
            for (int i = 0; i < want.size(); i++) {
                assertThat(got.get(i).toArray()).isEqualTo(want.get(i).toArray());
            }
            assertThat(bf16.losses(x, s)).isEqualTo(f32.losses(x, s));
        }
    }

    @Test
    void trimAndCloseFreeTheBf16Networks() {
        Dl4jStyleModel m = new Dl4jStyleModel(ew, dw, true);
        Tensor x = image(1, 16, 16, 36);
        m.decode(m.encode(x));
        m.trimMemory();
        assertThat(m.decode(m.encode(x)).shape()).containsExactly(1, 3, 16, 16);
        m.close();
        m.close();
    }
}
