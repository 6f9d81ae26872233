package org.adain.testkit.formats;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.adain.ImageException;
import org.adain.Images;
import org.adain.format.KerasWeightsReader;
import org.adain.format.PyTorchWeightsReader;
import org.adain.format.Torch7WeightsReader;
import org.adain.spi.WeightsReader;
import org.adain.testkit.reference.ReferenceCases;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Coverage-guided fuzz targets (Jazzer) for every reader of untrusted files in adain-api: Keras {@code .h5},
 * PyTorch {@code .pth} in the zip and the legacy container, Torch7 {@code .t7}, and images. Each input is written
 * to a file and read as an encoder and as a decoder (an image once); every read must keep the
 * {@link BoundedReads} contract (a value or the documented exception, no {@link Error}, a safe message, 2 s of CPU
 * and 100 MB allocated at most; images: the type only, their size limits are the decoder's).
 *
 * <p>In {@code mvn verify} (regression mode) each target replays its seeds, the fixtures named in the
 * {@code @MethodSource}, and the committed corpus in {@code ModelFilesFuzzTestInputs/<target>/}, which holds every
 * input that once broke a reader. {@code JAZZER_FUZZ=1} (the {@code fuzz} profile, see docs/FUZZING.md) fuzzes one
 * target for {@code -Dfuzz.minutes}.
 */
class ModelFilesFuzzTest {
    private static Path dir;

    @BeforeAll
    static void setUp() throws IOException {
        FuzzDuration.apply();
        dir = Files.createTempDirectory("adain-fuzz");
    }

    @AfterAll
    static void tearDown() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.deleteIfExists(f);
            }
        }
        Files.deleteIfExists(dir);
    }

    private static void readBoth(WeightsReader reader, byte[] data, String name) {
        Path f = write(data, name);
        BoundedReads.check(name + " as an encoder", f, reader::readEncoder);
        BoundedReads.check(name + " as a decoder", f, reader::readDecoder);
    }

    private static Path write(byte[] data, String name) {
        try {
            return Files.write(dir.resolve(name), data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @MethodSource("h5Seeds")
    @FuzzTest
    void h5(byte[] data) {
        FuzzFindings.run("h5", data, () -> readBoth(new KerasWeightsReader(), data, "fuzz.h5"));
    }

    @MethodSource("pthZipSeeds")
    @FuzzTest
    void pthZip(byte[] data) {
        FuzzFindings.run("pthZip", data, () -> readBoth(new PyTorchWeightsReader(), data, "fuzz.pth"));
    }

    @MethodSource("pthLegacySeeds")
    @FuzzTest
    void pthLegacy(byte[] data) {
        FuzzFindings.run("pthLegacy", data, () -> readBoth(new PyTorchWeightsReader(), data, "fuzz.pth"));
    }

    @MethodSource("t7Seeds")
    @FuzzTest
    void t7(byte[] data) {
        FuzzFindings.run("t7", data, () -> readBoth(new Torch7WeightsReader(), data, "fuzz.t7"));
    }

    @MethodSource("imageSeeds")
    @FuzzTest
    void image(byte[] data) {
        FuzzFindings.run("image", data, () -> {
            Path f = write(data, "fuzz.img");
            try {
                Images.read(f);
            } catch (ImageException e) {
                // the documented refusal
            }
        });
    }

    static Stream<Arguments> h5Seeds() {
        return Stream.of("encoder_tf2.h5", "decoder_tf2.h5", "encoder_keras23.h5", "decoder_keras23.h5")
                .map(n -> Arguments.of((Object) ReferenceCases.bytes("models/" + n)));
    }

    static Stream<Arguments> pthZipSeeds() {
        return fixtures(FormatFixtures.ZIP_DECODER, FormatFixtures.ZIP_ENCODER, FormatFixtures.FLOAT16_DECODER,
                FormatFixtures.BAD_WHOLE_MODEL, FormatFixtures.EVIL_ZIP);
    }

    static Stream<Arguments> pthLegacySeeds() {
        return fixtures(FormatFixtures.LEGACY_DECODER, FormatFixtures.LEGACY_ENCODER, FormatFixtures.FLOAT64_DECODER,
                FormatFixtures.EVIL_LEGACY);
    }

    static Stream<Arguments> t7Seeds() {
        return fixtures(FormatFixtures.T7_DECODER, FormatFixtures.T7_ENCODER, FormatFixtures.T7_ENCODER_2D,
                FormatFixtures.T7_UNKNOWN_CLASS, FormatFixtures.T7_LUA_FUNCTION);
    }

    /** The PNG fixtures, and a small picture in each other format Images.read decodes. */
    static Stream<Arguments> imageSeeds() throws IOException {
        BufferedImage img = new BufferedImage(12, 9, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                img.setRGB(x, y, x * 0x150000 + y * 0x001c00 + (x ^ y) * 9);
            }
        }
        Stream.Builder<Arguments> seeds = Stream.builder();
        for (String format : List.of("jpg", "bmp", "gif", "png")) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ImageIO.write(img, format, out);
            seeds.add(Arguments.of((Object) out.toByteArray()));
        }
        for (String n : List.of("content_40x40.png", "mask_48x64.png", "style_0.png")) {
            seeds.add(Arguments.of((Object) ReferenceCases.bytes("images/" + n)));
        }
        return seeds.build();
    }

    private static Stream<Arguments> fixtures(String... names) {
        return Stream.of(names).map(n -> Arguments.of((Object) FormatFixtures.bytes(n)));
    }
}
