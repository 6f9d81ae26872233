package org.adain.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every unusable input ends the run with exit code 1 (2 for command-line mistakes) and one line on stderr
 * naming the culprit: no stack trace, no output file, inputs untouched.
 */
class BadInputTest {
    @TempDir
    Path dir;

    Path encoder;
    Path decoder;
    Path content;
    Path style0;
    Path style1;
    Path mask;
    Path out;

    @BeforeEach
    void copyFixtures() {
        encoder = Fixtures.encoder(dir);
        decoder = Fixtures.decoder(dir);
        content = Fixtures.content(dir);
        style0 = Fixtures.style(dir, 0);
        style1 = Fixtures.style(dir, 1);
        mask = Fixtures.mask(dir);
        out = dir.resolve("out.png");
    }

    /** A quiet, otherwise valid stylize run with some options replaced or added. */
    List<String> args(Path enc, Path dec, Path cont, String... more) {
        List<String> a = new ArrayList<>(List.of("stylize", "-q", "--encoder", enc.toString(), "--decoder",
                dec.toString(), "--content", cont.toString(), "--content-size", "0", "--style-size", "0"));
        a.addAll(List.of(more));
        if (!a.contains("--style")) {
            a.addAll(List.of("--style", style0.toString()));
        }
        if (!a.contains("--output")) {
            a.addAll(List.of("--output", out.toString()));
        }
        return a;
    }

    List<String> args(String... more) {
        return args(encoder, decoder, content, more);
    }

    /** Runs, expects the exit code, a single error line and no output; returns the error line. */
    String fails(int exitCode, List<String> args) {
        CliRun run = CliRun.of(args);
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(exitCode);
        assertThat(run.errLines()).as(run.toString()).hasSize(1);
        assertThat(out).as("no output is written").doesNotExist();
        return run.errorLine();
    }

    // ---- images

    @Test
    void missingContent() {
        String line = fails(1, args(encoder, decoder, dir.resolve("nope.png")));
        assertThat(line).contains("nope.png", "does not exist");
    }

    @Test
    void missingStyle() {
        String line = fails(1, args("--style", dir.resolve("nostyle.jpg").toString()));
        assertThat(line).contains("nostyle.jpg", "does not exist");
    }

    @Test
    void missingMask() {
        String line = fails(1, args("--style", style0.toString(), style1.toString(), "--mask",
                dir.resolve("nomask.png").toString()));
        assertThat(line).contains("nomask.png", "does not exist");
    }

    @Test
    void corruptContent() throws Exception {
        Path corrupt = Files.write(dir.resolve("corrupt.png"), "this is not a PNG at all".getBytes());
        String line = fails(1, args(encoder, decoder, corrupt));
        assertThat(line).contains("corrupt.png");
    }

    @Test
    void emptyStyle() throws Exception {
        Path empty = Files.createFile(dir.resolve("empty.png"));
        String line = fails(1, args("--style", empty.toString()));
        assertThat(line).contains("empty.png");
    }

    @Test
    void truncatedPngContent() {
        Path truncated = Fixtures.firstBytes(content, 0.5, dir.resolve("truncated.png"));
        String line = fails(1, args(encoder, decoder, truncated));
        assertThat(line).contains("truncated.png");
    }

    @Test
    void truncatedJpegStyle() {
        Path jpeg = Fixtures.write(Fixtures.read(style0), "jpg", dir.resolve("full.jpg"));
        Path truncated = Fixtures.firstBytes(jpeg, 0.6, dir.resolve("cut.jpg"));
        String line = fails(1, args("--style", truncated.toString()));
        assertThat(line).contains("cut.jpg");
    }

    @Test
    void contentSmallerThan9x9() {
        Path tiny = Fixtures.write(Fixtures.grey(8, 12, 100), "png", dir.resolve("tiny.png"));
        String line = fails(1, args(encoder, decoder, tiny));
        assertThat(line).contains("tiny.png", "9×9");
    }

    @Test
    void sizeLimitsAreCheckedBeforeTheModelLoads() throws Exception {
        // a decoder that cannot be read: had the model loaded first, the error would name it
        Path garbage = Files.writeString(dir.resolve("garbage_decoder.h5"), "not a model");
        Path tiny = Fixtures.write(Fixtures.grey(8, 12, 100), "png", dir.resolve("tiny.png"));
        assertThat(fails(1, args(encoder, garbage, tiny))).contains("tiny.png", "9×9")
                .doesNotContain("garbage_decoder");
        List<String> a = args(encoder, garbage, content);
        a.addAll(List.of("--max-pixels", "2000"));
        assertThat(fails(1, a)).contains("style_0.png", "2304", "2000").doesNotContain("garbage_decoder");
    }

    @Test
    void styleSmallerThan9x9() {
        Path tiny = Fixtures.write(Fixtures.grey(20, 5, 100), "png", dir.resolve("tinystyle.png"));
        String line = fails(1, args("--style", tiny.toString()));
        assertThat(line).contains("tinystyle.png", "9×9");
    }

    @Test
    void contentSizeBelow9() {
        List<String> a = args();
        a.set(a.indexOf("--content-size") + 1, "8");
        String line = fails(1, a);
        assertThat(line).contains("content_48x64.png", "9×9");
    }

    @Test
    void contentOverThePixelLimit() {
        // The 48×48 style (2304 pixels) passes; the 64×48 content (3072) does not.
        String line = fails(1, args("--max-pixels", "2500"));
        assertThat(line).contains("content_48x64.png", "3072", "2500");
    }

    @Test
    void styleOverThePixelLimit() {
        String line = fails(1, args("--max-pixels", "2000"));
        assertThat(line).contains("style_0.png", "2304", "2000");
    }

    // ---- weights

    @Test
    void missingEncoder() {
        String line = fails(1, args(dir.resolve("noenc.h5"), decoder, content));
        assertThat(line).contains("noenc.h5");
    }

    @Test
    void missingDecoder() {
        String line = fails(1, args(encoder, dir.resolve("nodec.h5"), content));
        assertThat(line).contains("nodec.h5");
    }

    @Test
    void emptyDecoder() throws Exception {
        Path empty = Files.createFile(dir.resolve("empty.h5"));
        String line = fails(1, args(encoder, empty, content));
        assertThat(line).contains("empty.h5");
    }

    @Test
    void encoderInNoKnownFormat() throws Exception {
        Path junk = Files.write(dir.resolve("junk.h5"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
        String line = fails(1, args(junk, decoder, content));
        assertThat(line).contains("junk.h5");
    }

    @Test
    void truncatedEncoder() {
        Path truncated = Fixtures.firstBytes(encoder, 0.6, dir.resolve("cut_encoder.h5"));
        String line = fails(1, args(truncated, decoder, content));
        assertThat(line).contains("cut_encoder.h5");
    }

    @Test
    void truncatedDecoder() {
        Path truncated = Fixtures.firstBytes(decoder, 0.9, dir.resolve("cut_decoder.h5"));
        String line = fails(1, args(encoder, truncated, content));
        assertThat(line).contains("cut_decoder.h5");
    }

    @Test
    void decoderGivenAsEncoder() {
        // Wrong layers: a decoder has no conv1_1 … conv4_1.
        String line = fails(1, args(decoder, decoder, content));
        assertThat(line).contains("decoder_tf2.h5");
    }

    @Test
    void encoderWithALayerMissing() {
        Path bad = Fixtures.bad(dir, "encoder_missing_layer.h5");
        String line = fails(1, args(bad, decoder, content));
        assertThat(line).contains("encoder_missing_layer.h5");
    }

    @Test
    void encoderWithAWrongShape() {
        Path bad = Fixtures.bad(dir, "encoder_wrong_shape.h5");
        String line = fails(1, args(bad, decoder, content));
        assertThat(line).contains("encoder_wrong_shape.h5", "block3_conv1");
    }

    @Test
    void decoderWithAWrongShape() {
        Path bad = Fixtures.bad(dir, "decoder_wrong_shape.h5");
        String line = fails(1, args(encoder, bad, content));
        assertThat(line).contains("decoder_wrong_shape.h5", "conv2d_9");
    }

    @Test
    void encoderWithNaN() {
        Path bad = Fixtures.bad(dir, "encoder_nan.h5");
        String line = fails(1, args(bad, decoder, content));
        assertThat(line).contains("encoder_nan.h5").containsIgnoringCase("nan");
    }

    @Test
    void decoderWithNaNBias() {
        Path bad = Fixtures.bad(dir, "decoder_nan_bias.h5");
        String line = fails(1, args(encoder, bad, content));
        assertThat(line).contains("decoder_nan_bias.h5").containsIgnoringCase("nan");
    }

    @Test
    void unknownBackend() {
        String line = fails(1, args("--backend", "quantum"));
        assertThat(line).contains("quantum");
    }

    // ---- masks

    @Test
    void maskWithGreyLevels() {
        Path grey = Fixtures.write(Fixtures.grey(64, 48, 128), "png", dir.resolve("greymask.png"));
        String line = fails(1, args("--style", style0.toString(), style1.toString(), "--mask", grey.toString()));
        assertThat(line).contains("greymask.png", "0 (black", "1 (white");
    }

    @Test
    void maskWithoutABlackRegion() {
        Path white = Fixtures.write(Fixtures.grey(64, 48, 255), "png", dir.resolve("white.png"));
        String line = fails(1, args("--style", style0.toString(), style1.toString(), "--mask", white.toString()));
        assertThat(line).contains("white.png", "style 1");
    }

    @Test
    void maskOfAnotherSizeWithCrop() {
        Path small = Fixtures.write(Fixtures.read(mask).getSubimage(0, 0, 40, 40), "png", dir.resolve("m40.png"));
        String line = fails(1, args("--style", style0.toString(), style1.toString(), "--mask", small.toString(),
                "--crop"));
        assertThat(line).contains("content_48x64.png", "mask");
    }

    @Test
    void maskOfAnotherSizeIsRefusedNotStretched() {
        // same aspect, half the size: was stretched silently before
        java.awt.image.BufferedImage m = Fixtures.read(mask);
        java.awt.image.BufferedImage small = new java.awt.image.BufferedImage(32, 24,
                java.awt.image.BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 24; y++) {
            for (int x = 0; x < 32; x++) {
                small.setRGB(x, y, m.getRGB(2 * x, 2 * y)); // every other pixel: still pure black and white
            }
        }
        Path half = Fixtures.write(small, "png", dir.resolve("half.png"));
        String line = fails(1, args("--style", style0.toString(), style1.toString(), "--mask", half.toString()));
        assertThat(line).contains("half.png", "32×24", "content_48x64.png", "64×48", "must have the content's size");
    }

    // ---- image headers

    @Test
    void aContentWhoseHeaderClaimsAHugeImageIsRefusedBeforeDecoding() throws Exception {
        byte[] png = Files.readAllBytes(content);
        java.nio.ByteBuffer.wrap(png).putInt(16, 16384).putInt(20, 16384); // IHDR width and height
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(png, 12, 17);
        java.nio.ByteBuffer.wrap(png).putInt(29, (int) crc.getValue());
        Path claim = Files.write(dir.resolve("claim.png"), png);
        for (String size : new String[] {"0", "512"}) {
            List<String> a = args(encoder, decoder, claim);
            a.set(a.indexOf("--content-size") + 1, size);
            String line = fails(1, a);
            assertThat(line).contains("claim.png", "16384×16384", "decode limit of 67108864", "--max-decode-pixels");
        }
        List<String> a = args(encoder, decoder, content);
        a.addAll(List.of("--max-decode-pixels", "3000"));
        assertThat(fails(1, a)).contains("content_48x64.png", "64×48 = 3072", "decode limit of 3000");
    }

    @Test
    void maxDecodePixelsOutOfRange() {
        assertThat(fails(2, args("--max-decode-pixels", "0"))).contains("--max-decode-pixels", "0");
    }

    // ---- parameters (command-line mistakes: exit 2)

    @ParameterizedTest
    @ValueSource(strings = {"1.5", "-0.1", "NaN"})
    void alphaOutsideZeroToOne(String alpha) {
        String line = fails(2, args("--alpha", alpha));
        assertThat(line).contains("--alpha", alpha);
    }

    @Test
    void negativeContentSize() {
        List<String> a = args();
        a.set(a.indexOf("--content-size") + 1, "-1");
        assertThat(fails(2, a)).contains("--content-size", "-1");
    }

    @Test
    void maxPixelsBelowTheMinimum() {
        assertThat(fails(2, args("--max-pixels", "80"))).contains("--max-pixels", "81");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-8", "72", "100"})
    void tileSizeTheLibraryRefuses(String size) {
        // 72 is below the smallest tile (two 32-pixel overlaps and some interior), 100 no multiple of 8.
        String line = fails(2, args("--tile-size", size));
        assertThat(line).contains("--tile-size " + size + ":", "tile size", "multiple of 8", "80", "got " + size);
    }

    @Test
    void negativeTilingThreshold() {
        String line = fails(2, args("--tiling-threshold", "-1"));
        assertThat(line).contains("--tiling-threshold -1:", "tiling threshold", "≥ 0", "got -1");
    }

    @Test
    void bothTilingOptionsAreNamedAndTheLibrarySaysWhichIsWrong() {
        String line = fails(2, args("--tiling-threshold", "0", "--tile-size", "84"));
        assertThat(line).contains("--tiling-threshold 0, --tile-size 84:", "tile size", "got 84");
    }

    @ParameterizedTest
    @ValueSource(strings = {"--tiling-threshold", "--tile-size"})
    void tilingOptionThatIsNotANumber(String option) {
        assertThat(fails(2, args(option, "big"))).contains(option, "big");
    }

    @Test
    void refusedTileSizeCreatesNoOutputDirectory() {
        Path outDir = dir.resolve("results");
        List<String> argv = args(encoder, decoder, content, "--tile-size", "12", "--output", outDir.toString());
        argv.add(argv.indexOf(content.toString()) + 1, Fixtures.testkit(dir, "images/content_40x40.png").toString());

        assertThat(fails(2, argv)).contains("--tile-size 12:");
        assertThat(outDir).doesNotExist();
    }

    @Test
    void maskWithThreeStyles() {
        String line = fails(2, args("--style", style0.toString(), style1.toString(),
                Fixtures.style(dir, 2).toString(), "--mask", mask.toString()));
        assertThat(line).contains("--mask", "two", "3");
    }

    @Test
    void maskWithOneStyle() {
        assertThat(fails(2, args("--mask", mask.toString()))).contains("--mask", "two", "1");
    }

    @Test
    void maskWithWeights() {
        String line = fails(2, args("--style", style0.toString(), style1.toString(), "--mask", mask.toString(),
                "--style-weights", "1,2"));
        assertThat(line).contains("--style-weights", "--mask");
    }

    @Test
    void styleWeightsCountDiffersFromStyles() {
        String line = fails(2, args("--style", style0.toString(), style1.toString(), "--style-weights", "1,2,3"));
        assertThat(line).contains("--style-weights", "3", "2");
    }

    @Test
    void negativeStyleWeight() {
        String line = fails(2, args("--style", style0.toString(), style1.toString(), "--style-weights", "1,-2"));
        assertThat(line).contains("--style-weights", "-2");
    }

    @Test
    void allStyleWeightsZero() {
        String line = fails(2, args("--style", style0.toString(), style1.toString(), "--style-weights", "0,0"));
        assertThat(line).contains("--style-weights", "0");
    }

    @Test
    void styleWeightThatIsNotANumber() {
        String line = fails(2, args("--style", style0.toString(), style1.toString(), "--style-weights", "1,two"));
        assertThat(line).contains("--style-weights", "two");
    }

    // ---- outputs

    @ParameterizedTest
    @ValueSource(strings = {"content", "style", "mask", "encoder", "decoder"})
    void outputEqualToAnInputIsRefusedBeforeAnyWork(String role) throws Exception {
        Path victim = switch (role) {
            case "content" -> content;
            case "style" -> style1;
            case "mask" -> mask;
            case "encoder" -> encoder;
            default -> decoder;
        };
        byte[] before = Files.readAllBytes(victim);
        List<String> a = new ArrayList<>(List.of("stylize", "--encoder", encoder.toString(), "--decoder",
                decoder.toString(), "--content", content.toString(), "--style", style0.toString(), style1.toString(),
                "--mask", mask.toString(), "--output", victim.toString()));

        CliRun run = CliRun.of(a);

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        // Not even "loading model": refused before any work, progress enabled or not.
        assertThat(run.errLines()).as(run.toString()).hasSize(1);
        assertThat(run.errorLine()).contains(role, victim.toString(), "refusing to overwrite");
        assertThat(Files.readAllBytes(victim)).isEqualTo(before);
    }

    @Test
    void outputEqualToAnInputThroughDotDot() throws Exception {
        byte[] before = Files.readAllBytes(content);
        Path sneaky = dir.resolve("not-there").resolve("..").resolve(content.getFileName());
        String line = fails(1, args("--output", sneaky.toString()));
        assertThat(line).contains("content", "refusing to overwrite");
        assertThat(Files.readAllBytes(content)).isEqualTo(before);
    }

    @Test
    void outputThatIsASymbolicLinkToAnInput() throws Exception {
        byte[] before = Files.readAllBytes(style0);
        Path link = Files.createSymbolicLink(dir.resolve("link.png"), style0);
        String line = fails(1, args("--output", link.toString()));
        assertThat(line).contains("style", "refusing to overwrite");
        assertThat(Files.readAllBytes(style0)).isEqualTo(before);
    }

    @Test
    void outputThatIsAHardLinkToAnInput() throws Exception {
        byte[] before = Files.readAllBytes(content);
        Path link = Files.createLink(dir.resolve("hard.png"), content);
        String line = fails(1, args("--output", link.toString()));
        assertThat(line).contains("content", "refusing to overwrite");
        assertThat(Files.readAllBytes(content)).isEqualTo(before);
    }

    @Test
    void outputInADirectoryOfLinkedName() throws Exception {
        // dir/alias -> dir: "alias/content_48x64.png" is the content though neither path exists twice.
        Path alias = Files.createSymbolicLink(dir.resolve("alias"), dir);
        String line = fails(1, args("--output", alias.resolve(content.getFileName()).toString()));
        assertThat(line).contains("refusing to overwrite");
    }

    @Test
    void directoryOutputThatWouldOverwriteAnotherContent() throws Exception {
        // a.png's result would be a_stylized.png, which is the second content.
        Path a = Files.copy(content, dir.resolve("a.png"));
        Path aStylized = Files.copy(content, dir.resolve("a_stylized.png"));
        byte[] before = Files.readAllBytes(aStylized);
        List<String> argv = args(encoder, decoder, a, "--output", dir.toString());
        argv.add(argv.indexOf(a.toString()) + 1, aStylized.toString());

        CliRun run = CliRun.of(argv);

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        assertThat(run.errorLine()).contains("a_stylized.png", "content", "refusing to overwrite");
        assertThat(Files.readAllBytes(aStylized)).isEqualTo(before);
    }

    @Test
    void severalContentsWithTheSameFileName() throws Exception {
        Path other = Fixtures.copy(Fixtures.TESTKIT + "images/content_40x40.png",
                dir.resolve("other").resolve(content.getFileName()));
        List<String> argv = args(encoder, decoder, content, "--output", dir.resolve("outdir").toString());
        argv.add(argv.indexOf(content.toString()) + 1, other.toString());

        CliRun run = CliRun.of(argv);

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
        assertThat(run.errorLine()).contains(content.toString(), other.toString());
        assertThat(dir.resolve("outdir")).doesNotExist();
    }

    @Test
    void severalContentsIntoAFile() throws Exception {
        Path existing = Files.writeString(dir.resolve("existing.png"), "x");
        List<String> argv = args(encoder, decoder, content, "--output", existing.toString());
        argv.add(argv.indexOf(content.toString()) + 1, Fixtures.testkit(dir, "images/content_40x40.png").toString());

        CliRun run = CliRun.of(argv);

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
        assertThat(run.errorLine()).contains("existing.png", "directory");
        assertThat(Files.readString(existing)).isEqualTo("x");
    }

    @ParameterizedTest
    @ValueSource(strings = {"out.gif", "out", "out.tiff"})
    void outputWithAnUnsupportedExtensionIsAUsageErrorBeforeAnyWork(String name) {
        Path target = dir.resolve(name);
        CliRun run = CliRun.of(args("--output", target.toString()).stream().filter(a -> !a.equals("-q")).toList());
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
        // Not even "loading model": refused before any work, progress enabled.
        assertThat(run.errLines()).as(run.toString()).hasSize(1);
        assertThat(run.errorLine()).contains("--output", target.toString(), ".png, .jpg or .jpeg",
                "adain stylize --help");
        assertThat(target).doesNotExist();
    }

    @Test
    void outputInAMissingDirectory() {
        Path target = dir.resolve("no/such/dir/out.png");
        String line = fails(1, args("--output", target.toString()));
        assertThat(line).contains("does not exist");
        assertThat(target).doesNotExist();
    }

    // ---- directories

    /** A directory of the given fixture images (copied under their own names) and other files. */
    Path directory(String name, String... entries) throws Exception {
        Path d = Files.createDirectories(dir.resolve(name));
        for (String e : entries) {
            if (e.endsWith("/")) {
                Files.createDirectories(d.resolve(e));
            } else if (e.endsWith(".txt")) {
                Files.writeString(d.resolve(e), "not an image");
            } else {
                Fixtures.testkit(d, "images/" + e);
            }
        }
        return d;
    }

    @Test
    void styleDirectoryWithAnotherStyle() throws Exception {
        Path art = directory("art", "style_0.png", "style_1.png");
        String line = fails(2, args("--style", art.toString(), style0.toString()));
        assertThat(line).contains("--style directory", art.toString(), "only --style");
    }

    @Test
    void styleDirectoryWithWeights() throws Exception {
        Path art = directory("art", "style_0.png", "style_1.png");
        String line = fails(2, args("--style", art.toString(), "--style-weights", "1,2"));
        assertThat(line).contains("--style-weights", art.toString(), "on its own");
    }

    @Test
    void styleDirectoryWithAMask() throws Exception {
        Path art = directory("art", "style_0.png", "style_1.png");
        String line = fails(2, args("--style", art.toString(), "--mask", mask.toString()));
        assertThat(line).contains("--mask", art.toString(), "on its own");
    }

    @Test
    void contentDirectoryWithoutImages() throws Exception {
        Path photos = directory("photos", "notes.txt", "sub/");
        Path outDir = dir.resolve("outdir");
        CliRun run = CliRun.of(args(encoder, decoder, photos, "--output", outDir.toString()));
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        assertThat(run.errorLine()).contains("--content directory", photos.toString(), "holds no images", ".png");
        assertThat(outDir).doesNotExist();
    }

    @Test
    void styleDirectoryWithoutImages() throws Exception {
        Path art = Files.createDirectories(dir.resolve("art"));
        String line = fails(1, args("--style", art.toString(), "--output", dir.resolve("outdir").toString()));
        assertThat(line).contains("--style directory", art.toString(), "holds no images");
        assertThat(dir.resolve("outdir")).doesNotExist();
    }

    @Test
    void aCorruptImageInAContentDirectoryIsFoundBeforeAnyWork() throws Exception {
        Path photos = directory("photos", "content_40x40.png");
        Path broken = Files.writeString(photos.resolve("broken.jpg"), "not a jpeg");
        Path outDir = dir.resolve("outdir");
        CliRun run = CliRun.of(args(encoder, decoder, photos, "--output", outDir.toString()));
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        assertThat(run.errorLine()).contains(broken.toString());
        assertThat(outDir).doesNotExist();
    }

    @Test
    void aContentDirectoryIntoAFile() throws Exception {
        Path photos = directory("photos", "content_40x40.png");
        Path existing = Files.writeString(dir.resolve("existing.png"), "x");
        CliRun run = CliRun.of(args(encoder, decoder, photos, "--output", existing.toString()));
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
        assertThat(run.errorLine()).contains("existing.png", "a --content directory", "must be a directory");
        assertThat(Files.readString(existing)).isEqualTo("x");
    }
}
