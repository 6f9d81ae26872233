package org.adain.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.adain.testkit.formats.FormatFixtures;
import org.adain.testkit.formats.ModelServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code adain models fetch | list} against a server on 127.0.0.1 that serves the small Torch7 fixtures under the
 * published names, and {@code adain stylize} without --encoder/--decoder on what it fetched. Every run names its
 * directory: the user's real cache is never touched.
 */
@Timeout(120)
class ModelsCommandTest {
    @TempDir
    Path dir;

    Path models;
    ModelServer server;

    @BeforeEach
    void serve() {
        models = dir.resolve("models");
        server = ModelServer.start().serve("vgg_normalised.t7", FormatFixtures.bytes(FormatFixtures.T7_ENCODER))
                .serve("decoder.t7", FormatFixtures.bytes(FormatFixtures.T7_DECODER));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    CliRun fetch(String... more) {
        String[] args = {"models", "fetch", "--dir", models.toString(), "--base-url", server.baseUrl().toString()};
        String[] all = java.util.Arrays.copyOf(args, args.length + more.length);
        System.arraycopy(more, 0, all, args.length, more.length);
        return CliRun.of(all);
    }

    @Test
    void fetchThenStylizeWithoutEncoderAndDecoder() throws IOException {
        CliRun f = fetch();
        assertThat(f.exitCode()).as(f.toString()).isZero();
        assertThat(f.out().lines()).containsExactly(models.resolve("vgg_normalised.t7").toString(),
                models.resolve("decoder.t7").toString());
        assertThat(f.err()).contains("vgg_normalised.t7  " + server.baseUrl() + "vgg_normalised.t7")
                .containsPattern("decoder\\.t7  100%  0\\.1 of 0\\.1 MiB")
                .containsPattern("decoder\\.t7  verifying \\.\\.\\. 0\\.1 MiB in \\d+\\.\\d s, ok, "
                        + "SHA-256 [0-9a-f]{12}… pinned")
                .doesNotContain("error");
        assertThat(models.resolve("decoder.t7")).hasBinaryContent(FormatFixtures.bytes(FormatFixtures.T7_DECODER));

        // Fetching again downloads nothing.
        int requests = server.requests().size();
        CliRun again = fetch();
        assertThat(again.exitCode()).as(again.toString()).isZero();
        assertThat(again.err()).contains("vgg_normalised.t7  already verified (SHA-256 ",
                "decoder.t7  already verified (SHA-256 ");
        assertThat(server.requests()).hasSize(requests);

        CliRun list = CliRun.of("models", "list", "--dir", models.toString());
        assertThat(list.exitCode()).as(list.toString()).isZero();
        assertThat(list.out()).contains("models in " + models)
                .containsPattern("vgg_normalised\\.t7 +verified +0\\.2 MiB  sha256 [0-9a-f]{64}")
                .containsPattern("decoder\\.pth +missing")
                .contains("stylize without --encoder/--decoder uses the authors' Torch7 models (vgg_normalised.t7, "
                        + "decoder.t7)");

        // stylize with the fetched models gives the image the same files give when named.
        Path content = Fixtures.content(dir);
        Path style = Fixtures.style(dir, 0);
        Path out = dir.resolve("out.png");
        CliRun s = CliRun.of("stylize", "--models-dir", models.toString(), "--content", content.toString(),
                "--style", style.toString(), "--content-size", "0", "--style-size", "0", "-q", "--output",
                out.toString());
        assertThat(s.exitCode()).as(s.toString()).isZero();
        StylizeEndToEndTest.assertSize(out, 64, 48);
        Path named = dir.resolve("named.png");
        CliRun n = CliRun.of("stylize", "--encoder", FormatFixtures.copyTo(FormatFixtures.T7_ENCODER, dir).toString(),
                "--decoder", FormatFixtures.copyTo(FormatFixtures.T7_DECODER, dir).toString(), "--content",
                content.toString(), "--style", style.toString(), "--content-size", "0", "--style-size", "0", "-q",
                "--output", named.toString());
        assertThat(n.exitCode()).as(n.toString()).isZero();
        assertThat(Files.readAllBytes(out)).isEqualTo(Files.readAllBytes(named));
    }

    @Test
    void stylizeWithoutModelsSaysToFetchThem() {
        Path empty = dir.resolve("empty");
        CliRun s = CliRun.of("stylize", "--models-dir", empty.toString(), "--content",
                Fixtures.content(dir).toString(), "--style", Fixtures.style(dir, 0).toString(), "--output",
                dir.resolve("out.png").toString());
        assertThat(s.exitCode()).isEqualTo(AdainCli.EXIT_INPUT);
        assertThat(s.errorLine()).isEqualTo("adain: error: No pretrained models in " + empty + ". Run 'adain models "
                + "fetch --dir " + empty + "' (Java: ModelStore.fetch) once to download and verify the authors' "
                + "Torch7 models; nothing is downloaded implicitly");
        assertThat(dir.resolve("out.png")).doesNotExist();
        assertThat(empty).doesNotExist();
    }

    @Test
    void stylizeWithOnlyOneOfEncoderAndDecoderIsAUsageError() {
        CliRun s = CliRun.of("stylize", "--encoder", "e.t7", "--content", "c.png", "--style", "s.png", "--output",
                "o.png");
        assertThat(s.exitCode()).isEqualTo(AdainCli.EXIT_USAGE);
        assertThat(s.errorLine()).contains("Give both --encoder and --decoder, or neither");
    }

    @Test
    void anUnreachableServerIsOneErrorLineWithTheUrlsAndTheDirectory() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        String base = "http://127.0.0.1:" + port + "/m/";
        CliRun f = CliRun.of("models", "fetch", "--dir", models.toString(), "--base-url", base);
        assertThat(f.exitCode()).as(f.toString()).isEqualTo(AdainCli.EXIT_INPUT);
        assertThat(f.errorLine()).startsWith("adain: error: Cannot download the authors' Torch7 models: cannot connect "
                + "to 127.0.0.1:" + port).contains("To download them by hand, save " + base + "vgg_normalised.t7 and "
                + base + "decoder.t7 into " + models);
        assertThat(f.out()).isEmpty();
    }

    @Test
    void aRefusedDownloadIsOneErrorLineAndAfterItTheErrorStartsOnItsOwnLine() {
        server.serve("decoder.t7", "<html><body>Not here</body></html>".getBytes(StandardCharsets.UTF_8));
        CliRun f = fetch();
        assertThat(f.exitCode()).as(f.toString()).isEqualTo(AdainCli.EXIT_INPUT);
        assertThat(f.errorLine()).startsWith("adain: error: Refused " + server.baseUrl() + "decoder.t7: the downloaded "
                + "file is not a usable Torch7 (.t7) decoder");
        assertThat(models.resolve("decoder.t7")).doesNotExist();
    }

    @Test
    void notFoundIsABadInput() {
        server.status("vgg_normalised.t7", 404);
        CliRun f = fetch("-q");
        assertThat(f.exitCode()).isEqualTo(AdainCli.EXIT_INPUT);
        assertThat(f.errLines()).containsExactly("adain: error: Cannot download " + server.baseUrl()
                + "vgg_normalised.t7: the server answered HTTP 404 (Not Found)");
    }

    @Test
    void badOptionsAreUsageErrors() {
        CliRun url = CliRun.of("models", "fetch", "--dir", models.toString(), "--base-url", "ftp://example.org/m/");
        assertThat(url.exitCode()).isEqualTo(AdainCli.EXIT_USAGE);
        assertThat(url.errorLine()).contains("--base-url", "http or https");
        CliRun timeout = CliRun.of("models", "fetch", "--dir", models.toString(), "--timeout", "0");
        assertThat(timeout.exitCode()).isEqualTo(AdainCli.EXIT_USAGE);
        assertThat(timeout.errorLine()).contains("--timeout");
        CliRun none = CliRun.of("models");
        assertThat(none.exitCode()).isEqualTo(AdainCli.EXIT_USAGE);
        assertThat(none.errorLine()).contains("models fetch", "models list");
        assertThat(server.requests()).isEmpty();
        assertThat(models).doesNotExist();
    }

    @Test
    void pytorchFetchesThePortsFiles() {
        server.serve("vgg_normalised.pth", FormatFixtures.bytes(FormatFixtures.LEGACY_ENCODER))
                .serve("decoder.pth", FormatFixtures.bytes(FormatFixtures.LEGACY_DECODER));
        CliRun f = fetch("--pytorch", "-q");
        assertThat(f.exitCode()).as(f.toString()).isZero();
        assertThat(f.err()).isEmpty();
        assertThat(f.out().lines()).containsExactly(models.resolve("vgg_normalised.pth").toString(),
                models.resolve("decoder.pth").toString());
        CliRun list = CliRun.of("models", "list", "--dir", models.toString());
        assertThat(list.out()).contains("uses the PyTorch port's models (vgg_normalised.pth, decoder.pth)");
    }
}
