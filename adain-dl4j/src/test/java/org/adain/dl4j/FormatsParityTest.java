package org.adain.dl4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.adain.AdainException;
import org.adain.ImageTensor;
import org.adain.Images;
import org.adain.InvalidRequestException;
import org.adain.ModelException;
import org.adain.StyleRequest;
import org.adain.StyleTransfer;
import org.adain.dl4j.modelimport.KerasHdf5WeightsReader;
import org.adain.format.PyTorchWeightsReader;
import org.adain.format.Torch7WeightsReader;
import org.adain.format.WeightConversion;
import org.adain.spi.ConvLayer;
import org.adain.spi.DecoderWeights;
import org.adain.spi.EncoderKind;
import org.adain.spi.EncoderWeights;
import org.adain.testkit.formats.FormatFixtures;
import org.adain.testkit.reference.ReferenceCases;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The same weights in every format give the same model: the testkit's small model as Keras HDF5 (the reference
 * fixtures), as PyTorch state dicts in both containers and as Torch7 files (the formats fixtures) read to equal
 * weights, and stylise an image to IDENTICAL floats through {@link StyleTransfer} (format chosen by content). And
 * {@code adain convert}: each format converted to Keras HDF5 reads back to the same weights with the Keras
 * importer.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FormatsParityTest {
    private Path dir;
    private final Map<String, Path> files = new LinkedHashMap<>();
    private BufferedImage content;
    private BufferedImage style;

    @BeforeAll
    void setUp() throws Exception {
        dir = Files.createTempDirectory("adain-formats");
        files.put("h5 encoder", ReferenceCases.copyTo("models/encoder_tf2.h5", dir.resolve("h5")));
        files.put("h5 decoder", ReferenceCases.copyTo("models/decoder_tf2.h5", dir.resolve("h5")));
        files.put("zip encoder", FormatFixtures.copyTo(FormatFixtures.ZIP_ENCODER, dir));
        files.put("zip decoder", FormatFixtures.copyTo(FormatFixtures.ZIP_DECODER, dir));
        files.put("legacy encoder", FormatFixtures.copyTo(FormatFixtures.LEGACY_ENCODER, dir));
        files.put("legacy decoder", FormatFixtures.copyTo(FormatFixtures.LEGACY_DECODER, dir));
        files.put("t7 encoder", FormatFixtures.copyTo(FormatFixtures.T7_ENCODER, dir));
        files.put("t7 decoder", FormatFixtures.copyTo(FormatFixtures.T7_DECODER, dir));
        files.put("t7 2-D encoder", FormatFixtures.copyTo(FormatFixtures.T7_ENCODER_2D, dir));
        content = Images.read(ReferenceCases.copyTo("images/content_45x70.png", dir.resolve("img")));
        style = Images.read(ReferenceCases.copyTo("images/style_1.png", dir.resolve("img")));
    }

    @AfterAll
    void tearDown() throws Exception {
        try (var walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private static List<ConvLayer> all(EncoderWeights e) {
        List<ConvLayer> l = new ArrayList<>();
        if (e.preprocess() != null) {
            l.add(e.preprocess());
        }
        l.addAll(e.convs());
        return l;
    }

    static void assertSameWeights(List<ConvLayer> actual, List<ConvLayer> expected, String what) {
        assertThat(actual).as(what).hasSameSizeAs(expected);
        for (int i = 0; i < expected.size(); i++) {
            assertThat(actual.get(i).shapeString()).as(what + " layer " + i).isEqualTo(expected.get(i).shapeString());
            assertThat(actual.get(i).kernelOihw()).as(what + " kernel " + i).isEqualTo(expected.get(i).kernelOihw());
            assertThat(actual.get(i).bias()).as(what + " bias " + i).isEqualTo(expected.get(i).bias());
        }
    }

    @Test
    void everyFormatReadsToTheKerasWeightsExactly() {
        KerasHdf5WeightsReader keras = new KerasHdf5WeightsReader();
        EncoderWeights enc = keras.readEncoder(files.get("h5 encoder"));
        DecoderWeights dec = keras.readDecoder(files.get("h5 decoder"));
        PyTorchWeightsReader pth = new PyTorchWeightsReader();
        Torch7WeightsReader t7 = new Torch7WeightsReader();
        for (String c : List.of("zip", "legacy")) {
            assertSameWeights(all(pth.readEncoder(files.get(c + " encoder"))), all(enc), c + " encoder");
            assertSameWeights(pth.readDecoder(files.get(c + " decoder")).convs(), dec.convs(), c + " decoder");
        }
        assertSameWeights(all(t7.readEncoder(files.get("t7 encoder"))), all(enc), "t7 encoder");
        assertSameWeights(all(t7.readEncoder(files.get("t7 2-D encoder"))), all(enc), "t7 2-D encoder");
        assertSameWeights(t7.readDecoder(files.get("t7 decoder")).convs(), dec.convs(), "t7 decoder");
    }

    private float[] stylize(Path encoder, Path decoder) {
        try (StyleTransfer st = StyleTransfer.builder().encoder(encoder).decoder(decoder).build()) {
            ImageTensor out = st.stylizeTensor(StyleRequest.builder().content(content).style(style).alpha(0.8)
                    .contentSize(0).styleSize(0).build());
            return out.toArray();
        }
    }

    @Test
    void sameWeightsInEveryFormatStylizeIdentically() {
        float[] reference = stylize(files.get("h5 encoder"), files.get("h5 decoder"));
        assertThat(reference.length).as("3 × 45 × 70: the API crops to the content size").isEqualTo(3 * 45 * 70);
        Map<String, Path[]> pairs = new LinkedHashMap<>();
        pairs.put("zip .pth", new Path[] {files.get("zip encoder"), files.get("zip decoder")});
        pairs.put("legacy .pth", new Path[] {files.get("legacy encoder"), files.get("legacy decoder")});
        pairs.put(".t7", new Path[] {files.get("t7 encoder"), files.get("t7 decoder")});
        pairs.put(".t7 (2-D kernels) + zip .pth", new Path[] {files.get("t7 2-D encoder"), files.get("zip decoder")});
        pairs.put("legacy .pth + .h5", new Path[] {files.get("legacy encoder"), files.get("h5 decoder")});
        for (Map.Entry<String, Path[]> p : pairs.entrySet()) {
            assertThat(stylize(p.getValue()[0], p.getValue()[1])).as(p.getKey() + " vs Keras HDF5")
                    .isEqualTo(reference);
        }
    }

    @Test
    void float16WeightsStylizeCloseToFloat32() {
        Path enc = FormatFixtures.copyTo(FormatFixtures.FLOAT16_ENCODER, dir);
        Path dec = FormatFixtures.copyTo(FormatFixtures.FLOAT16_DECODER, dir);
        float[] half = stylize(enc, dec);
        float[] full = stylize(files.get("zip encoder"), files.get("zip decoder"));
        double worst = 0;
        for (int i = 0; i < full.length; i++) {
            worst = Math.max(worst, Math.abs(half[i] - full[i]));
        }
        assertThat(worst).isGreaterThan(0).isLessThan(0.05);
    }

    // ---- convert --------------------------------------------------------------------------------

    @Test
    void convertedFilesReadBackToTheSameWeights() {
        KerasHdf5WeightsReader keras = new KerasHdf5WeightsReader();
        EncoderWeights enc = keras.readEncoder(files.get("h5 encoder"));
        DecoderWeights dec = keras.readDecoder(files.get("h5 decoder"));
        Path out = dir.resolve("out");
        out.toFile().mkdirs();
        for (String c : List.of("zip", "legacy", "t7")) {
            Path e = out.resolve(c + "_vgg.h5");
            String summary = WeightConversion.convert(files.get(c + " encoder"), e);
            assertThat(summary).contains("→ " + c + "_vgg.h5 (Keras HDF5): normalised VGG-19 encoder");
            assertSameWeights(all(keras.readEncoder(e)), all(enc), c + " → h5 encoder");
            Path d = out.resolve(c + "_decoder.hdf5");
            summary = WeightConversion.convert(files.get(c + " decoder"), d);
            assertThat(summary).contains("AdaIN decoder, 9 3×3 convs, 24 → 3 channels");
            assertSameWeights(keras.readDecoder(d).convs(), dec.convs(), c + " → h5 decoder");
        }
        // a converted file stylizes exactly like its source
        assertThat(stylize(out.resolve("t7_vgg.h5"), out.resolve("zip_decoder.hdf5")))
                .isEqualTo(stylize(files.get("t7 encoder"), files.get("zip decoder")));
        assertThat(out.toFile().list()).as("no temporary files left").allMatch(n -> !n.endsWith(".tmp"));
    }

    @Test
    void kerasApplicationsEncoderConvertsToANotopFile() {
        Path notop = ReferenceCases.copyTo("models/vgg19_notop.h5", dir.resolve("apps"));
        Path out = dir.resolve("apps").resolve("copy.h5");
        String summary = WeightConversion.convert(notop, out);
        assertThat(summary).contains("Keras-applications VGG-19 encoder");
        KerasHdf5WeightsReader keras = new KerasHdf5WeightsReader();
        EncoderWeights back = keras.readEncoder(out);
        assertThat(back.kind()).isEqualTo(EncoderKind.KERAS_APPLICATIONS_VGG19);
        assertSameWeights(all(back), all(keras.readEncoder(notop)), "notop round trip");
    }

    @Test
    void convertRefusesBadRequestsClearly() throws Exception {
        Path in = files.get("zip decoder");
        assertThatThrownBy(() -> WeightConversion.convert(in, in)).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("is the input file");
        assertThatThrownBy(() -> WeightConversion.convert(in, dir.resolve("x.pth")))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("No weight-file writer for").hasMessageContaining("Keras HDF5");
        assertThatThrownBy(() -> WeightConversion.convert(in, dir.resolve("missing/dir/x.h5")))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("does not exist");
        Path bad = FormatFixtures.copyTo(FormatFixtures.BAD_WRONG_SHAPE, dir);
        assertThatThrownBy(() -> WeightConversion.convert(bad, dir.resolve("bad.h5")))
                .isInstanceOf(ModelException.class)
                .hasMessageStartingWith("decoder_wrong_shape.pth is neither an AdaIN encoder nor a decoder")
                .hasMessageContaining("As an encoder: decoder_wrong_shape.pth: unexpected keys")
                .hasMessageContaining("As a decoder: decoder_wrong_shape.pth: key '28.weight' has shape");
        Path evil = FormatFixtures.copyTo(FormatFixtures.EVIL_ZIP, dir);
        assertThatThrownBy(() -> WeightConversion.convert(evil, dir.resolve("evil.h5")))
                .isInstanceOf(ModelException.class).hasMessageContaining("refused pickle global 'posix.system'");
        assertThat(dir.resolve("bad.h5")).doesNotExist();
        assertThat(dir.resolve("evil.h5")).doesNotExist();
        assertThat(AdainException.class).isAssignableFrom(ModelException.class);
    }
}
