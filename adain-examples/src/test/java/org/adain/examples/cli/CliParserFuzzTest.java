package org.adain.examples.cli;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.adain.testkit.formats.FuzzDuration;
import org.adain.testkit.formats.FuzzFindings;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/**
 * The Jazzer fuzz target of the command-line parser: the input, split at NUL bytes, is a command line, which
 * {@code adain}'s picocli model, as the CLI configures it ({@link AdainCli#commandLine()}), parses (every command,
 * option and converter; nothing is run and no file is read).
 * A parse ends in a result or in picocli's {@link CommandLine.ParameterException}, which the CLI reports as a usage
 * error (exit 2); anything else would be an internal error. Seeds: the command lines of the README and the help.
 */
class CliParserFuzzTest {
    @BeforeAll
    static void fuzzDuration() {
        FuzzDuration.apply();
    }

    @MethodSource("seeds")
    @FuzzTest
    void parse(byte[] data) {
        String[] args = new String(data, StandardCharsets.UTF_8).split("\0", -1);
        FuzzFindings.run("cli", data, () -> {
            try {
                AdainCli.commandLine().parseArgs(args);
            } catch (CommandLine.ParameterException e) {
                // a usage error: the documented outcome of a bad command line
            }
        });
    }

    static Stream<Arguments> seeds() {
        return Stream.of(
                "stylize\0--content\0photo.jpg\0--style\0starry.jpg\0--output\0out.png",
                "stylize\0--encoder\0vgg_normalised.h5\0--decoder\0decoder.h5\0--content\0a.jpg\0--style\0b.jpg\0c.jpg"
                        + "\0--style-weights\00.3,0.7\0--alpha\00.5\0--preserve-color\0--content-size\0512\0--crop",
                "stylize\0--content\0dir\0--style\0s.png\0--mask\0m.png\0--max-pixels\01000000\0--tiling-threshold\0"
                        + "none\0--tile-size\0256\0--backend\0dl4j",
                "train\0--content-dir\0c\0--style-dir\0s\0--iterations\010\0--output\0run",
                "convert\0decoder.t7\0decoder.h5",
                "models\0fetch", "models\0list", "env", "--version", "help\0stylize", "stylize\0--help", "--debug\0env")
                .map(s -> Arguments.of((Object) s.getBytes(StandardCharsets.UTF_8)));
    }
}
