package org.adain.dl4j.modelimport;

import static org.adain.dl4j.modelimport.Hdf5Edit.copy;
import static org.adain.dl4j.modelimport.Hdf5Edit.editFloats;
import static org.adain.dl4j.modelimport.Hdf5Edit.editModelConfig;
import static org.adain.dl4j.modelimport.Hdf5Edit.fixture;
import static org.adain.dl4j.modelimport.Hdf5Edit.layerConfig;
import static org.adain.dl4j.modelimport.Hdf5Edit.layers;
import static org.adain.dl4j.modelimport.Hdf5Edit.rawDataset;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.ServiceLoader;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.adain.ModelException;
import org.adain.spi.ConvLayer;
import org.adain.spi.DecoderWeights;
import org.adain.spi.EncoderKind;
import org.adain.spi.EncoderWeights;
import org.adain.spi.WeightsReader;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.jackson.databind.node.ArrayNode;
import org.nd4j.shade.jackson.databind.node.ObjectNode;

/**
 * The Keras HDF5 reader against the testkit's fixtures (tf.keras 2.x and Keras 2.3 layouts of the same weights,
 * channels a=8, b=12, c=16, d=24) and against copies of them corrupted one way each.
 */
class KerasHdf5WeightsReaderTest {
    private static final int[] ENCODER_OUT = {8, 8, 12, 12, 16, 16, 16, 16, 24};
    private static final int[] DECODER_OUT = {16, 16, 16, 16, 12, 12, 8, 8, 3};
    private static final List<String> KERAS_APPS_NAMES = List.of("block1_conv1", "block1_conv2", "block2_conv1",
            "block2_conv2", "block3_conv1", "block3_conv2", "block3_conv3", "block3_conv4", "block4_conv1");

    private final KerasHdf5WeightsReader reader = new KerasHdf5WeightsReader();

    @TempDir
    Path tmp;

    @Nested
    class Reading {
        @Test
        void tf2EncoderIsTheNormalisedVgg19() {
            EncoderWeights w = reader.readEncoder(fixture("encoder_tf2.h5"));

            assertThat(w.kind()).isEqualTo(EncoderKind.NORMALISED_VGG19);
            assertThat(w.source()).isEqualTo("encoder_tf2.h5");
            assertThat(w.preprocess().name()).isEqualTo("preprocess_conv");
            assertThat(w.preprocess().shapeString()).isEqualTo("[3, 3, 1, 1]");
            assertThat(w.convs()).extracting(ConvLayer::name).containsExactlyElementsOf(KERAS_APPS_NAMES);
            assertEncoderShapes(w);
        }

        @Test
        void keras23EncoderStopsAtBlock4Conv1() {
            // this file continues with a ReflectionPadding2D and block4_conv2
            EncoderWeights w = reader.readEncoder(fixture("encoder_keras23.h5"));

            assertThat(w.kind()).isEqualTo(EncoderKind.NORMALISED_VGG19);
            assertThat(w.convs()).extracting(ConvLayer::name).containsExactlyElementsOf(KERAS_APPS_NAMES);
            assertEncoderShapes(w);
        }

        @Test
        void bothEncoderLayoutsGiveTheSameWeights() {
            EncoderWeights tf2 = reader.readEncoder(fixture("encoder_tf2.h5"));
            EncoderWeights k23 = reader.readEncoder(fixture("encoder_keras23.h5"));

            assertSameWeights(tf2.preprocess(), k23.preprocess());
            for (int i = 0; i < tf2.convs().size(); i++) {
                assertSameWeights(tf2.convs().get(i), k23.convs().get(i));
            }
        }

        @Test
        void decodersOfBothLayoutsAreReadByOrderNotName() {
            DecoderWeights tf2 = reader.readDecoder(fixture("decoder_tf2.h5"));
            DecoderWeights k23 = reader.readDecoder(fixture("decoder_keras23.h5"));

            assertThat(tf2.source()).isEqualTo("decoder_tf2.h5");
            assertThat(tf2.inputChannels()).isEqualTo(24);
            assertThat(tf2.convs()).extracting(ConvLayer::outChannels)
                    .containsExactly(Arrays.stream(DECODER_OUT).boxed().toArray(Integer[]::new));
            assertThat(tf2.convs().get(0).name()).isEqualTo("conv2d_9");
            assertThat(k23.convs().get(0).name()).isEqualTo("dec_conv4_1");
            for (int i = 0; i < DecoderWeights.CONV_COUNT; i++) {
                assertSameWeights(tf2.convs().get(i), k23.convs().get(i));
            }
            tf2.checkFits(reader.readEncoder(fixture("encoder_tf2.h5")));
        }

        @Test
        void bothKerasApplicationsLayoutsAreTheNotopFlavour() {
            // vgg19_notop.h5: the 2016 release layout (block1_conv1_W_1:0, no nesting, fixed-length strings);
            // vgg19_notop_keras2.h5: tf.keras save_weights (block1_conv1/kernel:0, variable-length strings)
            EncoderWeights release = reader.readEncoder(fixture("vgg19_notop.h5"));
            EncoderWeights tf2 = reader.readEncoder(fixture("vgg19_notop_keras2.h5"));

            for (EncoderWeights w : List.of(release, tf2)) {
                assertThat(w.kind()).isEqualTo(EncoderKind.KERAS_APPLICATIONS_VGG19);
                assertThat(w.preprocess()).isNull();
                assertThat(w.convs()).extracting(ConvLayer::name).containsExactlyElementsOf(KERAS_APPS_NAMES);
                assertEncoderShapes(w);
            }
            for (int i = 0; i < release.convs().size(); i++) {
                assertSameWeights(release.convs().get(i), tf2.convs().get(i));
            }
        }

        @Test
        void aUserBlockBeforeTheSuperblockIsAccepted() throws IOException {
            // HDF5 allows 512, 1024, ... bytes of user data before the superblock; the 512-byte head is all zeros
            Path f = tmp.resolve("userblock.h5");
            byte[] original = Files.readAllBytes(fixture("encoder_tf2.h5"));
            byte[] shifted = new byte[512 + original.length];
            System.arraycopy(original, 0, shifted, 512, original.length);
            Files.write(f, shifted);

            assertThat(reader.canRead(f, head(f))).isTrue();
            EncoderWeights w = reader.readEncoder(f);
            EncoderWeights expected = reader.readEncoder(fixture("encoder_tf2.h5"));
            for (int i = 0; i < w.convs().size(); i++) {
                assertSameWeights(w.convs().get(i), expected.convs().get(i));
            }
        }

        @Test
        void readsFromManyThreadsAtOnce() throws Exception {
            EncoderWeights enc = reader.readEncoder(fixture("encoder_tf2.h5"));
            DecoderWeights dec = reader.readDecoder(fixture("decoder_keras23.h5"));
            EncoderWeights notop = reader.readEncoder(fixture("vgg19_notop.h5"));
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<Object>> results = new ArrayList<>();
                for (int i = 0; i < 12; i++) {
                    int kind = i % 3;
                    results.add(pool.submit(() -> kind == 0 ? reader.readEncoder(fixture("encoder_tf2.h5"))
                            : kind == 1 ? reader.readDecoder(fixture("decoder_keras23.h5"))
                            : reader.readEncoder(fixture("vgg19_notop.h5"))));
                }
                for (int i = 0; i < results.size(); i++) {
                    Object r = results.get(i).get();
                    List<ConvLayer> got = r instanceof EncoderWeights e ? e.convs() : ((DecoderWeights) r).convs();
                    List<ConvLayer> want = i % 3 == 0 ? enc.convs() : i % 3 == 1 ? dec.convs() : notop.convs();
                    for (int c = 0; c < want.size(); c++) {
                        assertSameWeights(got.get(c), want.get(c));
                    }
                }
            } finally {
                pool.shutdownNow();
            }
        }

        @Test
        void isATestOracleNotAService() {
            // Users read .h5 with adain-api's plain-Java reader; this native one only checks it in the tests.
            assertThat(ServiceLoader.load(WeightsReader.class).stream().map(ServiceLoader.Provider::type))
                    .doesNotContain(KerasHdf5WeightsReader.class)
                    .contains(org.adain.format.KerasWeightsReader.class);
            assertThat(reader.formatName()).isEqualTo("Keras HDF5");
        }
    }

    /**
     * Proves the kernel layout mapping against the stored values, read independently with DL4J's Hdf5Archive:
     * Keras stores {@code [kh][kw][in][out]}, ConvLayer holds {@code [out][in][kh][kw]}.
     */
    @Nested
    class KernelLayout {
        @Test
        void importedEncoderConvIsTheStoredKernelInOihw() {
            Path f = fixture("encoder_tf2.h5");
            ConvLayer c = reader.readEncoder(f).convs().get(2);
            assertThat(c.name()).isEqualTo("block2_conv1");
            INDArray raw = rawDataset(f, "kernel:0", "model_weights", "block2_conv1", "block2_conv1");
            INDArray rawBias = rawDataset(f, "bias:0", "model_weights", "block2_conv1", "block2_conv1");

            assertThat(raw.shape()).containsExactly(3, 3, 8, 12);
            assertThat(c.shapeString()).isEqualTo("[12, 8, 3, 3]");
            assertOihwOf(c, raw);
            assertThat(c.bias()).containsExactly(rawBias.toFloatVector());
        }

        @Test
        void oneValuePerAxisFollowsItsOwnAxis() {
            Path f = fixture("encoder_keras23.h5");
            ConvLayer c = reader.readEncoder(f).convs().get(2);
            INDArray raw = rawDataset(f, "kernel:0", "model_weights", "block2_conv1", "block2_conv1");
            float[] k = c.kernelOihw();
            // (out, in, y, x): moving along one axis at a time from the origin
            int[][] picks = {{0, 0, 0, 0}, {11, 0, 0, 0}, {0, 7, 0, 0}, {0, 0, 2, 0}, {0, 0, 0, 2}, {5, 3, 1, 2}};
            for (int[] p : picks) {
                assertThat(k[oihw(p[0], p[1], p[2], p[3], 8, 3, 3)])
                        .as("out %d, in %d, y %d, x %d", p[0], p[1], p[2], p[3])
                        .isEqualTo(raw.getFloat(p[2], p[3], p[1], p[0]));
            }
            // the kernel is not symmetric, so a swapped kh/kw would have been caught
            assertThat(raw.getFloat(2, 0, 0, 0)).isNotEqualTo(raw.getFloat(0, 2, 0, 0));
        }

        @Test
        void theOneByOnePreprocessingConvIsNotTransposed() {
            Path f = fixture("encoder_tf2.h5");
            ConvLayer pre = reader.readEncoder(f).preprocess();
            INDArray raw = rawDataset(f, "kernel:0", "model_weights", "preprocess_conv", "preprocess_conv");

            assertThat(raw.shape()).containsExactly(1, 1, 3, 3);
            assertThat(raw.getFloat(0, 0, 0, 1)).isNotEqualTo(raw.getFloat(0, 0, 1, 0));
            float[] k = pre.kernelOihw();
            for (int o = 0; o < 3; o++) {
                for (int i = 0; i < 3; i++) {
                    assertThat(k[o * 3 + i]).isEqualTo(raw.getFloat(0, 0, i, o));
                }
            }
        }

        @Test
        void decoderConvIsTheStoredKernelInOihw() {
            Path f = fixture("decoder_tf2.h5");
            ConvLayer c = reader.readDecoder(f).convs().get(4);
            assertThat(c.name()).isEqualTo("conv2d_13");
            INDArray raw = rawDataset(f, "kernel:0", "model_weights", "conv2d_13", "conv2d_13");

            assertThat(raw.shape()).containsExactly(3, 3, 16, 12);
            assertOihwOf(c, raw);
        }

        @Test
        void notopConvIsTheStoredKernelInOihw() {
            Path f = fixture("vgg19_notop.h5");
            ConvLayer c = reader.readEncoder(f).convs().get(4);
            INDArray raw = rawDataset(f, "block3_conv1_W_1:0", "block3_conv1");
            INDArray rawBias = rawDataset(f, "block3_conv1_b_1:0", "block3_conv1");

            assertThat(raw.shape()).containsExactly(3, 3, 12, 16);
            assertOihwOf(c, raw);
            assertThat(c.bias()).containsExactly(rawBias.toFloatVector());
        }

        private void assertOihwOf(ConvLayer c, INDArray hwio) {
            float[] k = c.kernelOihw();
            int kh = c.kernelHeight();
            int kw = c.kernelWidth();
            int in = c.inChannels();
            for (int o = 0; o < c.outChannels(); o++) {
                for (int i = 0; i < in; i++) {
                    for (int y = 0; y < kh; y++) {
                        for (int x = 0; x < kw; x++) {
                            assertThat(k[oihw(o, i, y, x, in, kh, kw)]).isEqualTo(hwio.getFloat(y, x, i, o));
                        }
                    }
                }
            }
        }
    }

    @Nested
    class NotAModelFile {
        @Test
        void missingFile() {
            assertThatThrownBy(() -> reader.readEncoder(tmp.resolve("nope.h5"))).isInstanceOf(ModelException.class)
                    .hasMessageStartingWith("nope.h5: no such file");
        }

        @Test
        void directory() {
            assertThatThrownBy(() -> reader.readDecoder(tmp)).isInstanceOf(ModelException.class)
                    .hasMessageContaining("not a regular file");
        }

        @Test
        void randomBytes() throws IOException {
            Path f = tmp.resolve("random.h5");
            byte[] bytes = new byte[4096];
            new Random(7).nextBytes(bytes);
            Files.write(f, bytes);

            assertThat(reader.canRead(f, head(f))).isFalse();
            assertThatThrownBy(() -> reader.readEncoder(f)).isInstanceOf(ModelException.class)
                    .hasMessage("random.h5: not an HDF5 file (no HDF5 signature); a Keras .h5 file is expected");
        }

        @Test
        void truncatedFixture() throws IOException {
            Path f = tmp.resolve("truncated.h5");
            byte[] original = Files.readAllBytes(fixture("encoder_tf2.h5"));
            Files.write(f, Arrays.copyOf(original, original.length / 2));

            assertThat(reader.canRead(f, head(f))).isTrue();
            assertThatThrownBy(() -> reader.readEncoder(f)).isInstanceOf(ModelException.class)
                    .hasMessageStartingWith("truncated.h5: HDF5 cannot open the file")
                    .hasMessageContaining("truncated or corrupt");
            assertThatThrownBy(() -> reader.readDecoder(f)).isInstanceOf(ModelException.class)
                    .hasMessageStartingWith("truncated.h5: ");
        }

        @Test
        void hdf5SignatureFollowedByGarbage() throws IOException {
            Path f = tmp.resolve("garbage.h5");
            byte[] bytes = new byte[4096];
            new Random(11).nextBytes(bytes);
            System.arraycopy(Hdf5Access.SIGNATURE, 0, bytes, 0, Hdf5Access.SIGNATURE.length);
            Files.write(f, bytes);

            assertThatThrownBy(() -> reader.readEncoder(f)).isInstanceOf(ModelException.class)
                    .hasMessageStartingWith("garbage.h5: HDF5 cannot open the file");
        }

        @Test
        void hdf5ButNotKeras() {
            Path f = tmp.resolve("plain.h5");
            Hdf5Edit.createEmptyHdf5(f);

            assertThatThrownBy(() -> reader.readEncoder(f)).isInstanceOf(ModelException.class)
                    .hasMessageStartingWith("plain.h5: is an HDF5 file but not a Keras model");
        }

        @Test
        void canReadJudgesBySignatureOnly() throws IOException {
            for (String name : List.of("encoder_tf2.h5", "encoder_keras23.h5", "vgg19_notop.h5")) {
                assertThat(reader.canRead(fixture(name), head(fixture(name)))).as(name).isTrue();
            }
            Path text = tmp.resolve("weights.h5");
            Files.writeString(text, "not hdf5 at all");
            assertThat(reader.canRead(text, head(text))).isFalse();
        }
    }

    @Nested
    class WrongKindOfModel {
        @Test
        void decoderGivenAsEncoder() {
            assertThatThrownBy(() -> reader.readEncoder(fixture("decoder_tf2.h5"))).isInstanceOf(ModelException.class)
                    .hasMessageStartingWith("decoder_tf2.h5: ")
                    .hasMessageContaining("this looks like an AdaIN decoder")
                    .hasMessageContaining("pass it as the decoder");
        }

        @Test
        void encoderGivenAsDecoder() {
            assertThatThrownBy(() -> reader.readDecoder(fixture("encoder_keras23.h5")))
                    .isInstanceOf(ModelException.class)
                    .hasMessageStartingWith("encoder_keras23.h5: layer 'preprocess_conv' (Conv2D, layer 2 of the "
                            + "file) comes where the reflection padding before decoder conv 0 (ReflectionPadding2D)")
                    .hasMessageContaining("this looks like a VGG encoder");
        }

        @Test
        void weightsOnlyFileGivenAsDecoder() {
            assertThatThrownBy(() -> reader.readDecoder(fixture("vgg19_notop.h5"))).isInstanceOf(ModelException.class)
                    .hasMessageStartingWith("vgg19_notop.h5: is a weights-only Keras file");
        }

        @Test
        void sequentialModel() {
            Path f = copy("encoder_tf2.h5", tmp, "seq.h5");
            editModelConfig(f, m -> m.put("class_name", "Sequential"));

            assertThatThrownBy(() -> reader.readEncoder(f)).isInstanceOf(ModelException.class)
                    .hasMessageStartingWith("seq.h5: is a Keras Sequential model");
        }
    }

    @Nested
    class WrongLayerConfig {
        @Test
        void linearActivationOnAReluConv() {
            Path f = copy("encoder_tf2.h5", tmp, "encoder.h5");
            editModelConfig(f, m -> layerConfig(m, "block2_conv1").put("activation", "linear"));

            assertThatThrownBy(() -> reader.readEncoder(f)).isInstanceOf(ModelException.class)
                    .hasMessage("encoder.h5: layer 'block2_conv1' has activation 'linear', expected 'relu'");
        }

        @Test
        void reluOnThePreprocessingConv() {
            Path f = copy("encoder_keras23.h5", tmp, "encoder.h5");
            editModelConfig(f, m -> layerConfig(m, "preprocess_conv").put("activation", "relu"));

            assertThatThrownBy(() -> reader.readEncoder(f)).isInstanceOf(ModelException.class)
                    .hasMessage("encoder.h5: layer 'preprocess_conv' has activation 'relu', expected 'linear'");
        }

        @Test
        void reluOnTheLastDecoderConv() {
            Path f = copy("decoder_keras23.h5", tmp, "decoder.h5");
            editModelConfig(f, m -> layerConfig(m, "dec_conv1_1").put("activation", "relu"));

            assertThatThrownBy(() -> reader.readDecoder(f)).isInstanceOf(ModelException.class)
                    .hasMessage("decoder.h5: layer 'dec_conv1_1' has activation 'relu', expected 'linear'");
        }

        @Test
        void reflectionPaddingOfTwo() {
            Path f = copy("encoder_keras23.h5", tmp, "encoder.h5");
            editModelConfig(f, m -> layerConfig(m, "reflection_padding2d_3").putArray("padding").add(2).add(2));

            assertThatThrownBy(() -> reader.readEncoder(f)).isInstanceOf(ModelException.class)
                    .hasMessage("encoder.h5: layer 'reflection_padding2d_3' has padding [2,2], expected 1 on every "
                            + "side ([[1, 1], [1, 1]])");
        }

        @Test
        void asymmetricReflectionPaddingNamesTheLayer() {
            Path f = copy("decoder_tf2.h5", tmp, "decoder.h5");
            editModelConfig(f, m -> {
                ArrayNode p = layerConfig(m, "reflection_padding2d_12").putArray("padding");
                p.addArray().add(1).add(1);
                p.addArray().add(0).add(1);
            });

            assertThatThrownBy(() -> reader.readDecoder(f)).isInstanceOf(ModelException.class)
                    .hasMessageStartingWith("decoder.h5: layer 'reflection_padding2d_12' has padding [[1,1],[0,1]]");
        }

        @Test
        void flooringMaxPool() {
            Path f = copy("encoder_tf2.h5", tmp, "encoder.h5");
            editModelConfig(f, m -> layerConfig(m, "block2_pool").put("padding", "valid"));

            assertThatThrownBy(() -> reader.readEncoder(f)).isInstanceOf(ModelException.class)
                    .hasMessageStartingWith("encoder.h5: layer 'block2_pool' has padding 'valid', expected 'same'");
        }

        @Test
        void samePaddingConv() {
            Path f = copy("decoder_tf2.h5", tmp, "decoder.h5");
            editModelConfig(f, m -> layerConfig(m, "conv2d_11").put("padding", "same"));

            assertThatThrownBy(() -> reader.readDecoder(f)).isInstanceOf(ModelException.class)
                    .hasMessageStartingWith("decoder.h5: layer 'conv2d_11' has padding 'same', expected 'valid'");
        }

        @Test
        void fiveByFiveKernelSize() {
            Path f = copy("encoder_tf2.h5", tmp, "encoder.h5");
            editModelConfig(f, m -> layerConfig(m, "block3_conv3").putArray("kernel_size").add(5).add(5));

            assertThatThrownBy(() -> reader.readEncoder(f)).isInstanceOf(ModelException.class)
                    .hasMessage("encoder.h5: layer 'block3_conv3' has kernel_size [5,5], expected [3, 3]");
        }

        @Test
        void bilinearUpsampling() {
            Path f = copy("decoder_tf2.h5", tmp, "decoder.h5");
            editModelConfig(f, m -> layerConfig(m, "up_sampling2d_1").put("interpolation", "bilinear"));

            assertThatThrownBy(() -> reader.readDecoder(f)).isInstanceOf(ModelException.class)
                    .hasMessage("decoder.h5: layer 'up_sampling2d_1' has interpolation 'bilinear', expected "
                            + "'nearest'");
        }

        @Test
        void fourChannelInput() {
            Path f = copy("encoder_tf2.h5", tmp, "encoder.h5");
            editModelConfig(f, m -> layerConfig(m, "input_1").putArray("batch_input_shape").addNull().addNull()
                    .addNull().add(4));

            assertThatThrownBy(() -> reader.readEncoder(f)).isInstanceOf(ModelException.class)
                    .hasMessageStartingWith("encoder.h5: the InputLayer 'input_1' takes 4 channels");
        }
    }

    @Nested
    class WrongLayerSequence {
        @Test
        void missingUpsampling() {
            Path f = copy("decoder_tf2.h5", tmp, "decoder.h5");
            editModelConfig(f, m -> removeLayer(m, "up_sampling2d_1"));

            assertThatThrownBy(() -> reader.readDecoder(f)).isInstanceOf(ModelException.class)
                    .hasMessageStartingWith("decoder.h5: layer 'reflection_padding2d_14' (ReflectionPadding2D, "
                            + "layer 13 of the file) comes where the ×2 upsampling after decoder conv 4 "
                            + "(UpSampling2D) is expected");
        }

        @Test
        void missingPoolInTheEncoder() {
            Path f = copy("encoder_keras23.h5", tmp, "encoder.h5");
            editModelConfig(f, m -> removeLayer(m, "block3_pool"));

            assertThatThrownBy(() -> reader.readEncoder(f)).isInstanceOf(ModelException.class)
                    .hasMessageContaining("comes where the max-pool after conv3_4 (MaxPooling2D) is expected");
        }

        @Test
        void tooFewDecoderLayers() {
            Path f = copy("decoder_tf2.h5", tmp, "decoder.h5");
            editModelConfig(f, m -> {
                ArrayNode l = layers(m);
                l.remove(l.size() - 1);
                l.remove(l.size() - 1);
            });

            assertThatThrownBy(() -> reader.readDecoder(f)).isInstanceOf(ModelException.class)
                    .hasMessage("decoder.h5: the model ends after 20 layers, where the reflection padding before "
                            + "decoder conv 8 (the last, linear one) (ReflectionPadding2D) should follow");
        }

        @Test
        void layerAfterTheLastDecoderConv() {
            Path f = copy("decoder_keras23.h5", tmp, "decoder.h5");
            editModelConfig(f, m -> {
                ArrayNode l = layers(m);
                ObjectNode extra = null;
                for (var layer : l) {
                    if (layer.get("class_name").asText().equals("UpSampling2D")) {
                        extra = ((ObjectNode) layer).deepCopy();
                    }
                }
                ((ObjectNode) extra.get("config")).put("name", "extra_up");
                extra.put("name", "extra_up");
                extra.putArray("inbound_nodes").addArray().addArray().add("dec_conv1_1").add(0).add(0).addObject();
                l.add(extra);
            });

            assertThatThrownBy(() -> reader.readDecoder(f)).isInstanceOf(ModelException.class)
                    .hasMessageStartingWith("decoder.h5: layer 'extra_up' (UpSampling2D, layer 23 of the file) "
                            + "follows the decoder's last conv 'dec_conv1_1'");
        }

        @Test
        void branchingGraph() {
            Path f = copy("decoder_tf2.h5", tmp, "decoder.h5");
            editModelConfig(f, m -> {
                for (var l : layers(m)) {
                    if (l.get("name").asText().equals("reflection_padding2d_11")) {
                        ((ArrayNode) l.get("inbound_nodes").get(0).get(0)).set(0, "conv2d_9");
                    }
                }
            });

            assertThatThrownBy(() -> reader.readDecoder(f)).isInstanceOf(ModelException.class)
                    .hasMessage("decoder.h5: layer 'reflection_padding2d_11' takes its input from [conv2d_9], "
                            + "expected the previous layer 'conv2d_10'; only a straight chain of layers is "
                            + "supported");
        }

        @Test
        void layersAfterConv4_1AreImportedTooSoMustBeKnownToDl4j() {
            // DL4J's weight import refuses weight groups of layers missing from the config, so the whole file
            // is imported; an unknown layer after conv4_1 surfaces as a clean ModelException
            Path f = copy("encoder_keras23.h5", tmp, "encoder.h5");
            editModelConfig(f, m -> {
                for (var l : layers(m)) {
                    if (l.get("name").asText().equals("block4_conv2")) {
                        ((ObjectNode) l).put("class_name", "FancyConv2D");
                    }
                }
            });

            assertThatThrownBy(() -> reader.readEncoder(f)).isInstanceOf(ModelException.class)
                    .hasMessageStartingWith("encoder.h5: the Keras import failed: ")
                    .hasMessageContaining("FancyConv2D");
        }

        private void removeLayer(ObjectNode model, String name) {
            ArrayNode l = layers(model);
            for (int i = 0; i < l.size(); i++) {
                if (l.get(i).get("name").asText().equals(name)) {
                    // rewire the next layer to this one's input, as Keras would have written it
                    ((ObjectNode) l.get(i + 1)).set("inbound_nodes", l.get(i).get("inbound_nodes").deepCopy());
                    l.remove(i);
                    return;
                }
            }
            throw new IllegalArgumentException("No layer " + name);
        }
    }

    @Nested
    class WrongWeights {
        @Test
        void kernelWithTheWrongInputChannels() {
            Path f = copy("decoder_tf2.h5", tmp, "decoder.h5");
            Hdf5Edit.replaceFloats(f, "model_weights/conv2d_13/conv2d_13/kernel:0", new long[] {3, 3, 15, 12},
                    new float[3 * 3 * 15 * 12]);

            assertThatThrownBy(() -> reader.readDecoder(f)).isInstanceOf(ModelException.class)
                    .hasMessageStartingWith("decoder.h5: layer 'conv2d_13' has a kernel of shape [3, 3, 15, 12] "
                            + "(kh, kw, in, out), expected [3, 3, 16, 12]");
        }

        @Test
        void firstDecoderKernelWithFewerChannelsThanTheInputLayer() {
            // DL4J fits the stored kernel to the configured input channels: without the InputLayer check this
            // loaded as a scrambled [16, 24, 3, 3] kernel
            Path f = copy("decoder_tf2.h5", tmp, "decoder.h5");
            Hdf5Edit.replaceFloats(f, "model_weights/conv2d_9/conv2d_9/kernel:0", new long[] {3, 3, 20, 16},
                    new float[3 * 3 * 20 * 16]);

            assertThatThrownBy(() -> reader.readDecoder(f)).isInstanceOf(ModelException.class)
                    .hasMessageStartingWith("decoder.h5: layer 'conv2d_9' has a kernel of shape [3, 3, 20, 16] "
                            + "(kh, kw, in, out), expected [3, 3, 24, 16]")
                    .hasMessageContaining("24 input channels from the InputLayer");
        }

        @Test
        void transposedKernelWithTheSameElementCount() {
            // DL4J alone would silently reshape this one; the shape check must not
            Path f = copy("encoder_tf2.h5", tmp, "encoder.h5");
            Hdf5Edit.replaceFloats(f, "model_weights/block2_conv1/block2_conv1/kernel:0", new long[] {3, 3, 12, 8},
                    new float[3 * 3 * 12 * 8]);

            assertThatThrownBy(() -> reader.readEncoder(f)).isInstanceOf(ModelException.class)
                    .hasMessageStartingWith("encoder.h5: layer 'block2_conv1' has a kernel of shape [3, 3, 12, 8]");
        }

        @Test
        void missingBiasDataset() {
            Path f = copy("decoder_tf2.h5", tmp, "decoder.h5");
            Hdf5Edit.deleteDataset(f, "model_weights/conv2d_10/conv2d_10/bias:0");

            assertThatThrownBy(() -> reader.readDecoder(f)).isInstanceOf(ModelException.class)
                    .hasMessage("decoder.h5: layer 'conv2d_10' lists the weight 'conv2d_10/bias:0' in weight_names, "
                            + "but the file has no dataset 'model_weights/conv2d_10/conv2d_10/bias:0'");
        }

        @Test
        void missingNotopKernelDataset() {
            Path f = copy("vgg19_notop.h5", tmp, "vgg19.h5");
            Hdf5Edit.deleteDataset(f, "block2_conv2/block2_conv2_W_1:0");

            assertThatThrownBy(() -> reader.readEncoder(f)).isInstanceOf(ModelException.class)
                    .hasMessage("vgg19.h5: layer 'block2_conv2' lists the weight 'block2_conv2_W_1:0' in "
                            + "weight_names, but the file has no dataset 'block2_conv2/block2_conv2_W_1:0'");
        }

        @Test
        void biasOfTheWrongLength() {
            Path f = copy("encoder_keras23.h5", tmp, "encoder.h5");
            Hdf5Edit.replaceFloats(f, "model_weights/block1_conv1/block1_conv1/bias:0", new long[] {9},
                    new float[9]);

            assertThatThrownBy(() -> reader.readEncoder(f)).isInstanceOf(ModelException.class)
                    .hasMessage("encoder.h5: layer 'block1_conv1' has a bias of shape [9], expected [8]");
        }

        @Test
        void nanInAnEncoderKernel() {
            Path f = copy("encoder_tf2.h5", tmp, "encoder.h5");
            editFloats(f, "model_weights/block3_conv2/block3_conv2/kernel:0", v -> v[100] = Float.NaN);

            assertThatThrownBy(() -> reader.readEncoder(f)).isInstanceOf(ModelException.class)
                    .hasMessageStartingWith("encoder.h5: Layer 'block3_conv2': kernel value ")
                    .hasMessageContaining("is NaN");
        }

        @Test
        void infinityInADecoderBias() {
            Path f = copy("decoder_keras23.h5", tmp, "decoder.h5");
            editFloats(f, "model_weights/dec_conv2_2/dec_conv2_2/bias:0", v -> v[3] = Float.POSITIVE_INFINITY);

            assertThatThrownBy(() -> reader.readDecoder(f)).isInstanceOf(ModelException.class)
                    .hasMessageStartingWith("decoder.h5: Layer 'dec_conv2_2': bias value 3 is Infinity");
        }

        @Test
        void nanInANotopKernel() {
            Path f = copy("vgg19_notop.h5", tmp, "vgg19.h5");
            editFloats(f, "block1_conv2/block1_conv2_W_1:0", v -> v[0] = Float.NaN);

            assertThatThrownBy(() -> reader.readEncoder(f)).isInstanceOf(ModelException.class)
                    .hasMessageStartingWith("vgg19.h5: Layer 'block1_conv2': kernel value 0 is NaN");
        }

        @Test
        void notopWithALayerMissing() {
            // a VGG-16-like order: block3 has one conv fewer
            Path f = copy("vgg19_notop.h5", tmp, "vgg19.h5");
            List<String> names = new ArrayList<>(List.of("input_1", "block1_conv1", "block1_conv2", "block1_pool",
                    "block2_conv1", "block2_conv2", "block2_pool", "block3_conv1", "block3_conv2", "block3_conv3",
                    "block3_pool", "block4_conv1", "block4_conv2"));
            Hdf5Edit.writeStringArrayAttribute(f, "/", "layer_names", names);

            assertThatThrownBy(() -> reader.readEncoder(f)).isInstanceOf(ModelException.class)
                    .hasMessageStartingWith("vgg19.h5: weighted layer 8 is 'block4_conv1', expected 'block3_conv4'");
        }

        @Test
        void notopWithTooFewLayers() {
            Path f = copy("vgg19_notop_keras2.h5", tmp, "vgg19.h5");
            Hdf5Edit.writeStringArrayAttribute(f, "/", "layer_names",
                    List.of("input_1", "block1_conv1", "block1_conv2", "block1_pool", "block2_conv1"));

            assertThatThrownBy(() -> reader.readEncoder(f)).isInstanceOf(ModelException.class)
                    .hasMessageStartingWith("vgg19.h5: holds 3 layers with weights [block1_conv1, block1_conv2, "
                            + "block2_conv1], but the Keras-applications VGG-19 encoder needs 9");
        }
    }

    private static void assertEncoderShapes(EncoderWeights w) {
        int in = 3;
        for (int i = 0; i < w.convs().size(); i++) {
            ConvLayer c = w.convs().get(i);
            assertThat(c.shapeString()).as(c.name()).isEqualTo("[" + ENCODER_OUT[i] + ", " + in + ", 3, 3]");
            in = ENCODER_OUT[i];
        }
        assertThat(w.featureChannels()).isEqualTo(24);
    }

    private static void assertSameWeights(ConvLayer a, ConvLayer b) {
        assertThat(a.shapeString()).isEqualTo(b.shapeString());
        assertThat(a.kernelOihw()).as(a.name()).containsExactly(b.kernelOihw());
        assertThat(a.bias()).as(a.name()).containsExactly(b.bias());
    }

    private static int oihw(int o, int i, int y, int x, int in, int kh, int kw) {
        return ((o * in + i) * kh + y) * kw + x;
    }

    private static byte[] head(Path f) throws IOException {
        try (InputStream in = Files.newInputStream(f)) {
            return in.readNBytes(512);
        }
    }
}
