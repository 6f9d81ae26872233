package org.adain.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.adain.Backends;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code adain stylize} end to end on the testkit's small models and images, through the real backend on the
 * classpath: adain-dl4j by priority, or the one {@code -Dadain.backend} names (the POM's second execution runs this
 * class on onnxruntime). Sizes 0 keep the fixtures small, so each run is a fraction of a second.
 */
class StylizeEndToEndTest {
    @TempDir
    Path dir;

    Path encoder;
    Path decoder;
    Path content;
    Path style0;
    Path style1;

    @BeforeEach
    void copyFixtures() {
        encoder = Fixtures.encoder(dir);
        decoder = Fixtures.decoder(dir);
        content = Fixtures.content(dir);
        style0 = Fixtures.style(dir, 0);
        style1 = Fixtures.style(dir, 1);
    }

    /** stylize with the model and sizes 0; more arguments appended. */
    List<String> args(String... more) {
        List<String> a = new ArrayList<>(List.of("stylize", "--encoder", encoder.toString(), "--decoder",
                decoder.toString(), "--content-size", "0", "--style-size", "0"));
        a.addAll(List.of(more));
        return a;
    }

    static void assertSize(Path image, int width, int height) {
        assertThat(image).isRegularFile();
        BufferedImage img = Fixtures.read(image);
        assertThat(img.getWidth()).as("width of " + image).isEqualTo(width);
        assertThat(img.getHeight()).as("height of " + image).isEqualTo(height);
    }

    @Test
    void stylizesOneContentIntoTheOutputFileWithTheContentsSize() {
        Path out = dir.resolve("out.png");
        CliRun run = CliRun.of(args("--content", content.toString(), "--style", style0.toString(),
                "--output", out.toString()));

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertSize(out, 64, 48);
        assertThat(run.out().strip()).isEqualTo(out.toString());
        // Progress on stderr, model loading included; nothing else.
        // The backend of -Dadain.backend (the POM runs this class once more on onnxruntime), else dl4j by priority.
        assertThat(run.err()).containsPattern("loading model \\.\\.\\. \\d+\\.\\d s \\("
                + System.getProperty(Backends.PROPERTY, "dl4j") + "\\)")
                .containsPattern("encoding style 1/1 style_0\\.png \\.\\.\\. \\d+\\.\\d s")
                .containsPattern("\\[1/1] stylizing content_48x64\\.png \\.\\.\\. \\d+\\.\\d s")
                .doesNotContain("error", "SLF4J", "WARN");
    }

    @Test
    void quietPrintsNothingOnStderr() {
        Path out = dir.resolve("out.jpg");
        CliRun run = CliRun.of(args("-q", "--content", content.toString(), "--style", style0.toString(),
                "--output", out.toString()));

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.err()).isEmpty();
        assertThat(Fixtures.bytes(out)).startsWith((byte) 0xFF, (byte) 0xD8); // JPEG by extension
    }

    @Test
    void severalContentsGoIntoADirectoryNamedAfterEachContent() {
        Path c2 = Fixtures.testkit(dir, "images/content_40x40.png");
        Path c3 = Fixtures.testkit(dir, "images/content_45x70.png");
        Path outDir = dir.resolve("results/sub"); // created, parents included

        CliRun run = CliRun.of(args("--content", content.toString(), "--content", c2.toString(), c3.toString(),
                "--style", style0.toString(), "--output", outDir.toString()));

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertSize(outDir.resolve("content_48x64_stylized.png"), 64, 48);
        assertSize(outDir.resolve("content_40x40_stylized.png"), 40, 40);
        assertSize(outDir.resolve("content_45x70_stylized.png"), 70, 45);
        assertThat(run.out().lines()).containsExactly(outDir.resolve("content_48x64_stylized.png").toString(),
                outDir.resolve("content_40x40_stylized.png").toString(),
                outDir.resolve("content_45x70_stylized.png").toString());
        assertThat(run.err()).contains("[1/3] stylizing content_48x64.png", "[2/3] stylizing content_40x40.png",
                "[3/3] stylizing content_45x70.png");
        // The style is encoded once for all three contents.
        assertThat(run.err()).containsOnlyOnce("encoding style");
    }

    @Test
    void directoryOutputsTakeTheFirstContentsExtension() {
        Path jpg = Fixtures.write(Fixtures.read(content), "jpg", dir.resolve("photo.JPG"));
        Path png = Fixtures.testkit(dir, "images/content_40x40.png");
        Path outDir = dir.resolve("out");

        CliRun run = CliRun.of(args("-q", "--content", jpg.toString(), png.toString(), "--style",
                style0.toString(), "--output", outDir.toString()));

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertSize(outDir.resolve("photo_stylized.JPG"), 64, 48);
        assertSize(outDir.resolve("content_40x40_stylized.JPG"), 40, 40);
        assertThat(Fixtures.bytes(outDir.resolve("content_40x40_stylized.JPG")))
                .startsWith((byte) 0xFF, (byte) 0xD8);
    }

    @Test
    void oneContentIntoAnExistingDirectory() throws Exception {
        Path outDir = Files.createDirectory(dir.resolve("out"));

        CliRun run = CliRun.of(args("-q", "--content", content.toString(), "--style", style0.toString(),
                "--output", outDir.toString()));

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertSize(outDir.resolve("content_48x64_stylized.png"), 64, 48);
    }

    @Test
    void maskPaintsTwoStyles() {
        Path mask = Fixtures.mask(dir);
        Path out = dir.resolve("masked.png");

        CliRun run = CliRun.of(args("--content", content.toString(), "--style", style0.toString(),
                "--style", style1.toString(), "--mask", mask.toString(), "--output", out.toString()));

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertSize(out, 64, 48);
        assertThat(run.err()).contains("encoding style 1/2", "encoding style 2/2");
    }

    @Test
    void fractionalStyleWeightsAreNormalisedLikeIntegerOnes() {
        Path fractional = dir.resolve("fractional.png");
        Path integer = dir.resolve("integer.png");

        CliRun a = CliRun.of(args("-q", "--content", content.toString(), "--style", style0.toString(),
                style1.toString(), "--style-weights", "0.1,0.2", "--output", fractional.toString()));
        CliRun b = CliRun.of(args("-q", "--content", content.toString(), "--style", style0.toString(),
                style1.toString(), "--style-weights", "1,2", "--output", integer.toString()));

        assertThat(a.exitCode()).as(a.toString()).isZero();
        assertThat(b.exitCode()).as(b.toString()).isZero();
        assertSize(fractional, 64, 48);
        // 0.1/0.3 and 1/3 differ in the last bit at most: at most one 8-bit level apart.
        assertThat(maxDifference(Fixtures.read(fractional), Fixtures.read(integer))).isLessThanOrEqualTo(1);
    }

    @Test
    void weightsChangeTheResult() {
        Path first = dir.resolve("first.png");
        Path second = dir.resolve("second.png");

        CliRun a = CliRun.of(args("-q", "--content", content.toString(), "--style", style0.toString(),
                style1.toString(), "--style-weights", "1,0", "--output", first.toString()));
        CliRun b = CliRun.of(args("-q", "--content", content.toString(), "--style", style0.toString(),
                style1.toString(), "--style-weights", "0,1", "--output", second.toString()));

        assertThat(a.exitCode()).as(a.toString()).isZero();
        assertThat(b.exitCode()).as(b.toString()).isZero();
        assertThat(maxDifference(Fixtures.read(first), Fixtures.read(second))).isGreaterThan(1);
    }

    @Test
    void preserveColorWithSeveralContents() {
        Path c2 = Fixtures.testkit(dir, "images/content_40x40.png");
        Path outDir = dir.resolve("out");

        CliRun run = CliRun.of(args("--preserve-color", "--alpha", "0.5", "--content", content.toString(),
                c2.toString(), "--style", style0.toString(), "--output", outDir.toString()));

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertSize(outDir.resolve("content_48x64_stylized.png"), 64, 48);
        assertSize(outDir.resolve("content_40x40_stylized.png"), 40, 40);
        // Recoloured per content, so there is no shared encoding step.
        assertThat(run.err()).doesNotContain("encoding style");
    }

    @Test
    void cropAndSizeGiveASquare() {
        Path out = dir.resolve("square.png");
        List<String> a = new ArrayList<>(List.of("stylize", "-q", "--encoder", encoder.toString(), "--decoder",
                decoder.toString(), "--content-size", "32", "--style-size", "24", "--crop", "--content",
                content.toString(), "--style", style0.toString(), "--output", out.toString()));

        CliRun run = CliRun.of(a);

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertSize(out, 32, 32);
    }

    @Test
    void defaultSizeIs512OnTheShorterSide() {
        Path out = dir.resolve("big.png");
        CliRun run = CliRun.of("stylize", "-q", "--encoder", encoder.toString(), "--decoder", decoder.toString(),
                "--content", content.toString(), "--style", style0.toString(), "--style-size", "0",
                "--output", out.toString());

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertSize(out, 682, 512); // 64×48 → shorter side 512, longer int(512·64/48)
    }

    @Test
    void namedBackendIsUsed() {
        Path out = dir.resolve("out.png");
        CliRun run = CliRun.of(args("--backend", "dl4j", "--content", content.toString(), "--style",
                style0.toString(), "--output", out.toString()));

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.err()).contains("(dl4j)");
    }

    /** A quiet stylize of the content and style_0 resized to 100 on the shorter side, with more options. */
    List<String> args100(Path out, String... more) {
        List<String> a = new ArrayList<>(List.of("stylize", "-q", "--encoder", encoder.toString(), "--decoder",
                decoder.toString(), "--content-size", "100", "--style-size", "100", "--content",
                content.toString(), "--style", style0.toString(), "--output", out.toString()));
        a.addAll(List.of(more));
        return a;
    }

    @Test
    void tiledRunMatchesTheUntiledOne() {
        // The content becomes 133×100 and the style 100×100: 17×13 and 13×13 relu4_1 positions. An 80-pixel tile
        // holds 10 positions, 4 of them overlap on each inner side (Tiling.spans), so threshold 0 encodes and
        // decodes the content in 5×3 tiles and encodes the style in 3×3, ragged last tiles included. By default
        // (1024×1024) neither is tiled.
        Path untiled = dir.resolve("untiled.png");
        Path tiled = dir.resolve("tiled.png");

        CliRun a = CliRun.of(args100(untiled));
        CliRun b = CliRun.of(args100(tiled, "--tiling-threshold", "0", "--tile-size", "80"));

        assertThat(a.exitCode()).as(a.toString()).isZero();
        assertThat(b.exitCode()).as(b.toString()).isZero();
        assertSize(tiled, 133, 100);
        // Tiling only reorders float sums (about 1e-6 relative): at most one 8-bit level where a value sits on
        // a rounding boundary.
        assertThat(maxDifference(Fixtures.read(tiled), Fixtures.read(untiled))).isLessThanOrEqualTo(1);
    }

    @Test
    void tilingThresholdOffNeverTiles() {
        // Any tile size is irrelevant when nothing is tiled; the result is the default (untiled) one, bit for bit.
        Path byDefault = dir.resolve("default.png");
        Path off = dir.resolve("off.png");

        CliRun a = CliRun.of(args100(byDefault));
        CliRun b = CliRun.of(args100(off, "--tiling-threshold", "OFF", "--tile-size", "80"));

        assertThat(a.exitCode()).as(a.toString()).isZero();
        assertThat(b.exitCode()).as(b.toString()).isZero();
        assertThat(Fixtures.bytes(off)).isEqualTo(Fixtures.bytes(byDefault));
    }

    // ---- directories

    @Test
    void aContentDirectoryIsStylizedInNameOrderAndSaysWhatItSkipped() throws Exception {
        Path photos = Files.createDirectories(dir.resolve("photos"));
        Files.copy(content, photos.resolve("b.png"));
        Fixtures.copy(Fixtures.TESTKIT + "images/content_40x40.png", photos.resolve("A.PNG"));
        Fixtures.copy(Fixtures.TESTKIT + "images/content_45x70.png", photos.resolve("a.png"));
        Files.writeString(photos.resolve("notes.txt"), "not an image");
        Files.createDirectories(photos.resolve("sub"));
        Files.copy(content, photos.resolve("sub/deeper.png")); // subdirectories are not searched
        Files.copy(content, photos.resolve(".hidden.png")); // left out silently
        Path outDir = dir.resolve("out");

        // -q silences progress, not the warning.
        CliRun run = CliRun.of(args("-q", "--content", photos.toString(), "--style", style0.toString(), "--output",
                outDir.toString()));

        assertThat(run.exitCode()).as(run.toString()).isZero();
        // Name order by character code: upper case first.
        assertThat(run.out().lines()).containsExactly(outDir.resolve("A_stylized.PNG").toString(),
                outDir.resolve("a_stylized.PNG").toString(), outDir.resolve("b_stylized.PNG").toString());
        assertSize(outDir.resolve("A_stylized.PNG"), 40, 40);
        assertSize(outDir.resolve("a_stylized.PNG"), 70, 45);
        assertSize(outDir.resolve("b_stylized.PNG"), 64, 48);
        try (var files = Files.list(outDir)) {
            assertThat(files).hasSize(3);
        }
        assertThat(run.errLines()).containsExactly("adain: warning: --content " + photos + ": skipped 2 entries that "
                + "are not images (.png, .jpg, .jpeg, .bmp, .gif; subdirectories are not searched): notes.txt, sub/");
    }

    @Test
    void aContentDirectoryOfOneImageStillWritesIntoADirectory() throws Exception {
        Path photos = Files.createDirectories(dir.resolve("photos"));
        Files.copy(content, photos.resolve("only.png"));
        Path outDir = dir.resolve("out");

        CliRun run = CliRun.of(args("-q", "--content", photos.toString(), "--style", style0.toString(), "--output",
                outDir.toString()));

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.err()).isEmpty();
        assertSize(outDir.resolve("only_stylized.png"), 64, 48);
    }

    @Test
    void aStyleDirectoryAppliesEachStyleOnItsOwnAndEncodesEachOnce() throws Exception {
        Path art = Files.createDirectories(dir.resolve("art"));
        Files.copy(style1, art.resolve("y.png"));
        Files.copy(style0, art.resolve("x.png"));
        Path c2 = Fixtures.testkit(dir, "images/content_40x40.png");
        Path outDir = dir.resolve("out");

        CliRun run = CliRun.of(args("--content", content.toString(), c2.toString(), "--style", art.toString(),
                "--output", outDir.toString()));

        assertThat(run.exitCode()).as(run.toString()).isZero();
        // Style by style, each for every content in turn.
        assertThat(run.out().lines()).containsExactly(outDir.resolve("content_48x64_stylized_x.png").toString(),
                outDir.resolve("content_40x40_stylized_x.png").toString(),
                outDir.resolve("content_48x64_stylized_y.png").toString(),
                outDir.resolve("content_40x40_stylized_y.png").toString());
        assertThat(run.err()).containsOnlyOnce("encoding style 1/2 x.png").containsOnlyOnce("encoding style 2/2 y.png")
                .contains("[1/4] stylizing content_48x64.png with x.png", "[4/4] stylizing content_40x40.png with y.png");
        // Each result is that one pair's transfer, not an interpolation of the directory's styles.
        for (String[] pair : new String[][] {{"x", "content_48x64"}, {"y", "content_40x40"}}) {
            Path single = dir.resolve("single_" + pair[0] + "_" + pair[1] + ".png");
            Path contentFile = pair[1].equals("content_48x64") ? content : c2;
            CliRun alone = CliRun.of(args("-q", "--content", contentFile.toString(), "--style",
                    art.resolve(pair[0] + ".png").toString(), "--output", single.toString()));
            assertThat(alone.exitCode()).as(alone.toString()).isZero();
            assertThat(Fixtures.bytes(outDir.resolve(pair[1] + "_stylized_" + pair[0] + ".png")))
                    .as(pair[1] + " with " + pair[0]).isEqualTo(Fixtures.bytes(single));
        }
    }

    @Test
    void aStyleDirectoryWithPreserveColor() throws Exception {
        Path art = Files.createDirectories(dir.resolve("art"));
        Files.copy(style0, art.resolve("x.png"));
        Files.copy(style1, art.resolve("y.png"));
        Path outDir = dir.resolve("out");

        CliRun run = CliRun.of(args("--preserve-color", "--content", content.toString(), "--style", art.toString(),
                "--output", outDir.toString()));

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertSize(outDir.resolve("content_48x64_stylized_x.png"), 64, 48);
        assertSize(outDir.resolve("content_48x64_stylized_y.png"), 64, 48);
        assertThat(run.err()).doesNotContain("encoding style");
    }

    static int maxDifference(BufferedImage a, BufferedImage b) {
        return LevelDiff.of(a, b).max();
    }
}
