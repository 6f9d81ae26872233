package org.adain.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.adain.testkit.formats.FormatFixtures;
import org.adain.testkit.reference.ReferenceCases;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --semantics port|torch7}, and the one line the CLI prints for Torch7 weights without switching. */
class SemanticsCliTest {
    @TempDir
    Path dir;

    private CliRun stylize(Path enc, Path dec, Path out, String... extra) {
        Path content = ReferenceCases.copyTo("images/content_48x64.png", dir);
        Path style = ReferenceCases.copyTo("images/style_0.png", dir);
        List<String> args = new java.util.ArrayList<>(List.of("stylize", "--encoder", enc.toString(), "--decoder",
                dec.toString(), "--content", content.toString(), "--style", style.toString(), "--content-size", "0",
                "--style-size", "0", "-q", "--output", out.toString()));
        args.addAll(List.of(extra));
        return CliRun.of(args);
    }

    @Test
    void torch7WeightsGetOneLineSayingTheSemanticsInForceAndHowToSwitchButNoSwitch() throws Exception {
        Path enc = FormatFixtures.copyTo(FormatFixtures.T7_ENCODER, dir);
        Path dec = FormatFixtures.copyTo(FormatFixtures.T7_DECODER, dir);
        CliRun byDefault = stylize(enc, dec, dir.resolve("default.png"));
        assertThat(byDefault.exitCode()).as(byDefault.toString()).isEqualTo(AdainCli.EXIT_OK);
        assertThat(byDefault.errLines()).containsExactly("adain: vgg_normalised.t7 is a Torch7 model; computing with "
                + "PyTorch-port semantics (the default); add --semantics torch7 to reproduce the authors' Torch7 "
                + "results");

        CliRun port = stylize(enc, dec, dir.resolve("port.png"), "--semantics", "port");
        CliRun torch7 = stylize(enc, dec, dir.resolve("torch7.png"), "--semantics", "torch7");
        assertThat(port.exitCode()).as(port.toString()).isEqualTo(AdainCli.EXIT_OK);
        assertThat(torch7.exitCode()).as(torch7.toString()).isEqualTo(AdainCli.EXIT_OK);
        assertThat(torch7.errLines()).containsExactly("adain: vgg_normalised.t7 is a Torch7 model; computing with "
                + "Torch7 semantics (--semantics torch7); --semantics port for the PyTorch port's numerics");
        // the default is the port's, whatever the format; Torch7 semantics give another image (floor, statistics)
        assertThat(Files.readAllBytes(dir.resolve("default.png"))).isEqualTo(Files.readAllBytes(dir.resolve("port.png")));
        assertThat(Files.readAllBytes(dir.resolve("torch7.png")))
                .isNotEqualTo(Files.readAllBytes(dir.resolve("port.png")));
    }

    @Test
    void otherWeightsGetNoNotice() {
        Path enc = FormatFixtures.copyTo(FormatFixtures.LEGACY_ENCODER, dir);
        Path dec = FormatFixtures.copyTo(FormatFixtures.LEGACY_DECODER, dir);
        CliRun r = stylize(enc, dec, dir.resolve("out.png"), "--semantics", "torch7");
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(AdainCli.EXIT_OK);
        assertThat(r.err()).isEmpty();
    }

    @Test
    void anUnknownSemanticsIsAUsageError() {
        Path enc = FormatFixtures.copyTo(FormatFixtures.LEGACY_ENCODER, dir);
        Path dec = FormatFixtures.copyTo(FormatFixtures.LEGACY_DECODER, dir);
        CliRun r = stylize(enc, dec, dir.resolve("out.png"), "--semantics", "lua");
        assertThat(r.exitCode()).isEqualTo(AdainCli.EXIT_USAGE);
        assertThat(r.errorLine()).contains("--semantics").contains("'lua' is not port or torch7");
        assertThat(dir.resolve("out.png")).doesNotExist();
    }
}
