package org.adain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.adain.spi.ConvLayer;
import org.adain.spi.DecoderWeights;
import org.adain.spi.EncoderKind;
import org.adain.spi.EncoderWeights;
import org.junit.jupiter.api.Test;

class WeightsModelTest {
    static ConvLayer conv(String name, int out, int in, int k) {
        return new ConvLayer(name, out, in, k, k, new float[out * in * k * k], new float[out]);
    }

    static List<ConvLayer> encoderConvs(int a, int b, int c, int d) {
        int[][] io = {{3, a}, {a, a}, {a, b}, {b, b}, {b, c}, {c, c}, {c, c}, {c, c}, {c, d}};
        List<ConvLayer> convs = new ArrayList<>();
        for (int i = 0; i < io.length; i++) {
            convs.add(conv("block" + i, io[i][1], io[i][0], 3));
        }
        return convs;
    }

    static List<ConvLayer> decoderConvs(int a, int b, int c, int d) {
        int[][] io = {{d, c}, {c, c}, {c, c}, {c, c}, {c, b}, {b, b}, {b, a}, {a, a}, {a, 3}};
        List<ConvLayer> convs = new ArrayList<>();
        for (int i = 0; i < io.length; i++) {
            convs.add(conv("dec" + i, io[i][1], io[i][0], 3));
        }
        return convs;
    }

    @Test
    void acceptsTheVggTopologyAtAnyWidth() {
        EncoderWeights e = new EncoderWeights(EncoderKind.NORMALISED_VGG19, conv("pre", 3, 3, 1),
                encoderConvs(8, 12, 16, 24), "enc.h5");
        assertThat(e.featureChannels()).isEqualTo(24);
        assertThat(e.tapChannels()).containsExactly(8, 12, 16, 24);
        DecoderWeights d = new DecoderWeights(decoderConvs(8, 12, 16, 24), "dec.h5");
        d.checkFits(e);
        EncoderWeights k = new EncoderWeights(EncoderKind.KERAS_APPLICATIONS_VGG19, null, encoderConvs(4, 4, 4, 4),
                "notop.h5");
        assertThatThrownBy(() -> d.checkFits(k)).isInstanceOf(ModelException.class)
                .hasMessageContaining("takes 24 feature channels").hasMessageContaining("gives 4");
    }

    @Test
    void namesTheLayerAtFault() {
        List<ConvLayer> convs = encoderConvs(8, 12, 16, 24);
        convs.set(3, conv("block2_conv2", 12, 10, 3));
        assertThatThrownBy(() -> new EncoderWeights(EncoderKind.NORMALISED_VGG19, conv("pre", 3, 3, 1), convs, "e.h5"))
                .isInstanceOf(ModelException.class).hasMessageContaining("e.h5").hasMessageContaining("block2_conv2")
                .hasMessageContaining("10 input channels");
        List<ConvLayer> short8 = encoderConvs(8, 12, 16, 24).subList(0, 8);
        assertThatThrownBy(() -> new EncoderWeights(EncoderKind.NORMALISED_VGG19, conv("pre", 3, 3, 1), short8, "e.h5"))
                .isInstanceOf(ModelException.class).hasMessageContaining("found 8");
        assertThatThrownBy(() -> new EncoderWeights(EncoderKind.NORMALISED_VGG19, null, encoderConvs(8, 12, 16, 24),
                "e.h5")).isInstanceOf(ModelException.class).hasMessageContaining("preprocessing");
        List<ConvLayer> dec = decoderConvs(8, 12, 16, 24);
        dec.set(8, conv("last", 4, 8, 3));
        assertThatThrownBy(() -> new DecoderWeights(dec, "d.h5")).isInstanceOf(ModelException.class)
                .hasMessageContaining("'last'").hasMessageContaining("4 channels");
        List<ConvLayer> dec5 = decoderConvs(8, 12, 16, 24);
        dec5.set(2, conv("x", 16, 16, 1));
        assertThatThrownBy(() -> new DecoderWeights(dec5, "d.h5")).isInstanceOf(ModelException.class)
                .hasMessageContaining("3×3");
    }

    @Test
    void convLayerRejectsNonFiniteAndWrongLengths() {
        float[] k = new float[2 * 3 * 9];
        k[7] = Float.NaN;
        assertThatThrownBy(() -> new ConvLayer("c", 2, 3, 3, 3, k, new float[2])).isInstanceOf(ModelException.class)
                .hasMessageContaining("'c'").hasMessageContaining("kernel value 7 is NaN");
        float[] b = {0, Float.POSITIVE_INFINITY};
        assertThatThrownBy(() -> new ConvLayer("c", 2, 3, 3, 3, new float[54], b)).isInstanceOf(ModelException.class)
                .hasMessageContaining("bias value 1 is Infinity");
        assertThatThrownBy(() -> new ConvLayer("c", 2, 3, 3, 3, new float[53], new float[2]))
                .isInstanceOf(ModelException.class).hasMessageContaining("53 values");
    }
}
