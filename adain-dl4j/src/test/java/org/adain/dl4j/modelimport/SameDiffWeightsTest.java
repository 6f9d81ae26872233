package org.adain.dl4j.modelimport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import org.adain.ModelException;
import org.adain.dl4j.TestNets;
import org.adain.dl4j.graph.AdainDecoder;
import org.adain.format.WeightConversion;
import org.adain.format.WeightFormats;
import org.adain.spi.ConvLayer;
import org.adain.spi.DecoderWeights;
import org.adain.spi.EncoderKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The decoder in DL4J's native SameDiff format: written, run by plain SameDiff, read back, and bad files refused. */
class SameDiffWeightsTest {
    private static final ClassLoader LOADER = SameDiffWeightsTest.class.getClassLoader();

    @TempDir
    Path dir;

    private final DecoderWeights decoder = TestNets.decoder(4, 6, 8, 10, 7);

    private Path written() {
        Path file = dir.resolve("decoder.fb");
        new SameDiffWeightsWriter().writeDecoder(decoder, file);
        return file;
    }

    @Test
    void readsBackTheExactWeights() {
        DecoderWeights back = new SameDiffWeightsReader().readDecoder(written());
        assertThat(back.source()).isEqualTo("decoder.fb");
        for (int i = 0; i < DecoderWeights.CONV_COUNT; i++) {
            ConvLayer a = decoder.convs().get(i);
            ConvLayer b = back.convs().get(i);
            assertThat(b.shapeString()).as("conv %d", i).isEqualTo(a.shapeString());
            assertThat(b.kernelOihw()).as("conv %d kernel", i).containsExactly(a.kernelOihw());
            assertThat(b.bias()).as("conv %d bias", i).containsExactly(a.bias());
        }
    }

    @Test
    void runsWithPlainSameDiffLikeTheBackendsDecoder() throws IOException {
        // what a user does with the file: no adain class involved
        SameDiff sd = SameDiff.load(written().toFile(), false);
        double[][][][] features = TestNets.randomImage(2, 10, 5, 7, 3);
        INDArray image = sd.outputSingle(Map.of("features", TestNets.toNd4j(features)), "image");
        assertThat(image.shape()).containsExactly(2, 3, 40, 56);

        double[][][][] reference = TestNets.decode(decoder, features);   // double precision, plain Java
        double scale = Math.max(1, TestNets.maxAbs(reference));
        assertThat(TestNets.maxAbsDiff(TestNets.fromNd4j(image), reference)).isLessThan(1e-5 * scale);
        try (AdainDecoder eager = new AdainDecoder(decoder)) {
            INDArray mine = eager.decode(TestNets.toNd4j(features));
            assertThat(TestNets.maxAbsDiff(TestNets.fromNd4j(image), TestNets.fromNd4j(mine)))
                    .isLessThan(1e-5 * scale);
        }
    }

    @Test
    void isFoundByExtensionForReadingWritingAndConversion() throws IOException {
        Path fb = written();
        assertThat(WeightFormats.readerFor(fb, "decoder", LOADER)).isInstanceOf(SameDiffWeightsReader.class);
        assertThat(WeightFormats.writerFor(dir.resolve("x.FB"), LOADER)).isInstanceOf(SameDiffWeightsWriter.class);

        // .fb → .h5 → .fb keeps every value
        Path h5 = dir.resolve("decoder.h5");
        WeightConversion.convert(fb, h5, LOADER);
        Path again = dir.resolve("again.fb");
        WeightConversion.convert(h5, again, LOADER);
        DecoderWeights back = WeightFormats.readDecoder(again, LOADER);
        for (int i = 0; i < DecoderWeights.CONV_COUNT; i++) {
            assertThat(back.convs().get(i).kernelOihw()).containsExactly(decoder.convs().get(i).kernelOihw());
        }
    }

    @Test
    void refusesFilesItCannotRead() throws IOException {
        SameDiffWeightsReader r = new SameDiffWeightsReader();
        assertThatThrownBy(() -> r.readDecoder(dir.resolve("missing.fb")))
                .isInstanceOf(ModelException.class).hasMessageStartingWith("missing.fb: cannot read the file");

        Path tiny = Files.write(dir.resolve("tiny.fb"), new byte[] {1, 2, 3});
        assertThatThrownBy(() -> r.readDecoder(tiny))
                .isInstanceOf(ModelException.class).hasMessageContaining("tiny.fb: not a SameDiff FlatBuffers file");

        byte[] good = Files.readAllBytes(written());
        Random rnd = new Random(11);
        for (int trial = 0; trial < 20; trial++) {
            byte[] junk = new byte[64 + rnd.nextInt(4000)];
            rnd.nextBytes(junk);
            Path f = Files.write(dir.resolve("random" + trial + ".fb"), junk);
            assertThatThrownBy(() -> r.readDecoder(f)).as("random bytes %d", trial)
                    .isInstanceOf(ModelException.class).hasMessageStartingWith("random" + trial + ".fb: ");
        }
        // (the last 8 bytes of the file are never read by the parser: losing only those gives the same weights)
        for (int cut : new int[] {16, good.length / 3, good.length / 2, good.length - 64, good.length - 9}) {
            Path f = Files.write(dir.resolve("cut" + cut + ".fb"), Arrays.copyOf(good, cut));
            assertThatThrownBy(() -> r.readDecoder(f)).as("truncated to %d of %d bytes", cut, good.length)
                    .isInstanceOf(ModelException.class).hasMessageStartingWith("cut" + cut + ".fb: ");
        }
    }

    @Test
    void refusesGraphsItDidNotWrite() {
        SameDiff other = SameDiff.create();
        SDVariable in = other.placeHolder("in", DataType.FLOAT, -1, 3);
        other.nn().relu("out", in, 0.0);
        other.var("w", Nd4j.ones(DataType.FLOAT, 3, 3));
        Path foreign = dir.resolve("foreign.fb");
        other.save(foreign.toFile(), false);
        assertThatThrownBy(() -> new SameDiffWeightsReader().readDecoder(foreign))
                .isInstanceOf(ModelException.class)
                .hasMessageContaining("foreign.fb: is a SameDiff graph but not an AdaIN decoder written by adain");

        SameDiff future = SameDiffDecoderGraph.build(decoder);
        future.getArrForVarName(SameDiffDecoderGraph.MARKER).assign(2);
        Path newer = dir.resolve("newer.fb");
        future.save(newer.toFile(), false);
        assertThatThrownBy(() -> new SameDiffWeightsReader().readDecoder(newer))
                .isInstanceOf(ModelException.class)
                .hasMessageContaining("newer.fb: has decoder layout version 2, this version of adain reads version 1");
    }

    @Test
    void holdsDecodersOnly() {
        Path enc = dir.resolve("encoder.fb");
        assertThatThrownBy(() -> new SameDiffWeightsWriter().writeEncoder(
                TestNets.encoder(EncoderKind.NORMALISED_VGG19, 4, 6, 8, 10, 1), enc))
                .isInstanceOf(ModelException.class).hasMessageContaining("encoder.fb: the SameDiff (.fb) export holds "
                        + "decoders only");
        assertThat(enc).doesNotExist();
        assertThatThrownBy(() -> new SameDiffWeightsReader().readEncoder(written()))
                .isInstanceOf(ModelException.class).hasMessageContaining("holds a decoder, not an encoder");
    }
}
