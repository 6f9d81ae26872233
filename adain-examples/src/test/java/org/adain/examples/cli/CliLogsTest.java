package org.adain.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.adain.testkit.reference.ReferenceCases;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code adain} prints on stderr from logging, run as users run it: {@link AdainCli#main} in a fresh JVM (on
 * this module's class path, with slf4j-simple as the binding), because logging is set up once per process and
 * in-process runs cannot see what the libraries write to the real stderr. Without {@code --debug}: no log line at
 * all, only the command's progress and its one {@code adain: error:} line. With it: adain's decisions and
 * DL4J/ND4J's INFO lines, and no warning except ND4J's own op-registry one (see the dl4j module's
 * ThirdPartyLogsTest).
 */
class CliLogsTest {
    /** A line of slf4j-simple or of {@link CliLogging.OneLine}: "LEVEL logger - message". */
    private static final Pattern LOG_LINE = Pattern.compile("^(TRACE|DEBUG|INFO|WARN|ERROR) \\S+ - .*");
    private static final String KNOWN_ND4J_WARNING = "WARN org.nd4j.imports.converters.ImportClassMapping - "
            + "Duplicate TF op mapping found for op ";

    @TempDir
    Path dir;

    record Run(int code, String out, String err) {
        List<String> errLines() {
            // the progress bar redraws its line with \r: each drawing counts as a line
            return err.lines().flatMap(l -> List.of(l.split("\r")).stream()).filter(l -> !l.isBlank()).toList();
        }

        List<String> logLines() {
            return errLines().stream().filter(l -> LOG_LINE.matcher(l).matches()).toList();
        }

        @Override
        public String toString() {
            return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    private Run adain(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xmx1g", "-cp", System.getProperty("java.class.path"), AdainCli.class.getName()));
        command.addAll(List.of(args));
        Path out = dir.resolve("stdout.txt");
        Path err = dir.resolve("stderr.txt");
        Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("adain timed out: " + command + "\n" + Files.readString(err));
        }
        return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    private List<String> train(Path out, String... more) {
        Path contents = dir.resolve("content");
        Path styles = dir.resolve("style");
        for (String c : List.of("content_48x64.png", "content_40x40.png")) {
            ReferenceCases.copyTo("images/" + c, contents);
        }
        for (int k = 0; k < 2; k++) {
            ReferenceCases.copyTo("images/style_" + k + ".png", styles);
        }
        List<String> args = new ArrayList<>(List.of("train", "--encoder",
                ReferenceCases.copyTo("models/encoder_tf2.h5", dir).toString(), "--content-dir", contents.toString(),
                "--style-dir", styles.toString(), "--out", out.toString(), "--iterations", "2", "--batch", "1",
                "--image-size", "40", "--crop", "32", "--sample-every", "0", "--validation-pairs", "1"));
        args.addAll(List.of(more));
        return args;
    }

    @Test
    void convertToSameDiffPrintsNothingOnStderrAndDebugShowsTheLog() throws Exception {
        Path decoder = Fixtures.decoder(dir);
        Path fb = dir.resolve("decoder.fb");
        Run quiet = adain("convert", decoder.toString(), fb.toString());
        assertThat(quiet.code()).as(quiet.toString()).isZero();
        assertThat(quiet.err()).as(quiet.toString()).isEmpty();
        assertThat(fb).isRegularFile();

        Run debug = adain("convert", decoder.toString(), dir.resolve("again.fb").toString(), "--debug");
        assertThat(debug.code()).as(debug.toString()).isZero();
        // conversion takes no decision of adain's own: the log is DL4J/ND4J's
        assertThat(debug.logLines()).as(debug.toString())
                .anyMatch(l -> l.startsWith("INFO org.nd4j.linalg.factory.Nd4jBackend - Loaded [CpuBackend]"));
        assertThat(debug.errLines()).as(debug.toString()).filteredOn(l -> l.contains("WARN"))
                .allMatch(l -> l.startsWith(KNOWN_ND4J_WARNING));
    }

    @Test
    void trainPrintsOnlyItsProgressAndDebugShowsTheDecisions() throws Exception {
        Run quiet = adain(train(dir.resolve("run")).toArray(String[]::new));
        assertThat(quiet.code()).as(quiet.toString()).isZero();
        assertThat(quiet.logLines()).as(quiet.toString()).isEmpty();
        assertThat(quiet.err()).as(quiet.toString()).doesNotContain("WARN").doesNotContain("org.nd4j")
                .doesNotContain("org.adain.").doesNotContain("SLF4J").contains("2/2");
        assertThat(dir.resolve("run/decoder.fb")).isRegularFile();

        Run debug = adain(train(dir.resolve("run2"), "--debug").toArray(String[]::new));
        assertThat(debug.code()).as(debug.toString()).isZero();
        assertThat(debug.logLines()).as(debug.toString())
                .anyMatch(l -> l.startsWith("INFO org.adain - Backend 'dl4j' chosen: "))
                .anyMatch(l -> l.startsWith("INFO org.adain.dl4j - Buffer reuse for this training session: "))
                .anyMatch(l -> l.startsWith("INFO org.nd4j."));
        assertThat(debug.errLines()).as(debug.toString()).filteredOn(l -> l.contains("WARN"))
                .allMatch(l -> l.startsWith(KNOWN_ND4J_WARNING));
    }

    @Test
    void aFailureIsOneErrorLineAndNoLog() throws Exception {
        Path truncated = Fixtures.firstBytes(Fixtures.decoder(dir), 0.6, dir.resolve("cut.h5"));
        Run convert = adain("convert", truncated.toString(), dir.resolve("x.fb").toString());
        assertThat(convert.code()).as(convert.toString()).isEqualTo(AdainCli.EXIT_INPUT);
        assertThat(convert.errLines()).as(convert.toString()).singleElement().asString()
                .startsWith("adain: error: ").contains("cut.h5");

        Path badEncoder = Fixtures.firstBytes(Fixtures.encoder(dir), 0.6, dir.resolve("cut-encoder.h5"));
        List<String> args = train(dir.resolve("run"), "-q");
        args.set(args.indexOf("--encoder") + 1, badEncoder.toString());
        Run train = adain(args.toArray(String[]::new));
        assertThat(train.code()).as(train.toString()).isEqualTo(AdainCli.EXIT_INPUT);
        assertThat(train.errLines()).as(train.toString()).singleElement().asString()
                .startsWith("adain: error: ").contains("cut-encoder.h5");
    }
}
