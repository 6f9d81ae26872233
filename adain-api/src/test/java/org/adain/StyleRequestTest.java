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
}
