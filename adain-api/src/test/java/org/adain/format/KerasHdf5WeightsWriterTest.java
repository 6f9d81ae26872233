package org.adain.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.adain.AdainException;
import org.adain.InvalidRequestException;
import org.adain.ModelException;
import org.adain.fake.FakeWeightsReader;
import org.adain.spi.ConvLayer;
import org.adain.spi.DecoderWeights;
import org.adain.spi.EncoderKind;
import org.adain.spi.EncoderWeights;
import org.adain.spi.WeightsWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pure-Java Keras HDF5 writer: the Keras layout (checked structure by structure with {@link Hdf5WriterCheck}),
 * reproducible bytes, atomic writes through {@link WeightFormats}, and writer precedence.
 *
 * <p>Checked by hand with h5py 3.7 / HDF5 1.10.8 (Debian python3-h5py), on the files these tests write (the
 * decoder of {@link #decoder(long)} seed 1, whose SHA-256 is {@link #DECODER_SHA256}; the encoders of seed 2; a
 * 1000-member group): {@code h5dump} prints every object without error; h5py lists the groups and datasets in
 * tf.keras' layout, root {@code backend} / {@code keras_version} / {@code model_config} and
 * {@code model_weights.attrs['layer_names']} are fixed-length NUL-padded ASCII strings (numpy {@code |S}, read as
 * bytes, as Keras 2.3 under h5py 2 wrote them: tf.keras' {@code load_model} decodes them), {@code weight_names}
 * are {@code |S} arrays or empty float64 arrays, kernels float32 {@code [kh, kw, in, out]} and biases float32
 * {@code [out]}, contiguous, equal to the weights given; {@code json.loads(model_config)} is a Functional model;
 * every one of 1000 members is found by name and iterated in order (a two-level B-tree); and HDF5 itself can open
 * such a file read-write, add 50 groups and a dataset, delete a member and read it all back.
 */
class KerasHdf5WeightsWriterTest {
    /**
     * SHA-256 of the file {@link #decoder(long) decoder(1)} gives: the bytes h5py read (see above). A different
     * value means the writer's output changed: check it with h5py again before updating this.
     */
    static final String DECODER_SHA256 = "db11dfb04e79c514beab9a59d4a17b0a94c54a0764498c9b2fd85c66cecab307";

    @TempDir
    Path dir;

    private static ConvLayer conv(String name, int out, int in, int k, Random r) {
        float[] kernel = new float[out * in * k * k];
        float[] bias = new float[out];
        for (int i = 0; i < kernel.length; i++) {
            kernel[i] = r.nextFloat() * 2 - 1;
        }
        for (int i = 0; i < bias.length; i++) {
            bias[i] = r.nextFloat() - 0.5f;
        }
        return new ConvLayer(name, out, in, k, k, kernel, bias);
    }

    /** The small topology of the testkit (8/12/16/24 channels) with seeded random weights. */
    static EncoderWeights encoder(EncoderKind kind, long seed) {
        Random r = new Random(seed);
        int[][] io = {{3, 8}, {8, 8}, {8, 12}, {12, 12}, {12, 16}, {16, 16}, {16, 16}, {16, 16}, {16, 24}};
        ConvLayer pre = kind == EncoderKind.NORMALISED_VGG19 ? conv("pre", 3, 3, 1, r) : null;
        List<ConvLayer> convs = new ArrayList<>();
        for (int[] c : io) {
            convs.add(conv("c" + convs.size(), c[1], c[0], 3, r));
        }
        return new EncoderWeights(kind, pre, convs, "seed " + seed);
    }

    static DecoderWeights decoder(long seed) {
        Random r = new Random(seed);
        int[][] io = {{24, 16}, {16, 16}, {16, 16}, {16, 16}, {16, 12}, {12, 12}, {12, 8}, {8, 8}, {8, 3}};
        List<ConvLayer> convs = new ArrayList<>();
        for (int[] c : io) {
            convs.add(conv("d" + convs.size(), c[1], c[0], 3, r));
        }
        return new DecoderWeights(convs, "seed " + seed);
    }

    private byte[] write(EncoderWeights e) throws IOException {
        Path f = dir.resolve("e" + System.nanoTime() + ".h5");
        new KerasHdf5WeightsWriter().writeEncoder(e, f);
        return Files.readAllBytes(f);
    }

    private byte[] write(DecoderWeights d) throws IOException {
        Path f = dir.resolve("d" + System.nanoTime() + ".h5");
        new KerasHdf5WeightsWriter().writeDecoder(d, f);
        return Files.readAllBytes(f);
    }

    /** The conv's stored kernel is its OIHW kernel in Keras' HWIO order, its bias the same floats. */
    private static void assertConv(Hdf5WriterCheck.Node layerGroup, String name, ConvLayer c) {
        assertThat(layerGroup.attributes().get("weight_names")).isEqualTo(List.of(name + "/kernel:0",
                name + "/bias:0"));
        assertThat(layerGroup.members()).containsOnlyKeys(name);
        Hdf5WriterCheck.Node kernel = layerGroup.at(name + "/kernel:0");
        Hdf5WriterCheck.Node bias = layerGroup.at(name + "/bias:0");
        int out = c.outChannels();
        int in = c.inChannels();
        int k = c.kernelHeight();
        assertThat(kernel.shape()).containsExactly(k, k, in, out);
        assertThat(bias.shape()).containsExactly(out);
        assertThat(bias.values()).isEqualTo(c.bias());
        float[] oihw = c.kernelOihw();
        float[] hwio = kernel.values();
        for (int o = 0; o < out; o++) {
            for (int i = 0; i < in; i++) {
                for (int y = 0; y < k; y++) {
                    for (int x = 0; x < k; x++) {
                        float want = oihw[((o * in + i) * k + y) * k + x];
                        float got = hwio[((y * k + x) * in + i) * out + o];
                        assertThat(Float.floatToRawIntBits(got)).as(name + " [" + o + "," + i + "," + y + "," + x
                                + "]").isEqualTo(Float.floatToRawIntBits(want));
                    }
                }
            }
        }
    }

    private static void assertWeightless(Hdf5WriterCheck.Node layerGroup) {
        assertThat(layerGroup.members()).isEmpty();
        assertThat((double[]) layerGroup.attributes().get("weight_names")).isEmpty();
    }

    @Test
    void aDecoderIsAFullTfKerasModel() throws Exception {
        DecoderWeights d = decoder(1);
        Hdf5WriterCheck.Node root = Hdf5WriterCheck.root(write(d));
        assertThat(root.attributes()).containsOnlyKeys("backend", "keras_version", "model_config");
        assertThat(root.attributes().get("backend")).isEqualTo("tensorflow");
        assertThat(root.attributes().get("keras_version")).isEqualTo("2.12.0");
        assertThat(root.members()).containsOnlyKeys("model_weights");
        Hdf5WriterCheck.Node weights = root.at("model_weights");
        assertThat(weights.attributes()).containsOnlyKeys("backend", "keras_version", "layer_names");
        List<String> names = List.of("input_1", "reflection_padding2d", "conv2d", "up_sampling2d",
                "reflection_padding2d_1", "conv2d_1", "reflection_padding2d_2", "conv2d_2", "reflection_padding2d_3",
                "conv2d_3", "reflection_padding2d_4", "conv2d_4", "up_sampling2d_1", "reflection_padding2d_5",
                "conv2d_5", "reflection_padding2d_6", "conv2d_6", "up_sampling2d_2", "reflection_padding2d_7",
                "conv2d_7", "reflection_padding2d_8", "conv2d_8");
        assertThat(weights.attributes().get("layer_names")).isEqualTo(names);
        List<String> groups = new ArrayList<>(names);
        groups.add("top_level_model_weights");
        assertThat(weights.members()).containsOnlyKeys(groups);
        for (String n : names) {
            if (n.startsWith("conv2d")) {
                int i = n.equals("conv2d") ? 0 : Integer.parseInt(n.substring("conv2d_".length()));
                assertConv(weights.at(n), n, d.convs().get(i));
            } else {
                assertWeightless(weights.at(n));
            }
        }
        assertWeightless(weights.at("top_level_model_weights"));

        String config = (String) root.attributes().get("model_config");
        assertThat(config).startsWith("{\"class_name\":\"Functional\",\"config\":{\"name\":\"model\",\"layers\":["
                + "{\"class_name\":\"InputLayer\",\"config\":{\"batch_input_shape\":[null,null,null,24],");
        assertThat(config).endsWith("\"input_layers\":[[\"input_1\",0,0]],\"output_layers\":[[\"conv2d_8\",0,0]]}}");
        // one ReLU per conv but the last, which is linear; each layer takes the one before
        assertThat(config.split("\"activation\":\"relu\"", -1)).hasSize(9);
        assertThat(config).contains("\"name\":\"conv2d_8\",\"trainable\":true,\"dtype\":\"float32\",\"filters\":3,"
                + "\"kernel_size\":[3,3],\"strides\":[1,1],\"padding\":\"valid\",\"data_format\":\"channels_last\","
                + "\"dilation_rate\":[1,1],\"groups\":1,\"activation\":\"linear\"");
        assertThat(config).contains("{\"class_name\":\"UpSampling2D\",\"config\":{\"name\":\"up_sampling2d_2\","
                + "\"trainable\":true,\"dtype\":\"float32\",\"size\":[2,2],\"data_format\":\"channels_last\","
                + "\"interpolation\":\"nearest\"},\"name\":\"up_sampling2d_2\",\"inbound_nodes\":[[[\"conv2d_6\",0,0,"
                + "{}]]]}");
        assertThat(config).contains("{\"class_name\":\"ReflectionPadding2D\",\"config\":{\"name\":"
                + "\"reflection_padding2d\",\"trainable\":true,\"dtype\":\"float32\",\"padding\":[[1,1],[1,1]]},"
                + "\"name\":\"reflection_padding2d\",\"inbound_nodes\":[[[\"input_1\",0,0,{}]]]}");
    }

    @Test
    void aNormalisedEncoderIsAFullTfKerasModelUpToBlock4Conv1() throws Exception {
        EncoderWeights e = encoder(EncoderKind.NORMALISED_VGG19, 2);
        Hdf5WriterCheck.Node root = Hdf5WriterCheck.root(write(e));
        List<String> names = List.of("input_1", "preprocess_conv", "reflection_padding2d", "block1_conv1",
                "reflection_padding2d_1", "block1_conv2", "block1_pool", "reflection_padding2d_2", "block2_conv1",
                "reflection_padding2d_3", "block2_conv2", "block2_pool", "reflection_padding2d_4", "block3_conv1",
                "reflection_padding2d_5", "block3_conv2", "reflection_padding2d_6", "block3_conv3",
                "reflection_padding2d_7", "block3_conv4", "block3_pool", "reflection_padding2d_8", "block4_conv1");
        Hdf5WriterCheck.Node weights = root.at("model_weights");
        assertThat(weights.attributes().get("layer_names")).isEqualTo(names);
        assertConv(weights.at("preprocess_conv"), "preprocess_conv", e.preprocess());
        for (int i = 0; i < 9; i++) {
            String n = KerasHdf5WeightsWriter.VGG_NAMES.get(i);
            assertConv(weights.at(n), n, e.convs().get(i));
        }
        String config = (String) root.attributes().get("model_config");
        assertThat(config).contains("\"batch_input_shape\":[null,null,null,3]");
        assertThat(config).contains("{\"class_name\":\"MaxPooling2D\",\"config\":{\"name\":\"block3_pool\","
                + "\"trainable\":true,\"dtype\":\"float32\",\"pool_size\":[2,2],\"padding\":\"same\",\"strides\":[2,2],"
                + "\"data_format\":\"channels_last\"},\"name\":\"block3_pool\",\"inbound_nodes\":"
                + "[[[\"block3_conv4\",0,0,{}]]]}");
        assertThat(config).contains("\"name\":\"preprocess_conv\",\"trainable\":true,\"dtype\":\"float32\","
                + "\"filters\":3,\"kernel_size\":[1,1]");
        assertThat(config.split("\"activation\":\"linear\"", -1)).as("only preprocess_conv is linear").hasSize(2);
        assertThat(config).endsWith("\"output_layers\":[[\"block4_conv1\",0,0]]}}");
    }

    @Test
    void aKerasApplicationsEncoderIsAWeightsOnlyNotopFile() throws Exception {
        EncoderWeights e = encoder(EncoderKind.KERAS_APPLICATIONS_VGG19, 2);
        Hdf5WriterCheck.Node root = Hdf5WriterCheck.root(write(e));
        List<String> names = List.of("input_1", "block1_conv1", "block1_conv2", "block1_pool", "block2_conv1",
                "block2_conv2", "block2_pool", "block3_conv1", "block3_conv2", "block3_conv3", "block3_conv4",
                "block3_pool", "block4_conv1");
        assertThat(root.attributes()).containsOnlyKeys("backend", "keras_version", "layer_names");
        assertThat(root.attributes().get("layer_names")).isEqualTo(names);
        assertThat(root.members()).containsOnlyKeys(names);
        for (int i = 0; i < 9; i++) {
            String n = KerasHdf5WeightsWriter.VGG_NAMES.get(i);
            assertConv(root.at(n), n, e.convs().get(i));
        }
        for (String n : List.of("input_1", "block1_pool", "block2_pool", "block3_pool")) {
            assertWeightless(root.at(n));
        }
    }

    @Test
    void theSameWeightsGiveTheSameBytes() throws Exception {
        byte[] first = write(decoder(1));
        assertThat(write(decoder(1))).isEqualTo(first);
        assertThat(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(first)))
                .as("the bytes h5py was checked on").isEqualTo(DECODER_SHA256);
        assertThat(write(decoder(2))).isNotEqualTo(first);
        for (EncoderKind kind : EncoderKind.values()) {
            assertThat(write(encoder(kind, 2))).isEqualTo(write(encoder(kind, 2)));
        }
    }

    @Test
    void largeGroupsSpanSeveralTreeLevels() throws Exception {
        // 1000 links: 125 symbol-table nodes of 8, under 4 B-tree leaves of up to 32, under a root of level 1
        Hdf5Writer h5 = new Hdf5Writer();
        Hdf5Writer.Group big = h5.root().group("big");
        for (int i = 0; i < 1000; i++) {
            Hdf5Writer.Group m = big.group("m" + i);
            m.strings("weight_names", List.of("x" + i));
            if (i % 3 == 0) {
                m.floats("d", new long[] {1}, new float[] {i});
            }
        }
        h5.root().group("empty");
        h5.root().string("utf8", "h\u00e9llo");
        h5.root().floats("scalar", new long[0], new float[] {7});
        h5.root().floats("none", new long[] {0, 4}, new float[0]);
        h5.root().floats("rank5", new long[] {1, 2, 1, 2, 2}, new float[] {1, 2, 3, 4, 5, 6, 7, 8});
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        h5.write(out);
        Hdf5WriterCheck.Node root = Hdf5WriterCheck.root(out.toByteArray());
        assertThat(root.members()).containsOnlyKeys("big", "empty", "scalar", "none", "rank5");
        assertThat(root.at("big").members()).hasSize(1000);
        for (int i = 0; i < 1000; i++) {
            Hdf5WriterCheck.Node m = root.at("big/m" + i);
            assertThat(m.attributes().get("weight_names")).isEqualTo(List.of("x" + i));
            if (i % 3 == 0) {
                assertThat(m.at("d").values()).containsExactly(i);
            } else {
                assertThat(m.members()).isEmpty();
            }
        }
        assertThat(root.at("empty").members()).isEmpty();
        assertThat(root.attributes().get("utf8")).isEqualTo("h\u00e9llo");
        assertThat(root.at("scalar").shape()).isEmpty();
        assertThat(root.at("scalar").values()).containsExactly(7);
        assertThat(root.at("none").shape()).containsExactly(0, 4);
        assertThat(root.at("rank5").values()).containsExactly(1, 2, 3, 4, 5, 6, 7, 8);
    }

    @Test
    void refusesWhatHdf5CannotHold() {
        Hdf5Writer.Group g = new Hdf5Writer().root();
        g.group("a");
        assertThatThrownBy(() -> g.group("a")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("already has a member 'a'");
        for (String bad : List.of("", "a/b", ".", "nul\0")) {
            assertThatThrownBy(() -> g.group(bad)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("Invalid HDF5 link name");
        }
        assertThatThrownBy(() -> g.floats("x", new long[] {2, 3}, new float[5]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs 6 values, got 5");
        assertThatThrownBy(() -> g.strings("s", List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> g.string("s", "a\0b")).isInstanceOf(IllegalArgumentException.class);
        // an attribute must fit one object header message (64 KiB); Keras fails the same way on huge layer lists
        g.string("fits", "x".repeat(Hdf5Writer.MAX_MESSAGE - 40));
        assertThatThrownBy(() -> g.string("model_config", "x".repeat(Hdf5Writer.MAX_MESSAGE)))
                .isInstanceOf(ModelException.class).hasMessageContaining("'model_config'")
                .hasMessageContaining("more than the 65528");
    }

    @Test
    void anUnwritableTargetNamesTheFile() {
        Path target = dir.resolve("missing").resolve("decoder.h5");
        assertThatThrownBy(() -> new KerasHdf5WeightsWriter().writeDecoder(decoder(1), target))
                .isInstanceOf(AdainException.class)
                .hasMessage("Cannot write the Keras HDF5 file " + target + ": NoSuchFileException " + target);
    }

    // ---- atomic writes and precedence --------------------------------------------------------------

    @Test
    void conversionWritesAtomicallyAndNeverTheInput() throws Exception {
        Path in = Files.write(dir.resolve("weights.fake"), FakeWeightsReader.MAGIC);
        Path out = dir.resolve("model.h5");
        Files.writeString(out, "an older file");
        String summary = WeightConversion.convert(in, out);
        assertThat(summary).isEqualTo("weights.fake (Fake test weights) → model.h5 (Keras HDF5): normalised VGG-19 "
                + "encoder, 1×1 preprocessing conv + 9 3×3 convs up to relu4_1 (3 channels)");
        byte[] converted = Files.readAllBytes(out);
        assertThat(converted).isEqualTo(write(new FakeWeightsReader().readEncoder(in)));
        assertThat(dir.toFile().list()).as("no temporary file left").allMatch(n -> !n.endsWith(".tmp"));

        // a write that fails after the writer has run leaves the old file whole, and no temporary file
        assertThatThrownBy(() -> WeightFormats.writeAtomically(out, tmp -> {
            new KerasHdf5WeightsWriter().writeDecoder(decoder(1), tmp);
            assertThat(tmp).exists().isNotEqualTo(out);
            throw new IOException("No space left on device (simulated)");
        })).isInstanceOf(IOException.class);
        assertThat(Files.readAllBytes(out)).isEqualTo(converted);
        assertThat(dir.toFile().list()).allMatch(n -> !n.endsWith(".tmp"));

        // a conversion that fails leaves it too, and the input is never the output
        Path garbage = Files.writeString(dir.resolve("garbage.bin"), "not weights");
        assertThatThrownBy(() -> WeightConversion.convert(garbage, out)).isInstanceOf(ModelException.class);
        assertThatThrownBy(() -> WeightConversion.convert(out, dir.resolve("./model.h5")))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("is the input file");
        assertThat(Files.readAllBytes(out)).isEqualTo(converted);
    }

    /** A second .h5 writer at the default priority, as adain-dl4j's native one is. */
    public static final class DefaultPriorityH5Writer implements WeightsWriter {
        @Override
        public String formatName() {
            return "Keras HDF5";
        }

        @Override
        public boolean canWrite(Path target) {
            return target.toString().endsWith(".h5");
        }

        @Override
        public void writeEncoder(EncoderWeights weights, Path target) {
            throw new AdainException("not used");
        }

        @Override
        public void writeDecoder(DecoderWeights weights, Path target) {
            throw new AdainException("not used");
        }
    }

    @Test
    void aDefaultPriorityWriterOfTheSameFormatWinsWhateverTheClassPathOrder() throws Exception {
        ClassLoader tests = getClass().getClassLoader();
        assertThat(WeightFormats.writerFor(dir.resolve("x.h5"), tests)).isInstanceOf(KerasHdf5WeightsWriter.class);
        assertThat(new KerasHdf5WeightsWriter().priority()).isNegative();

        // a class path listing this writer before another .h5 writer of priority 0
        Path services = Files.createDirectories(dir.resolve("cp/META-INF/services"));
        Files.writeString(services.resolve(WeightsWriter.class.getName()), KerasHdf5WeightsWriter.class.getName()
                + "\n" + DefaultPriorityH5Writer.class.getName() + "\n", StandardCharsets.UTF_8);
        try (URLClassLoader cp = new URLClassLoader(new URL[] {dir.resolve("cp").toUri().toURL()}, tests)) {
            assertThat(WeightFormats.writerFor(dir.resolve("x.h5"), cp)).isInstanceOf(DefaultPriorityH5Writer.class);
            assertThat(WeightFormats.writerFor(dir.resolve("x.hdf5"), cp)).isInstanceOf(KerasHdf5WeightsWriter.class);
            // the format is listed once in messages
            Path in = Files.write(dir.resolve("w.fake"), FakeWeightsReader.MAGIC);
            assertThatThrownBy(() -> WeightConversion.convert(in, dir.resolve("x.pth"), cp))
                    .isInstanceOf(InvalidRequestException.class).hasMessageContaining("writable formats: [")
                    .satisfies(e -> assertThat(e.getMessage().split("Keras HDF5", -1)).hasSize(2));
        }
    }
}
