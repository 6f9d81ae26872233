package org.adain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.adain.ModelStore.ModelFile;
import org.adain.fake.FakeWeightsReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ModelStore}'s settings, without a network: where the directory is, where files come from, and how
 * {@link StyleTransfer.Builder#pretrained} combines with the other ways to give weights. The downloads themselves are
 * tested in adain-testkit ({@code ModelStoreTest}), next to the format fixtures they serve.
 */
class ModelStoreSettingsTest {
    @TempDir
    Path dir;

    @Test
    void directoryComesFromThePropertyThenTheEnvironmentThenXdgThenHome() {
        Path home = dir.resolve("home");
        assertThat(ModelStore.defaultDirectory("/p/models", "/e/models", "/xdg", home.toString()))
                .isEqualTo(Path.of("/p/models"));
        assertThat(ModelStore.defaultDirectory(" ", "/e/models", "/xdg", home.toString()))
                .isEqualTo(Path.of("/e/models"));
        assertThat(ModelStore.defaultDirectory(null, "", "/xdg", home.toString()))
                .isEqualTo(Path.of("/xdg/adain/models"));
        // A relative XDG_CACHE_HOME is invalid by the XDG spec and ignored.
        assertThat(ModelStore.defaultDirectory(null, null, "relative/cache", home.toString()))
                .isEqualTo(home.resolve(".cache/adain/models"));
        assertThat(ModelStore.defaultDirectory(null, null, null, home.toString()))
                .isEqualTo(home.resolve(".cache/adain/models"));
    }

    @Test
    void filesComeFromThePublishersUnlessAMirrorIsSet() {
        ModelStore standard = ModelStore.builder().directory(dir).build();
        assertThat(standard.url(ModelFile.VGG_T7))
                .hasToString("https://s3.amazonaws.com/xunhuang-public/adain/vgg_normalised.t7");
        assertThat(standard.url(ModelFile.DECODER_T7))
                .hasToString("https://s3.amazonaws.com/xunhuang-public/adain/decoder.t7");
        assertThat(standard.url(ModelFile.VGG_PTH))
                .hasToString("https://github.com/naoto0804/pytorch-AdaIN/releases/download/v0.0.0/vgg_normalised.pth");
        assertThat(standard.url(ModelFile.DECODER_PTH))
                .hasToString("https://github.com/naoto0804/pytorch-AdaIN/releases/download/v0.0.0/decoder.pth");
        assertThat(standard.timeout()).isEqualTo(ModelStore.DEFAULT_TIMEOUT);
        assertThat(standard.lockFile()).isEqualTo(dir.resolve("models.lock"));

        ModelStore mirror = ModelStore.builder().directory(dir).baseUrl(URI.create("http://127.0.0.1:8080/m")).build();
        assertThat(mirror.url(ModelFile.DECODER_T7)).hasToString("http://127.0.0.1:8080/m/decoder.t7");
        assertThat(mirror.url(ModelFile.VGG_PTH)).hasToString("http://127.0.0.1:8080/m/vgg_normalised.pth");
        assertThat(ModelStore.builder().baseUrl(URI.create("https://example.org")).build()
                .url(ModelFile.DECODER_T7)).hasToString("https://example.org/decoder.t7");
    }

    @Test
    void badSettingsAreRefused() {
        assertThatThrownBy(() -> ModelStore.builder().baseUrl(URI.create("file:///tmp/models/")))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("must be an absolute http or https URL with a host")
                .hasMessageContaining("'file:///tmp/models/'");
        assertThatThrownBy(() -> ModelStore.builder().baseUrl(URI.create("models/")))
                .isInstanceOf(InvalidRequestException.class);
        assertThatThrownBy(() -> ModelStore.builder().baseUrl(URI.create("https://example.org/m/?token=1")))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("query");
        assertThatThrownBy(() -> ModelStore.builder().timeout(Duration.ZERO))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessage("The download timeout must be positive, got PT0S");
    }

    @Test
    void anEmptyStoreFailsTheBuildWithHowToFetchAndDownloadsNothing() {
        ModelStore store = ModelStore.builder().directory(dir.resolve("none")).build();
        assertThatThrownBy(() -> StyleTransfer.builder().pretrained(store).build())
                .isInstanceOf(ModelException.class)
                .hasMessage("No pretrained models in " + dir.resolve("none") + ". Run 'adain models fetch --dir "
                        + dir.resolve("none") + "' (Java: ModelStore.fetch) once to download and verify the authors' "
                        + "Torch7 models; nothing is downloaded implicitly");
        assertThat(dir.resolve("none")).doesNotExist();
    }

    @Test
    void pretrainedIsOneWayOfGivingTheWeights() throws Exception {
        ModelStore store = ModelStore.builder().directory(dir).build();
        Path enc = Files.write(dir.resolve("enc.fake"), FakeWeightsReader.MAGIC);
        assertThatThrownBy(() -> StyleTransfer.builder().pretrained(store).encoder(enc).build())
                .isInstanceOf(InvalidRequestException.class)
                .hasMessage("Give the weights one way only: as files (encoder/decoder), in memory (weights) or from "
                        + "a model store (pretrained)");
        assertThatThrownBy(() -> StyleTransfer.builder().encoder(enc).build())
                .isInstanceOf(InvalidRequestException.class)
                .hasMessage("No decoder weights: call decoder(path) (or pretrained(store))");
    }

    @Test
    void aStoreWithVerifiedFilesGivesThemToTheBuilder() throws Exception {
        // The fake reader on this module's test class path accepts these bytes whatever the file is called.
        Files.write(dir.resolve("vgg_normalised.t7"), FakeWeightsReader.MAGIC);
        Files.write(dir.resolve("decoder.t7"), FakeWeightsReader.MAGIC);
        String sha = ModelStore.sha256(dir.resolve("decoder.t7"));
        Files.writeString(dir.resolve("models.lock"), sha + "  vgg_normalised.t7\n" + sha + "  decoder.t7\n");
        ModelStore store = ModelStore.builder().directory(dir).build();

        try (StyleTransfer st = StyleTransfer.builder().pretrained(store).build()) {
            assertThat(st.backendName()).isEqualTo("fake");
        }
        // The builder really goes through the store: a file that no longer matches its pin stops it.
        Files.write(dir.resolve("decoder.t7"), "FAKEWEIGHTS, modified".getBytes(StandardCharsets.US_ASCII));
        assertThatThrownBy(() -> StyleTransfer.builder().pretrained(store).build())
                .isInstanceOf(ModelException.class)
                .hasMessageStartingWith(dir.resolve("decoder.t7") + " no longer has the SHA-256 pinned in "
                        + store.lockFile());
    }
}
