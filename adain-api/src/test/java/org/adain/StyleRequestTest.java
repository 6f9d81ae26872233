package org.adain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class StyleRequestTest {
    static ImageTensor grey(int h, int w, float v) {
        float[] d = new float[3 * h * w];
        java.util.Arrays.fill(d, v);
        return ImageTensor.of(d, h, w);
    }

    final ImageTensor img = grey(16, 16, 0.5f);

    @Test
    void defaultsFollowTheReference() {
        StyleRequest r = StyleRequest.builder().content(img).style(img).build();
        assertThat(r.alpha()).isEqualTo(1.0);
        assertThat(r.contentSize()).isEqualTo(512);
        assertThat(r.styleSize()).isEqualTo(512);
        assertThat(r.crop()).isFalse();
        assertThat(r.preserveColor()).isFalse();
        assertThat(r.mask()).isNull();
        assertThat(r.normalisedWeights()).containsExactly(1.0);
    }

    @Test
    void weightsAreNormalisedWhateverTheirScale() {
        StyleRequest ints = StyleRequest.builder().content(img).style(img, 1).style(img, 2).style(img, 3)
                .style(img, 4).build();
        StyleRequest fractions = StyleRequest.builder().content(img).style(img, 0.1).style(img, 0.2)
                .style(img, 0.3).style(img, 0.4).build();
        assertThat(ints.normalisedWeights()).containsExactly(0.1, 0.2, 0.3, 0.4);
        double[] f = fractions.normalisedWeights();
        for (int i = 0; i < 4; i++) {
            assertThat(f[i]).isCloseTo(0.1 * (i + 1), org.assertj.core.data.Offset.offset(1e-12));
        }
    }

    @Test
    void rejectsBadValuesNamingThem() {
        assertThatThrownBy(() -> StyleRequest.builder().content(img).style(img).alpha(1.5).build())
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("alpha").hasMessageContaining("1.5");
        assertThatThrownBy(() -> StyleRequest.builder().content(img).style(img).alpha(Double.NaN).build())
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("NaN");
        assertThatThrownBy(() -> StyleRequest.builder().content(img).style(img).alpha(-0.01).build())
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("-0.01");
        assertThatThrownBy(() -> StyleRequest.builder().content(img).style(img, -1).style(img, 2).build())
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("weight 0 is -1.0");
        assertThatThrownBy(() -> StyleRequest.builder().content(img).style(img, 0).style(img, 0).build())
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("sum to 0");
        assertThatThrownBy(() -> StyleRequest.builder().content(img).style(img, Double.POSITIVE_INFINITY).build())
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("Infinity");
        assertThatThrownBy(() -> StyleRequest.builder().style(img).build())
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("content");
        assertThatThrownBy(() -> StyleRequest.builder().content(img).build())
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("style");
        assertThatThrownBy(() -> StyleRequest.builder().content(img).style(img).contentSize(-1).build())
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("contentSize");
        assertThatThrownBy(() -> StyleRequest.builder().content(img).style(img).styleSize(-3).build())
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("-3");
    }

    @Test
    void masksNeedOneStylePerRegionAndNoWeights() {
        int[] idx = new int[16 * 16];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = i < 128 ? 0 : 1;
        }
        SpatialMask mask = SpatialMask.ofStyleIndices(16, 16, idx);
        assertThat(StyleRequest.builder().content(img).style(img).style(img).mask(mask).build().mask()).isSameAs(mask);
        assertThatThrownBy(() -> StyleRequest.builder().content(img).style(img).mask(mask).build())
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("at least 2 styles");
        assertThatThrownBy(() -> StyleRequest.builder().content(img).style(img, 1).style(img, 2).mask(mask).build())
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("weights");
        assertThatThrownBy(() -> StyleRequest.builder().content(img).style(img).style(img).style(img).mask(mask).build())
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("no pixel for style 2");
        SpatialMask small = SpatialMask.ofStyleIndices(2, 1, new int[] {0, 1});
        assertThatThrownBy(() -> StyleRequest.builder().content(img).style(img).style(img).mask(small).crop(true)
                .build()).isInstanceOf(InvalidRequestException.class).hasMessageContaining("16×16");
    }

    @Test
    void aMaskOfAnotherSizeIsRefusedNamingBothUnlessScaledOnPurpose() {
        SpatialMask halves = SpatialMask.ofStyleIndices(2, 1, new int[] {0, 1});
        // another size and aspect, with and without crop: never stretched silently
        for (boolean crop : new boolean[] {false, true}) {
            assertThatThrownBy(() -> StyleRequest.builder().content(img).style(img).style(img).mask(halves)
                    .crop(crop).build()).isInstanceOf(InvalidRequestException.class)
                    .hasMessageContaining("The mask is 2×1 but the content is 16×16")
                    .hasMessageContaining("mask.scaledTo(16, 16)");
        }
        SpatialMask tall = SpatialMask.ofStyleIndices(16, 17, new int[16 * 17]);
        assertThatThrownBy(() -> StyleRequest.builder().content(img).style(img).style(img).mask(tall).build())
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("16×17")
                .hasMessageContaining("16×16");
        StyleRequest r = StyleRequest.builder().content(img).style(img).style(img).mask(halves.scaledTo(16, 16))
                .build();
        assertThat(r.mask().width()).isEqualTo(16);
        assertThat(r.mask().styleAt(7, 15)).isZero();
        assertThat(r.mask().styleAt(8, 0)).isEqualTo(1);
    }

    @Test
    void pixelValuesOutsideTheRangeAreRefusedWithTheirPosition() {
        float[] v = new float[3 * 16 * 16];
        java.util.Arrays.fill(v, 0.5f);
        ImageTensor ok = ImageTensor.of(v, 16, 16);
        // an unclamped output (not made by of/fromTensor) with 1e30 at channel 1, row 2, column 3
        float[] bad = v.clone();
        bad[16 * 16 + 2 * 16 + 3] = 1e30f;
        ImageTensor huge = ImageTensor.wrap(bad, 16, 16);
        assertThatThrownBy(() -> StyleRequest.builder().content(huge).style(ok).build())
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("The content image has value 1.0E30 at channel 1, row 2, column 3")
                .hasMessageContaining("[-1.0, 2.0]");
        assertThatThrownBy(() -> StyleRequest.builder().content(ok).style(ok).style(huge).build())
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("Style image 1 has value 1.0E30");
        assertThatThrownBy(() -> ImageTensor.of(bad, 16, 16)).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("value 1.0E30 at channel 1, row 2, column 3");
        bad[16 * 16 + 2 * 16 + 3] = -1.5f;
        assertThatThrownBy(() -> ImageTensor.of(bad, 16, 16)).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("value -1.5");
        bad[16 * 16 + 2 * 16 + 3] = Float.NaN;
        assertThatThrownBy(() -> ImageTensor.of(bad, 16, 16)).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("NaN");
        // the margin: values an output overshoots by are taken
        bad[16 * 16 + 2 * 16 + 3] = ImageTensor.MAX_VALUE;
        bad[0] = ImageTensor.MIN_VALUE;
        assertThat(StyleRequest.builder().content(ImageTensor.of(bad, 16, 16)).style(ok).build()).isNotNull();
        // a float raster is taken as it is, so it is checked too
        java.awt.image.BufferedImage floats = new java.awt.image.BufferedImage(
                new java.awt.image.ComponentColorModel(java.awt.color.ColorSpace.getInstance(
                        java.awt.color.ColorSpace.CS_sRGB), false, false, java.awt.Transparency.OPAQUE,
                        java.awt.image.DataBuffer.TYPE_FLOAT),
                java.awt.image.Raster.createWritableRaster(new java.awt.image.PixelInterleavedSampleModel(
                        java.awt.image.DataBuffer.TYPE_FLOAT, 2, 2, 3, 6, new int[] {0, 1, 2}), null), false, null);
        floats.getRaster().setSample(1, 1, 2, 5e20f);
        assertThatThrownBy(() -> StyleRequest.builder().content(floats)).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("value 5.0E20 at channel 2, row 1, column 1");
    }
}
