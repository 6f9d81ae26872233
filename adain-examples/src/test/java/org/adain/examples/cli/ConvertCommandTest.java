package org.adain.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.adain.testkit.formats.FormatFixtures;
import org.adain.testkit.reference.ReferenceCases;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code adain convert} and {@code adain stylize} on the PyTorch and Torch7 fixtures. */
class ConvertCommandTest {
    @TempDir
    Path dir;

    @Test
    void convertsAPthDecoderToKerasHdf5() {
        Path in = FormatFixtures.copyTo(FormatFixtures.LEGACY_DECODER, dir);
        Path out = dir.resolve("decoder.h5");
        CliRun r = CliRun.of("convert", in.toString(), out.toString());
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(AdainCli.EXIT_OK);
        assertThat(r.out().strip()).isEqualTo("decoder.pth (PyTorch state dict (.pth)) → decoder.h5 (Keras HDF5): "
                + "AdaIN decoder, 9 3×3 convs, 24 → 3 channels");
        assertThat(out).isRegularFile();
    }

    @Test
    void convertsADecoderToDl4jsNativeFormatAndStylizesWithIt() throws Exception {
        Path in = FormatFixtures.copyTo(FormatFixtures.T7_DECODER, dir);
        Path fb = dir.resolve("decoder.fb");
        CliRun r = CliRun.of("convert", in.toString(), fb.toString());
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(AdainCli.EXIT_OK);
        assertThat(r.out().strip()).startsWith("decoder.t7 (Torch7 (.t7)) → decoder.fb (SameDiff FlatBuffers (DL4J)): "
                + "AdaIN decoder");

        // the .fb decoder gives the same image as the .t7 it came from
        Path enc = FormatFixtures.copyTo(FormatFixtures.ZIP_ENCODER, dir);
        Path content = ReferenceCases.copyTo("images/content_48x64.png", dir);
        Path style = ReferenceCases.copyTo("images/style_0.png", dir);
        byte[][] images = new byte[2][];
        Path[] decoders = {in, fb};
        for (int i = 0; i < 2; i++) {
            Path out = dir.resolve("out" + i + ".png");
            CliRun s = CliRun.of("stylize", "--encoder", enc.toString(), "--decoder", decoders[i].toString(),
                    "--content", content.toString(), "--style", style.toString(), "--content-size", "0",
                    "--style-size", "0", "-q", "--output", out.toString());
            assertThat(s.exitCode()).as(s.toString()).isEqualTo(AdainCli.EXIT_OK);
            images[i] = Files.readAllBytes(out);
        }
        assertThat(images[1]).isEqualTo(images[0]);

        // encoders have no .fb form: said, nothing written
        Path encFb = dir.resolve("encoder.fb");
        CliRun e = CliRun.of("convert", enc.toString(), encFb.toString());
        assertThat(e.exitCode()).isEqualTo(AdainCli.EXIT_INPUT);
        assertThat(e.errorLine()).contains("holds decoders only");
        assertThat(encFb).doesNotExist();
    }

    @Test
    void stylizeReadsPthAndT7Directly() throws Exception {
        Path enc = FormatFixtures.copyTo(FormatFixtures.ZIP_ENCODER, dir);
        Path dec = FormatFixtures.copyTo(FormatFixtures.T7_DECODER, dir);
        Path content = ReferenceCases.copyTo("images/content_48x64.png", dir);
        Path style = ReferenceCases.copyTo("images/style_0.png", dir);
        Path out = dir.resolve("out.png");
        CliRun r = CliRun.of("stylize", "--encoder", enc.toString(), "--decoder", dec.toString(), "--content",
                content.toString(), "--style", style.toString(), "--content-size", "0", "--style-size", "0", "-q",
                "--output", out.toString());
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(AdainCli.EXIT_OK);
        assertThat(Files.size(out)).isPositive();
    }

    @Test
    void outputThatIsTheInputIsAUsageError() {
        Path in = FormatFixtures.copyTo(FormatFixtures.ZIP_DECODER, dir);
        CliRun r = CliRun.of("convert", in.toString(), in.toString());
        assertThat(r.exitCode()).isEqualTo(AdainCli.EXIT_USAGE);
        assertThat(r.errorLine()).contains("is the input file");
    }

    @Test
    void hostileInputIsABadInput() {
        Path in = FormatFixtures.copyTo(FormatFixtures.EVIL_LEGACY, dir);
        CliRun r = CliRun.of("convert", in.toString(), dir.resolve("x.h5").toString());
        assertThat(r.exitCode()).isEqualTo(AdainCli.EXIT_INPUT);
        assertThat(r.errorLine()).contains("refused pickle global 'posix.system'");
        assertThat(dir.resolve("x.h5")).doesNotExist();
    }
}
