package org.adain.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import org.adain.ImageTensor;
import org.adain.Images;
import org.adain.ModelStore;
import org.adain.StyleRequest;
import org.adain.StyleTransfer;
import org.adain.testkit.formats.FormatFixtures;
import org.adain.testkit.formats.ModelServer;
import org.adain.testkit.reference.ReferenceCases;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The first run as a user makes it: fetch the models into a store (here from 127.0.0.1, serving the small Torch7
 * fixtures under the published names), then {@code StyleTransfer.builder().pretrained(store)}: the result is the
 * same as with the files given directly.
 */
@Timeout(120)
class PretrainedModelsTest {
    @TempDir
    Path dir;

    @Test
    void fetchThenStylizeWithThePretrainedModels() {
        ImageTensor content = ImageTensor.fromImage(Images.read(ReferenceCases.copyTo("images/content_48x64.png",
                dir)));
        ImageTensor style = ImageTensor.fromImage(Images.read(ReferenceCases.copyTo("images/style_0.png", dir)));
        StyleRequest request = StyleRequest.builder().content(content).style(style).contentSize(0).styleSize(0)
                .build();

        ModelStore store;
        try (ModelServer server = ModelServer.start()) {
            server.serve("vgg_normalised.t7", FormatFixtures.bytes(FormatFixtures.T7_ENCODER))
                    .serve("decoder.t7", FormatFixtures.bytes(FormatFixtures.T7_DECODER));
            store = ModelStore.builder().directory(dir.resolve("models")).baseUrl(server.baseUrl())
                    .timeout(Duration.ofSeconds(10)).build();
            store.fetch(ModelStore.Source.TORCH7);
        }

        ImageTensor fromStore;
        try (StyleTransfer st = StyleTransfer.builder().pretrained(store).backend(ReferenceBackend.correct()).build()) {
            fromStore = st.stylizeTensor(request);
        }
        ImageTensor direct;
        try (StyleTransfer st = StyleTransfer.builder()
                .encoder(FormatFixtures.copyTo(FormatFixtures.T7_ENCODER, dir))
                .decoder(FormatFixtures.copyTo(FormatFixtures.T7_DECODER, dir))
                .backend(ReferenceBackend.correct()).build()) {
            direct = st.stylizeTensor(request);
        }
        assertThat(fromStore.height()).isEqualTo(48);
        assertThat(fromStore.width()).isEqualTo(64);
        assertThat(fromStore.toArray()).isEqualTo(direct.toArray());
    }
}
