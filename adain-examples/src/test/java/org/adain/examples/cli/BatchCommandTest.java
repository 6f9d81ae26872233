package org.adain.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code adain batch} end to end on the testkit's small models: naming, restart, failures, exit codes. */
class BatchCommandTest {
    @TempDir
    Path dir;

    Path encoder;
    Path decoder;
    Path style0;
    Path style1;
    Path photos;
    Path out;

    @BeforeEach
    void fixtures() throws IOException {
        encoder = Fixtures.encoder(dir);
        decoder = Fixtures.decoder(dir);
        style0 = Fixtures.style(dir, 0);
        style1 = Fixtures.style(dir, 1);
        photos = dir.resolve("photos");
        Fixtures.testkit(photos, "images/content_48x64.png");
        Fixtures.copy(Fixtures.TESTKIT + "images/content_40x40.png", photos.resolve("2024/june/beach.png"));
        Fixtures.write(Fixtures.read(Fixtures.testkit(dir, "images/content_45x70.png")), "jpeg",
                photos.resolve("2024/tower.JPG"));
        Fixtures.write(Fixtures.read(Fixtures.testkit(dir, "images/content_75x100.png")), "bmp",
                photos.resolve("2024/june/old.bmp"));
        Files.writeString(photos.resolve("notes.txt"), "not an image");
        Fixtures.copy(Fixtures.TESTKIT + "images/content_40x40.png", photos.resolve(".thumbs/hidden.png"));
        Fixtures.copy(Fixtures.TESTKIT + "images/content_40x40.png", photos.resolve(".hidden.png"));
        out = dir.resolve("out");
    }

    List<String> args(String... more) {
        List<String> a = new ArrayList<>(List.of("batch", "--encoder", encoder.toString(), "--decoder",
                decoder.toString(), "--content-size", "0", "--style-size", "0", "--progress", "log"));
        a.addAll(List.of(more));
        return a;
    }

    /** Every regular file under out, relative, '/'-separated, sorted. */
    List<String> outputs() throws IOException {
        try (Stream<Path> s = Files.walk(out)) {
            return s.filter(Files::isRegularFile).map(p -> out.relativize(p).toString().replace('\\', '/'))
                    .sorted().toList();
        }
    }

    @Test
    void walksTheTreeAndNamesOutputsAfterRelativePathContentAndStyle() throws IOException {
        CliRun run = CliRun.of(args("--content", photos.toString(), "--style", "night=" + style0,
                "--style", "mix=" + style0 + ":3," + style1 + ":1", "--output", out.toString()));

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(AdainCli.EXIT_OK);
        assertThat(outputs()).containsExactly(
                "2024/june/beach__mix.png", "2024/june/beach__night.png",
                "2024/june/old__mix.png", "2024/june/old__night.png",
                "2024/tower__mix.JPG", "2024/tower__night.JPG",
                "content_48x64__mix.png", "content_48x64__night.png");
        assertThat(run.out().strip()).isEqualTo("4 stylized, 0 skipped (done before), 0 failed");
        assertThat(run.err()).contains("adain: warning: skipped 1 file(s)", "4/4 images (0 skipped, 0 failed)",
                "images/s", "ETA");
        StylizeEndToEndTest.assertSize(out.resolve("2024/june/old__night.png"), 100, 75);
    }

    @Test
    void outputsEqualAdainStylizeByteForByte() {
        CliRun batch = CliRun.of(args("--content", photos.toString(), "--style", "mix=" + style0 + ":3," + style1
                + ":1", "--output", out.toString(), "-q"));
        assertThat(batch.exitCode()).as(batch.toString()).isZero();
        Path single = dir.resolve("single.png");
        CliRun stylize = CliRun.of("stylize", "--encoder", encoder.toString(), "--decoder", decoder.toString(),
                "--content-size", "0", "--style-size", "0", "--content", photos.resolve("2024/june/beach.png")
                        .toString(), "--style", style0.toString(), style1.toString(), "--style-weights", "3,1",
                "--output", single.toString(), "-q");
        assertThat(stylize.exitCode()).as(stylize.toString()).isZero();
        assertThat(Fixtures.bytes(out.resolve("2024/june/beach__mix.png"))).isEqualTo(Fixtures.bytes(single));
    }

    @Test
    void aSecondRunSkipsCompleteOutputsRemakesMissingOnesAndDeletesLeftoverTemporaryFiles() throws IOException {
        List<String> a = args("--content", photos.toString(), "--style", style0.toString(), "--output",
                out.toString(), "-q");
        assertThat(CliRun.of(a).exitCode()).isZero();
        Path kept = out.resolve("content_48x64__style_0.png");
        Path lost = out.resolve("2024/june/beach__style_0.png");
        byte[] lostBytes = Fixtures.bytes(lost);
        FileTime keptTime = Files.getLastModifiedTime(kept);
        // As a run killed while writing beach's result would leave it: no output, a hidden temporary file.
        Files.delete(lost);
        Path leftover = lost.resolveSibling(".adain-123456789.tmp");
        Files.write(leftover, new byte[] {1, 2, 3});

        CliRun again = CliRun.of(a);

        assertThat(again.exitCode()).as(again.toString()).isZero();
        assertThat(again.out().strip()).isEqualTo("1 stylized, 3 skipped (done before), 0 failed");
        assertThat(Fixtures.bytes(lost)).isEqualTo(lostBytes);
        assertThat(Files.getLastModifiedTime(kept)).isEqualTo(keptTime);
        assertThat(leftover).doesNotExist();
        assertThat(outputs()).hasSize(4).allMatch(p -> p.contains("__style_0."));

        CliRun third = CliRun.of(a);
        assertThat(third.out().strip()).isEqualTo("0 stylized, 4 skipped (done before), 0 failed");
    }

    @Test
    void corruptImagesAreListedInFailuresCsvAndTheRunGoesOn() throws IOException {
        Path truncated = Fixtures.firstBytes(photos.resolve("content_48x64.png"), 0.5,
                photos.resolve("2024/half, \"cut\".png"));
        Files.writeString(photos.resolve("2024/text.jpg"), "\u001b[31mnot a jpeg");
        Files.write(photos.resolve("empty.png"), new byte[0]);
        Fixtures.write(Fixtures.grey(5, 5, 128), "png", photos.resolve("tiny.png"));

        CliRun run = CliRun.of(args("--content", photos.toString(), "--style", style0.toString(), "--output",
                out.toString()));

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(AdainCli.EXIT_SOME_FAILED);
        assertThat(run.out().strip()).startsWith("4 stylized, 0 skipped (done before), 4 failed (see ")
                .endsWith("failures.csv)");
        List<String> rows = Files.readAllLines(out.resolve("failures.csv"), StandardCharsets.UTF_8);
        assertThat(rows).hasSize(5);
        assertThat(rows.get(0)).isEqualTo("path,error");
        // The path as given, quoted by RFC 4180; the error made printable (no raw escape character).
        assertThat(rows).anySatisfy(r -> assertThat(r).startsWith("\"" + truncated.toString().replace("\"",
                "\"\"") + "\","));
        assertThat(rows).anySatisfy(r -> assertThat(r).startsWith(photos.resolve("2024/text.jpg") + ","));
        assertThat(rows).anySatisfy(r -> assertThat(r).startsWith(photos.resolve("empty.png") + ",")
                .contains("empty"));
        assertThat(rows).anySatisfy(r -> assertThat(r).startsWith(photos.resolve("tiny.png") + ",")
                .contains("tiny.png"));
        assertThat(String.join("\n", rows)).doesNotContain("\u001b");
        assertThat(outputs()).contains("content_48x64__style_0.png", "2024/june/old__style_0.png",
                "failures.csv").hasSize(5);
        assertThat(out.resolve("2024")).isDirectory();

        // Fixed on disk, the failed images are done by the next run, which replaces failures.csv.
        Files.delete(truncated);
        Files.delete(photos.resolve("2024/text.jpg"));
        Files.delete(photos.resolve("empty.png"));
        Files.delete(photos.resolve("tiny.png"));
        CliRun again = CliRun.of(args("--content", photos.toString(), "--style", style0.toString(), "--output",
                out.toString(), "-q"));
        assertThat(again.exitCode()).as(again.toString()).isZero();
        assertThat(out.resolve("failures.csv")).doesNotExist();
    }

    @Test
    void listFileEntriesAreNamedAsListedAndBadEntriesFail() throws IOException {
        Path list = dir.resolve("todo.txt");
        Path abs = photos.resolve("2024/june/beach.png").toAbsolutePath();
        Files.writeString(list, "# my list\n\n" + abs + "\n../elsewhere.png\n" + dir.resolve("missing.png")
                .toAbsolutePath() + "\n", StandardCharsets.UTF_8);

        CliRun run = CliRun.of(args("--list", list.toString(), "--style", "s=" + style0, "--output",
                out.toString(), "-q"));

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(AdainCli.EXIT_SOME_FAILED);
        String relative = abs.getRoot().relativize(abs).toString().replace('\\', '/');
        assertThat(outputs()).containsExactlyInAnyOrder(relative.replace("beach.png", "beach__s.png"),
                "failures.csv");
        String csv = Files.readString(out.resolve("failures.csv"));
        assertThat(csv).contains("../elsewhere.png,", "outside the current directory", "missing.png",
                "does not exist");
    }

    @Test
    void contentsWhoseOutputsWouldClashFailInsteadOfOverwriting() throws IOException {
        Fixtures.write(Fixtures.read(photos.resolve("content_48x64.png")), "gif", photos.resolve("content_48x64"
                + ".gif"));
        CliRun run = CliRun.of(args("--content", photos.toString(), "--style", style0.toString(), "--output",
                out.toString(), "-q"));
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(AdainCli.EXIT_SOME_FAILED);
        assertThat(Files.readString(out.resolve("failures.csv"))).contains("content_48x64.png",
                "same output names");
    }

    @Test
    void outputInsideTheContentDirectoryIsNotSearched() throws IOException {
        Path inside = photos.resolve("styled");
        List<String> a = args("--content", photos.toString(), "--style", style0.toString(), "--output",
                inside.toString(), "-q");
        assertThat(CliRun.of(a).exitCode()).isZero();
        CliRun again = CliRun.of(a);
        assertThat(again.out().strip()).isEqualTo("0 stylized, 4 skipped (done before), 0 failed");
    }

    @Test
    void commandLineMistakesExitWith2() throws IOException {
        assertThat(CliRun.of(args("--style", style0.toString(), "--output", out.toString())).errorLine())
                .contains("--content", "--list");
        CliRun twice = CliRun.of(args("--content", photos.toString(), "--style", "a=" + style0, "--style",
                "A=" + style1, "--output", out.toString()));
        assertThat(twice.exitCode()).isEqualTo(AdainCli.EXIT_USAGE);
        assertThat(twice.errorLine()).contains("named 'A'");
        CliRun badName = CliRun.of(args("--content", photos.toString(), "--style", "a/b=" + style0, "--output",
                out.toString()));
        assertThat(badName.exitCode()).isEqualTo(AdainCli.EXIT_USAGE);
        assertThat(badName.errorLine()).contains("style name 'a/b'");
        CliRun negative = CliRun.of(args("--content", photos.toString(), "--style", style0 + ":-1", "--output",
                out.toString()));
        assertThat(negative.exitCode()).isEqualTo(AdainCli.EXIT_USAGE);
        Path file = Files.writeString(dir.resolve("file"), "x");
        CliRun outFile = CliRun.of(args("--content", photos.toString(), "--style", style0.toString(), "--output",
                file.toString()));
        assertThat(outFile.exitCode()).isEqualTo(AdainCli.EXIT_USAGE);
        CliRun same = CliRun.of(args("--content", photos.toString(), "--style", style0.toString(), "--output",
                photos.toString()));
        assertThat(same.exitCode()).isEqualTo(AdainCli.EXIT_USAGE);
        assertThat(same.errorLine()).contains("is the --content directory");
        assertThat(CliRun.of(args("--content", photos.toString(), "--style", style0.toString(), "--output",
                out.toString(), "--progress", "fancy")).errorLine()).contains("--progress");
        assertThat(out).doesNotExist();
    }

    @Test
    void aBadStyleStopsTheRunBeforeAnyOutputWithExit1() throws IOException {
        Path broken = Files.writeString(dir.resolve("broken.png"), "no");
        CliRun run = CliRun.of(args("--content", photos.toString(), "--style", broken.toString(), "--output",
                out.toString()));
        assertThat(run.exitCode()).isEqualTo(AdainCli.EXIT_INPUT);
        assertThat(run.errorLine()).contains("broken.png");
        assertThat(out).doesNotExist();
    }

    @Test
    void styleSpecParsing() {
        BatchStyle plain = BatchStyle.parse("art/starry.jpg");
        assertThat(plain.name()).isEqualTo("starry");
        assertThat(plain.images()).containsExactly(Path.of("art/starry.jpg"));
        assertThat(plain.weights()).isNull();
        BatchStyle mix = BatchStyle.parse("mix=a.png:3,b.png");
        assertThat(mix.name()).isEqualTo("mix");
        assertThat(mix.images()).containsExactly(Path.of("a.png"), Path.of("b.png"));
        assertThat(mix.weights()).containsExactly(3.0, 1.0);
        // A colon not followed by a number is part of the path (Windows drives).
        assertThat(BatchStyle.parse("w=C:x.png").images()).containsExactly(Path.of("C:x.png"));
    }

    @Test
    void progressDurations() {
        assertThat(BatchProgress.duration(59.4)).isEqualTo("0:59");
        assertThat(BatchProgress.duration(3725)).isEqualTo("1:02:05");
    }
}
