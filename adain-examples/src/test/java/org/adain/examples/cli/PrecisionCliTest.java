package org.adain.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --precision float32|bf16} of the commands that load a model for inference ({@link ModelOptions}). The
 * refusals run on onnxruntime, which is float32 only (issue 15), so they hold whatever dl4j implements.
 */
class PrecisionCliTest {
    @TempDir
    Path dir;

    private List<String> stylize(Path out, String... extra) {
        List<String> args = new ArrayList<>(List.of("stylize", "-q", "--encoder", Fixtures.encoder(dir).toString(),
                "--decoder", Fixtures.decoder(dir).toString(), "--content", Fixtures.content(dir).toString(),
                "--style", Fixtures.style(dir, 0).toString(), "--content-size", "0", "--style-size", "0",
                "--backend", "onnxruntime", "--output", out.toString()));
        args.addAll(List.of(extra));
        return args;
    }

    @Test
    void float32IsTheDefaultInAnyCase() throws Exception {
        CliRun byDefault = CliRun.of(stylize(dir.resolve("default.png")));
        CliRun named = CliRun.of(stylize(dir.resolve("named.png"), "--precision", "FLOAT32"));
        assertThat(byDefault.exitCode()).as(byDefault.toString()).isEqualTo(AdainCli.EXIT_OK);
        assertThat(named.exitCode()).as(named.toString()).isEqualTo(AdainCli.EXIT_OK);
        assertThat(Files.readAllBytes(dir.resolve("named.png")))
                .isEqualTo(Files.readAllBytes(dir.resolve("default.png")));
    }

    @Test
    void bf16OnAFloat32OnlyBackendFailsNamingBothAndWritesNothing() {
        Path out = dir.resolve("out.png");
        CliRun r = CliRun.of(stylize(out, "--precision", "Bf16"));
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(AdainCli.EXIT_INPUT);
        assertThat(r.errorLine()).isEqualTo("adain: error: Backend 'onnxruntime' does not implement precision BF16: "
                + "it runs float32 only; use Precision.FLOAT32, or a backend that implements BF16");
        assertThat(out).doesNotExist();
    }

    @Test
    void anUnknownPrecisionIsAUsageErrorNamingTheAcceptedOnes() {
        Path out = dir.resolve("out.png");
        CliRun r = CliRun.of(stylize(out, "--precision", "fp16"));
        assertThat(r.exitCode()).isEqualTo(AdainCli.EXIT_USAGE);
        assertThat(r.errorLine()).contains("--precision").contains("'fp16' is not float32 or bf16");
        assertThat(out).doesNotExist();
    }

    @Test
    void everyInferenceCommandTakesItAndDocumentsIt() {
        for (String command : List.of("stylize", "batch", "video")) {
            CliRun help = CliRun.of(command, "--help");
            assertThat(help.exitCode()).as(command).isZero();
            // the help is wrapped at 80 columns: compare its words
            assertThat(help.out().replaceAll("\\s+", " ")).as(command).contains("--precision=float32|bf16",
                    "avx512_bf16 or AMX",
                    "about 2x as fast", "within a few 8-bit levels", "Default: float32.");
        }
    }
}
