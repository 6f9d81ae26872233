package org.adain.dl4j.modelimport;

import static org.adain.dl4j.modelimport.Hdf5Edit.copy;
import static org.adain.dl4j.modelimport.Hdf5Edit.editFloats;
import static org.adain.dl4j.modelimport.Hdf5Edit.editModelConfig;
import static org.adain.dl4j.modelimport.Hdf5Edit.fixture;
import static org.adain.dl4j.modelimport.Hdf5Edit.layerConfig;
import static org.adain.dl4j.modelimport.Hdf5Edit.layers;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import org.adain.ModelException;
import org.adain.format.KerasWeightsReader;
import org.adain.format.WeightFormats;
import org.adain.spi.ConvLayer;
import org.adain.spi.DecoderWeights;
import org.adain.spi.EncoderWeights;
import org.adain.spi.WeightsReader;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.shade.jackson.databind.node.ArrayNode;
import org.nd4j.shade.jackson.databind.node.ObjectNode;

/**
 * adain-api's pure-Java {@link KerasWeightsReader} against this module's native {@link KerasHdf5WeightsReader}
 * (DL4J's Keras import over native HDF5), before the first replaces the second: on every .h5 fixture they give
 * bit-identical weights, and on every bad file of {@link KerasHdf5WeightsReaderTest} both refuse with the same
 * message, except where the native reader's message comes from native HDF5 or DL4J (named per case).
 */
class KerasReadersParityTest {
    private final KerasHdf5WeightsReader dl4j = new KerasHdf5WeightsReader();
    private final KerasWeightsReader pure = new KerasWeightsReader();

    @TempDir
    Path tmp;

    static final List<String> FIXTURES = List.of("encoder_tf2.h5", "encoder_keras23.h5", "decoder_tf2.h5",
            "decoder_keras23.h5", "vgg19_notop.h5", "vgg19_notop_keras2.h5");

    // ---- the fixtures -------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"encoder_tf2.h5", "encoder_keras23.h5", "decoder_tf2.h5", "decoder_keras23.h5",
        "vgg19_notop.h5", "vgg19_notop_keras2.h5"})
    void bothReadersGiveBitIdenticalWeightsOrTheSameRefusal(String name) {
        Path f = fixture(name);
        compareEncoders(f);
        compareDecoders(f);
    }

    @Test
    void aUserBlockBeforeTheSuperblockToo() throws IOException {
        for (String name : FIXTURES) {
            Path f = tmp.resolve("ub_" + name);
            byte[] original = Files.readAllBytes(fixture(name));
            byte[] shifted = new byte[1024 + original.length];
            System.arraycopy(original, 0, shifted, 1024, original.length);
            Files.write(f, shifted);
            assertThat(pure.canRead(f, head(f))).isTrue();
            compareEncoders(f);
            compareDecoders(f);
        }
    }

    @Test
    void thePureJavaReaderReadsEveryH5() {
        // The native reader is a test-only oracle now: it is not registered, so users never reach native HDF5.
        WeightsReader chosen = WeightFormats.readerFor(fixture("encoder_tf2.h5"), "encoder",
                KerasReadersParityTest.class.getClassLoader());
        assertThat(chosen).isInstanceOf(KerasWeightsReader.class);
        assertThat(WeightFormats.readers(KerasReadersParityTest.class.getClassLoader()))
                .noneMatch(r -> r instanceof KerasHdf5WeightsReader);
    }

    @ParameterizedTest
    @ValueSource(strings = {"encoder_tf2.h5", "decoder_keras23.h5", "vgg19_notop.h5"})
    void eachReaderReadsWhatEitherWriterWrites(String name) {
        // the pure-Java writer (fixed-length strings) and the native one (variable-length strings), each read by
        // both readers; compareEncoders/compareDecoders hold the two readers to the same weights
        boolean decoder = name.startsWith("decoder");
        for (var w : List.of(new org.adain.format.KerasHdf5WeightsWriter(), new KerasHdf5Writer())) {
            Path out = tmp.resolve(w.getClass().getSimpleName() + "_" + name);
            if (decoder) {
                DecoderWeights want = dl4j.readDecoder(fixture(name));
                w.writeDecoder(want, out);
                compareDecoders(out);
                List<ConvLayer> got = pure.readDecoder(out).convs();
                for (int i = 0; i < want.convs().size(); i++) {
                    assertThat(bits(got.get(i).kernelOihw())).containsExactly(bits(want.convs().get(i).kernelOihw()));
                    assertThat(bits(got.get(i).bias())).containsExactly(bits(want.convs().get(i).bias()));
                }
            } else {
                EncoderWeights want = dl4j.readEncoder(fixture(name));
                w.writeEncoder(want, out);
                compareEncoders(out);
                EncoderWeights got = pure.readEncoder(out);
                assertThat(got.kind()).isEqualTo(want.kind());
                for (int i = 0; i < want.convs().size(); i++) {
                    assertBitIdentical(got.convs().get(i), want.convs().get(i));
                }
            }
        }
    }

    private void compareEncoders(Path f) {
        EncoderWeights want;
        try {
            want = dl4j.readEncoder(f);
        } catch (ModelException e) {
            assertThatThrownBy(() -> pure.readEncoder(f)).as(f.getFileName() + " as encoder")
                    .isInstanceOf(ModelException.class).hasMessage(e.getMessage());
            return;
        }
        EncoderWeights got = pure.readEncoder(f);
        assertThat(got.kind()).isEqualTo(want.kind());
        assertThat(got.source()).isEqualTo(want.source());
        assertThat(got.preprocess() == null).isEqualTo(want.preprocess() == null);
        if (want.preprocess() != null) {
            assertBitIdentical(got.preprocess(), want.preprocess());
        }
        assertThat(got.convs()).hasSameSizeAs(want.convs());
        for (int i = 0; i < want.convs().size(); i++) {
            assertBitIdentical(got.convs().get(i), want.convs().get(i));
        }
    }

    private void compareDecoders(Path f) {
        DecoderWeights want;
        try {
            want = dl4j.readDecoder(f);
        } catch (ModelException e) {
            assertThatThrownBy(() -> pure.readDecoder(f)).as(f.getFileName() + " as decoder")
                    .isInstanceOf(ModelException.class).hasMessage(e.getMessage());
            return;
        }
        DecoderWeights got = pure.readDecoder(f);
        assertThat(got.source()).isEqualTo(want.source());
        assertThat(got.convs()).hasSameSizeAs(want.convs());
        for (int i = 0; i < want.convs().size(); i++) {
            assertBitIdentical(got.convs().get(i), want.convs().get(i));
        }
    }

    private static void assertBitIdentical(ConvLayer got, ConvLayer want) {
        assertThat(got.name()).isEqualTo(want.name());
        assertThat(got.shapeString()).as(want.name()).isEqualTo(want.shapeString());
        assertThat(bits(got.kernelOihw())).as(want.name() + " kernel").containsExactly(bits(want.kernelOihw()));
        assertThat(bits(got.bias())).as(want.name() + " bias").containsExactly(bits(want.bias()));
    }

    private static int[] bits(float[] v) {
        int[] out = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = Float.floatToRawIntBits(v[i]);
        }
        return out;
    }

    private static byte[] head(Path f) throws IOException {
        try (InputStream in = Files.newInputStream(f)) {
            return in.readNBytes(512);
        }
    }

    // ---- the bad files of KerasHdf5WeightsReaderTest, through both readers --------------------------

    /** Both readers refuse the file in the role with the same message; returns it. */
    private String sameRefusal(Path f, boolean encoder) {
        String native_ = refusal(() -> role(dl4j, f, encoder), "the native reader", f);
        String java = refusal(() -> role(pure, f, encoder), "the pure-Java reader", f);
        assertThat(java).as("the pure-Java reader's message for " + f.getFileName()).isEqualTo(native_);
        return java;
    }

    private static Object role(WeightsReader r, Path f, boolean encoder) {
        return encoder ? r.readEncoder(f) : r.readDecoder(f);
    }

    private static String refusal(Runnable read, String who, Path f) {
        try {
            read.run();
        } catch (ModelException e) {
            return e.getMessage();
        }
        return fail(who + " accepted " + f.getFileName());
    }

    private Path edited(String fixture, String as, Consumer<ObjectNode> edit) {
        Path f = copy(fixture, tmp, as);
        editModelConfig(f, edit);
        return f;
    }

    @Nested
    class NotAModelFile {
        @Test
        void missingFileAndDirectory() {
            assertThat(sameRefusal(tmp.resolve("nope.h5"), true)).startsWith("nope.h5: no such file");
            assertThat(sameRefusal(tmp, false)).contains("not a regular file");
        }

        @Test
        void randomBytes() throws IOException {
            Path f = tmp.resolve("random.h5");
            byte[] bytes = new byte[4096];
            new Random(7).nextBytes(bytes);
            Files.write(f, bytes);
            assertThat(pure.canRead(f, head(f))).isEqualTo(dl4j.canRead(f, head(f))).isFalse();
            assertThat(sameRefusal(f, true))
                    .isEqualTo("random.h5: not an HDF5 file (no HDF5 signature); a Keras .h5 file is expected");
        }

        @Test
        void truncatedFixtureNamesTheTruncation() throws IOException {
            // native: "HDF5 cannot open the file (H5Fopen failed ...)"; pure Java: where the file should end
            Path f = tmp.resolve("truncated.h5");
            byte[] original = Files.readAllBytes(fixture("encoder_tf2.h5"));
            Files.write(f, Arrays.copyOf(original, original.length / 2));
            assertThatThrownBy(() -> dl4j.readEncoder(f)).isInstanceOf(ModelException.class);
            assertThatThrownBy(() -> pure.readEncoder(f)).isInstanceOf(ModelException.class)
                    .hasMessage("truncated.h5: the file is truncated: the superblock says it ends at byte "
                            + original.length + ", but it has " + original.length / 2 + " bytes");
        }

        @Test
        void hdf5SignatureFollowedByGarbage() throws IOException {
            Path f = tmp.resolve("garbage.h5");
            byte[] bytes = new byte[4096];
            new Random(11).nextBytes(bytes);
            System.arraycopy(Hdf5Access.SIGNATURE, 0, bytes, 0, Hdf5Access.SIGNATURE.length);
            Files.write(f, bytes);
            assertThatThrownBy(() -> dl4j.readEncoder(f)).isInstanceOf(ModelException.class);
            assertThatThrownBy(() -> pure.readEncoder(f)).isInstanceOf(ModelException.class)
                    .hasMessageStartingWith("garbage.h5: the superblock has version ");
        }

        @Test
        void hdf5ButNotKeras() {
            Path f = tmp.resolve("plain.h5");
            Hdf5Edit.createEmptyHdf5(f);
            assertThat(sameRefusal(f, true)).startsWith("plain.h5: is an HDF5 file but not a Keras model");
        }
    }

    @Nested
    class WrongKindOfModel {
        @Test
        void eachFixtureInTheOtherRole() {
            assertThat(sameRefusal(fixture("decoder_tf2.h5"), true)).contains("this looks like an AdaIN decoder");
            assertThat(sameRefusal(fixture("encoder_keras23.h5"), false)).contains("this looks like a VGG encoder");
            assertThat(sameRefusal(fixture("vgg19_notop.h5"), false))
                    .startsWith("vgg19_notop.h5: is a weights-only Keras file");
        }

        @Test
        void sequentialModel() {
            Path f = edited("encoder_tf2.h5", "seq.h5", m -> m.put("class_name", "Sequential"));
            assertThat(sameRefusal(f, true)).startsWith("seq.h5: is a Keras Sequential model");
        }
    }

    @Nested
    class WrongLayerConfig {
        @Test
        void activations() {
            assertThat(sameRefusal(edited("encoder_tf2.h5", "e1.h5",
                    m -> layerConfig(m, "block2_conv1").put("activation", "linear")), true))
                    .isEqualTo("e1.h5: layer 'block2_conv1' has activation 'linear', expected 'relu'");
            assertThat(sameRefusal(edited("encoder_keras23.h5", "e2.h5",
                    m -> layerConfig(m, "preprocess_conv").put("activation", "relu")), true))
                    .isEqualTo("e2.h5: layer 'preprocess_conv' has activation 'relu', expected 'linear'");
            assertThat(sameRefusal(edited("decoder_keras23.h5", "d1.h5",
                    m -> layerConfig(m, "dec_conv1_1").put("activation", "relu")), false))
                    .isEqualTo("d1.h5: layer 'dec_conv1_1' has activation 'relu', expected 'linear'");
        }

        @Test
        void paddings() {
            assertThat(sameRefusal(edited("encoder_keras23.h5", "e.h5",
                    m -> layerConfig(m, "reflection_padding2d_3").putArray("padding").add(2).add(2)), true))
                    .isEqualTo("e.h5: layer 'reflection_padding2d_3' has padding [2,2], expected 1 on every side "
                            + "([[1, 1], [1, 1]])");
            assertThat(sameRefusal(edited("decoder_tf2.h5", "d.h5", m -> {
                ArrayNode p = layerConfig(m, "reflection_padding2d_12").putArray("padding");
                p.addArray().add(1).add(1);
                p.addArray().add(0).add(1);
            }), false)).startsWith("d.h5: layer 'reflection_padding2d_12' has padding [[1,1],[0,1]]");
            assertThat(sameRefusal(edited("encoder_tf2.h5", "e2.h5",
                    m -> layerConfig(m, "block2_pool").put("padding", "valid")), true))
                    .startsWith("e2.h5: layer 'block2_pool' has padding 'valid', expected 'same'");
            assertThat(sameRefusal(edited("decoder_tf2.h5", "d2.h5",
                    m -> layerConfig(m, "conv2d_11").put("padding", "same")), false))
                    .startsWith("d2.h5: layer 'conv2d_11' has padding 'same', expected 'valid'");
        }

        @Test
        void sizesAndInterpolationAndInput() {
            assertThat(sameRefusal(edited("encoder_tf2.h5", "e.h5",
                    m -> layerConfig(m, "block3_conv3").putArray("kernel_size").add(5).add(5)), true))
                    .isEqualTo("e.h5: layer 'block3_conv3' has kernel_size [5,5], expected [3, 3]");
            assertThat(sameRefusal(edited("decoder_tf2.h5", "d.h5",
                    m -> layerConfig(m, "up_sampling2d_1").put("interpolation", "bilinear")), false))
                    .isEqualTo("d.h5: layer 'up_sampling2d_1' has interpolation 'bilinear', expected 'nearest'");
            assertThat(sameRefusal(edited("encoder_tf2.h5", "e2.h5", m -> layerConfig(m, "input_1")
                    .putArray("batch_input_shape").addNull().addNull().addNull().add(4)), true))
                    .startsWith("e2.h5: the InputLayer 'input_1' takes 4 channels");
        }
    }

    @Nested
    class WrongLayerSequence {
        private void removeLayer(ObjectNode model, String name) {
            ArrayNode l = layers(model);
            for (int i = 0; i < l.size(); i++) {
                if (l.get(i).get("name").asText().equals(name)) {
                    ((ObjectNode) l.get(i + 1)).set("inbound_nodes", l.get(i).get("inbound_nodes").deepCopy());
                    l.remove(i);
                    return;
                }
            }
            throw new IllegalArgumentException("No layer " + name);
        }

        @Test
        void missingAndExtraLayers() {
            assertThat(sameRefusal(edited("decoder_tf2.h5", "d.h5", m -> removeLayer(m, "up_sampling2d_1")), false))
                    .startsWith("d.h5: layer 'reflection_padding2d_14' (ReflectionPadding2D, layer 13 of the file) "
                            + "comes where the ×2 upsampling after decoder conv 4 (UpSampling2D) is expected");
            assertThat(sameRefusal(edited("encoder_keras23.h5", "e.h5", m -> removeLayer(m, "block3_pool")), true))
                    .contains("comes where the max-pool after conv3_4 (MaxPooling2D) is expected");
            assertThat(sameRefusal(edited("decoder_tf2.h5", "d2.h5", m -> {
                ArrayNode l = layers(m);
                l.remove(l.size() - 1);
                l.remove(l.size() - 1);
            }), false)).isEqualTo("d2.h5: the model ends after 20 layers, where the reflection padding before "
                    + "decoder conv 8 (the last, linear one) (ReflectionPadding2D) should follow");
            assertThat(sameRefusal(edited("decoder_keras23.h5", "d3.h5", m -> {
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
            }), false)).startsWith("d3.h5: layer 'extra_up' (UpSampling2D, layer 23 of the file) follows the "
                    + "decoder's last conv 'dec_conv1_1'");
        }

        @Test
        void branchingGraph() {
            assertThat(sameRefusal(edited("decoder_tf2.h5", "d.h5", m -> {
                for (var l : layers(m)) {
                    if (l.get("name").asText().equals("reflection_padding2d_11")) {
                        ((ArrayNode) l.get("inbound_nodes").get(0).get(0)).set(0, "conv2d_9");
                    }
                }
            }), false)).isEqualTo("d.h5: layer 'reflection_padding2d_11' takes its input from [conv2d_9], expected "
                    + "the previous layer 'conv2d_10'; only a straight chain of layers is supported");
        }

        @Test
        void anUnknownLayerAfterConv4_1IsNotReadByThePureReader() {
            // DL4J imports the whole file, so its reader refuses a layer it does not know even after conv4_1; the
            // pure-Java reader never looks past conv4_1 and reads the weights as from the unedited file
            Path f = edited("encoder_keras23.h5", "e.h5", m -> {
                for (var l : layers(m)) {
                    if (l.get("name").asText().equals("block4_conv2")) {
                        ((ObjectNode) l).put("class_name", "FancyConv2D");
                    }
                }
            });
            assertThatThrownBy(() -> dl4j.readEncoder(f)).isInstanceOf(ModelException.class)
                    .hasMessageContaining("FancyConv2D");
            EncoderWeights got = pure.readEncoder(f);
            EncoderWeights want = dl4j.readEncoder(fixture("encoder_keras23.h5"));
            for (int i = 0; i < want.convs().size(); i++) {
                assertBitIdentical(got.convs().get(i), want.convs().get(i));
            }
        }
    }

    @Nested
    class WrongWeights {
        @Test
        void kernelShapes() {
            Path f = copy("decoder_tf2.h5", tmp, "d.h5");
            Hdf5Edit.replaceFloats(f, "model_weights/conv2d_13/conv2d_13/kernel:0", new long[] {3, 3, 15, 12},
                    new float[3 * 3 * 15 * 12]);
            assertThat(sameRefusal(f, false)).startsWith("d.h5: layer 'conv2d_13' has a kernel of shape "
                    + "[3, 3, 15, 12] (kh, kw, in, out), expected [3, 3, 16, 12]");

            Path g = copy("decoder_tf2.h5", tmp, "d2.h5");
            Hdf5Edit.replaceFloats(g, "model_weights/conv2d_9/conv2d_9/kernel:0", new long[] {3, 3, 20, 16},
                    new float[3 * 3 * 20 * 16]);
            assertThat(sameRefusal(g, false)).contains("24 input channels from the InputLayer");

            Path h = copy("encoder_tf2.h5", tmp, "e.h5");
            Hdf5Edit.replaceFloats(h, "model_weights/block2_conv1/block2_conv1/kernel:0", new long[] {3, 3, 12, 8},
                    new float[3 * 3 * 12 * 8]);
            assertThat(sameRefusal(h, true)).startsWith("e.h5: layer 'block2_conv1' has a kernel of shape "
                    + "[3, 3, 12, 8]");

            Path b = copy("encoder_keras23.h5", tmp, "e2.h5");
            Hdf5Edit.replaceFloats(b, "model_weights/block1_conv1/block1_conv1/bias:0", new long[] {9}, new float[9]);
            assertThat(sameRefusal(b, true)).isEqualTo("e2.h5: layer 'block1_conv1' has a bias of shape [9], "
                    + "expected [8]");
        }

        @Test
        void missingDatasets() {
            Path f = copy("decoder_tf2.h5", tmp, "d.h5");
            Hdf5Edit.deleteDataset(f, "model_weights/conv2d_10/conv2d_10/bias:0");
            assertThat(sameRefusal(f, false)).isEqualTo("d.h5: layer 'conv2d_10' lists the weight "
                    + "'conv2d_10/bias:0' in weight_names, but the file has no dataset "
                    + "'model_weights/conv2d_10/conv2d_10/bias:0'");
            Path g = copy("vgg19_notop.h5", tmp, "v.h5");
            Hdf5Edit.deleteDataset(g, "block2_conv2/block2_conv2_W_1:0");
            assertThat(sameRefusal(g, true)).isEqualTo("v.h5: layer 'block2_conv2' lists the weight "
                    + "'block2_conv2_W_1:0' in weight_names, but the file has no dataset "
                    + "'block2_conv2/block2_conv2_W_1:0'");
        }

        @Test
        void nanAndInfinity() {
            Path f = copy("encoder_tf2.h5", tmp, "e.h5");
            editFloats(f, "model_weights/block3_conv2/block3_conv2/kernel:0", v -> v[100] = Float.NaN);
            assertThat(sameRefusal(f, true)).startsWith("e.h5: Layer 'block3_conv2': kernel value ")
                    .contains("is NaN");
            Path g = copy("decoder_keras23.h5", tmp, "d.h5");
            editFloats(g, "model_weights/dec_conv2_2/dec_conv2_2/bias:0", v -> v[3] = Float.POSITIVE_INFINITY);
            assertThat(sameRefusal(g, false)).startsWith("d.h5: Layer 'dec_conv2_2': bias value 3 is Infinity");
            Path h = copy("vgg19_notop.h5", tmp, "v.h5");
            editFloats(h, "block1_conv2/block1_conv2_W_1:0", v -> v[0] = Float.NaN);
            assertThat(sameRefusal(h, true)).startsWith("v.h5: Layer 'block1_conv2': kernel value 0 is NaN");
        }

        @Test
        void notopLayerLists() {
            Path f = copy("vgg19_notop.h5", tmp, "v.h5");
            Hdf5Edit.writeStringArrayAttribute(f, "/", "layer_names", new ArrayList<>(List.of("input_1",
                    "block1_conv1", "block1_conv2", "block1_pool", "block2_conv1", "block2_conv2", "block2_pool",
                    "block3_conv1", "block3_conv2", "block3_conv3", "block3_pool", "block4_conv1", "block4_conv2")));
            assertThat(sameRefusal(f, true)).startsWith("v.h5: weighted layer 8 is 'block4_conv1', expected "
                    + "'block3_conv4'");
            Path g = copy("vgg19_notop_keras2.h5", tmp, "v2.h5");
            Hdf5Edit.writeStringArrayAttribute(g, "/", "layer_names",
                    List.of("input_1", "block1_conv1", "block1_conv2", "block1_pool", "block2_conv1"));
            assertThat(sameRefusal(g, true)).startsWith("v2.h5: holds 3 layers with weights [block1_conv1, "
                    + "block1_conv2, block2_conv1], but the Keras-applications VGG-19 encoder needs 9");
            Path h = copy("vgg19_notop.h5", tmp, "v3.h5");
            Hdf5Edit.writeStringArrayAttribute(h, "/", "layer_names", List.of("input_1", "block1_conv1", "nothere"));
            assertThat(sameRefusal(h, true)).isEqualTo("v3.h5: layer_names lists 'nothere' but the file has no such "
                    + "group");
        }
    }
}
