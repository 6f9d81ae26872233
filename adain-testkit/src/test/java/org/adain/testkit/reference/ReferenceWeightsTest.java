package org.adain.testkit.reference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.adain.spi.ConvLayer;
import org.adain.spi.DecoderWeights;
import org.adain.spi.EncoderKind;
import org.adain.spi.EncoderWeights;
import org.junit.jupiter.api.Test;

/** The .npy weights, the manifest's weights section and the SPI objects ReferenceWeights builds. */
class ReferenceWeightsTest {

    private static final Map<String, Integer> T = ReferenceCases.load().topology();

    @Test
    void idsKindsAndTwinModels() {
        assertThat(ReferenceWeights.ids()).containsExactly("normalised", "keras_apps", "decoder");
        assertThat(ReferenceWeights.kind("normalised")).isEqualTo("NORMALISED_VGG19");
        assertThat(ReferenceWeights.kind("keras_apps")).isEqualTo("KERAS_APPLICATIONS_VGG19");
        assertThat(ReferenceWeights.kind("decoder")).isEqualTo("DECODER");
        assertThat(ReferenceWeights.models("normalised")).containsExactly("encoder_tf2", "encoder_keras23");
        assertThat(ReferenceWeights.models("keras_apps")).containsExactly("vgg19_notop", "vgg19_notop_keras2");
        assertThat(ReferenceWeights.models("decoder")).containsExactly("decoder_tf2", "decoder_keras23");
        List<String> modelIds = ReferenceCases.load().models().stream().map(ReferenceCases.ModelInfo::id).toList();
        for (String id : ReferenceWeights.ids()) {
            assertThat(modelIds).containsAll(ReferenceWeights.models(id));
            for (ReferenceWeights.Layer l : ReferenceWeights.layers(id)) {
                assertThat(l.h5LayerNames().keySet()).containsExactlyElementsOf(ReferenceWeights.models(id));
                assertThat(l.activation()).isEqualTo(l.role().equals("preprocess") || l.role().equals("conv8")
                        ? "linear" : "relu");
            }
        }
    }

    @Test
    void normalisedEncoder() {
        EncoderWeights e = ReferenceWeights.encoder(ReferenceWeights.NORMALISED);
        assertThat(e.kind()).isEqualTo(EncoderKind.NORMALISED_VGG19);
        assertThat(e.preprocess().shapeString()).isEqualTo("[3, 3, 1, 1]");
        assertThat(e.tapChannels()).containsExactly(T.get("a"), T.get("b"), T.get("c"), T.get("d"));
        assertThat(e.convs()).extracting(ConvLayer::name).containsExactly("block1_conv1", "block1_conv2",
                "block2_conv1", "block2_conv2", "block3_conv1", "block3_conv2", "block3_conv3", "block3_conv4",
                "block4_conv1");
        assertThat(e.source()).contains("normalised");
        // the preprocessing conv is a random mix, not the Caffe constants and not symmetric
        float[] pre = e.preprocess().kernelOihw();
        assertThat(pre[1]).isNotEqualTo(pre[3]);
        assertThat(pre[0]).isBetween(0.4f, 1.2f);
    }

    @Test
    void kerasAppsEncoderStopsAtConv41() {
        EncoderWeights e = ReferenceWeights.encoder(ReferenceWeights.KERAS_APPS);
        assertThat(e.kind()).isEqualTo(EncoderKind.KERAS_APPLICATIONS_VGG19);
        assertThat(e.preprocess()).isNull();
        assertThat(e.featureChannels()).isEqualTo(T.get("d"));
        assertThat(e.convs().get(8).name()).isEqualTo("block4_conv1");
        assertThat(ReferenceWeights.layers("keras_apps")).extracting(ReferenceWeights.Layer::role)
                .containsExactlyElementsOf(EncoderWeights.CONV_NAMES);
    }

    @Test
    void decoderFitsBothEncoders() {
        DecoderWeights d = ReferenceWeights.decoder(ReferenceWeights.DECODER);
        assertThat(d.inputChannels()).isEqualTo(T.get("d"));
        d.checkFits(ReferenceWeights.encoder("normalised"));
        d.checkFits(ReferenceWeights.encoder("keras_apps"));
        assertThat(d.convs()).extracting(ConvLayer::shapeString).containsExactly(
                "[16, 24, 3, 3]", "[16, 16, 3, 3]", "[16, 16, 3, 3]", "[16, 16, 3, 3]", "[12, 16, 3, 3]",
                "[12, 12, 3, 3]", "[8, 12, 3, 3]", "[8, 8, 3, 3]", "[3, 8, 3, 3]");
        List<ReferenceWeights.Layer> layers = ReferenceWeights.layers("decoder");
        assertThat(layers.get(0).h5LayerNames()).containsEntry("decoder_tf2", "conv2d_9")
                .containsEntry("decoder_keras23", "dec_conv4_1");
        assertThat(layers.get(8).h5LayerNames()).containsEntry("decoder_tf2", "conv2d_17")
                .containsEntry("decoder_keras23", "dec_conv1_1");
    }

    @Test
    void npyFilesAreFloat32AndMatchTheLayers() {
        for (String id : ReferenceWeights.ids()) {
            for (ReferenceWeights.Layer l : ReferenceWeights.layers(id)) {
                byte[] head = ReferenceCases.bytes(l.kernel());
                assertThat(new String(head, 10, 20, StandardCharsets.ISO_8859_1))
                        .as(l.kernel()).contains("'descr': '<f4'");
                ConvLayer c = ReferenceWeights.conv(id, l.role());
                Npy.Array k = ReferenceCases.array(l.kernel());
                assertThat(ReferenceWeights.kernel(c).maxAbsDiff(k)).isZero();
                assertThat(ReferenceWeights.bias(c).maxAbsDiff(ReferenceCases.array(l.bias()))).isZero();
                assertThat(k.shape()).containsExactly(l.shape());
                assertThat(k.maxAbs()).isPositive();
            }
        }
    }

    @Test
    void unknownIdsAndRolesAreRejected() {
        assertThatThrownBy(() -> ReferenceWeights.encoder("nope")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("normalised");
        assertThatThrownBy(() -> ReferenceWeights.encoder("decoder")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not an encoder");
        assertThatThrownBy(() -> ReferenceWeights.decoder("normalised")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a decoder");
        assertThatThrownBy(() -> ReferenceWeights.conv("decoder", "conv9")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("conv8");
    }
}
