package org.adain;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.adain.fake.FakeBackendProvider;
import org.adain.fake.FakeWeightsReader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The decisions adain-api logs through System.Logger "org.adain": INFO once at load, DEBUG per request. */
class DecisionLogTest {
    @TempDir
    Path dir;
    Path enc;
    Path dec;

    @BeforeEach
    void weights() throws Exception {
        enc = Files.write(dir.resolve("enc.fake"), FakeWeightsReader.MAGIC);
        dec = Files.write(dir.resolve("dec.fake"), FakeWeightsReader.MAGIC);
    }

    @AfterEach
    void clearProperty() {
        System.clearProperty(Backends.PROPERTY);
    }

    private List<String> logOfBuilding(StyleTransfer.Builder builder) {
        try (LogCapture log = new LogCapture(AdainLog.NAME)) {
            builder.encoder(enc).decoder(dec).build().close();
            return log.lines();
        }
    }

    @Test
    void theBackendAndWhyItWasChosenAreLoggedAtInfo() {
        assertThat(logOfBuilding(StyleTransfer.builder())).contains("INFO Backend 'fake' chosen: the highest "
                + "priority (1) of [fake (priority 1)]; name another with StyleTransfer.builder().backend(...) or "
                + "-Dadain.backend");
        assertThat(logOfBuilding(StyleTransfer.builder().backend("FAKE"))).contains("INFO Backend 'fake' chosen: "
                + "requested with StyleTransfer.builder().backend(...) (available: [fake (priority 1)])");
        System.setProperty(Backends.PROPERTY, "fake");
        assertThat(logOfBuilding(StyleTransfer.builder())).contains("INFO Backend 'fake' chosen: requested by the "
                + "system property adain.backend (available: [fake (priority 1)])");
        assertThat(logOfBuilding(StyleTransfer.builder().backend(new FakeBackendProvider())))
                .contains("INFO Backend 'fake' chosen: given as an instance to StyleTransfer.builder().backend(provider)");
    }

    @Test
    void whatWasLoadedAndTheLimitsAreLoggedAtInfo() {
        List<String> log = logOfBuilding(StyleTransfer.builder().maxPixels(1 << 22).tilingThreshold(1 << 20)
                .tileSize(512));
        assertThat(log).contains("INFO Loaded encoder " + enc + " (NORMALISED_VGG19) and decoder " + dec
                + " into backend 'fake'; pixel limit 4194304, tiles of 512 px above 1048576 pixels; PYTORCH_PORT "
                + "semantics, FLOAT32 precision");
        assertThat(log).allMatch(l -> l.startsWith("INFO "));
    }

    @Test
    void eachRequestAndItsTilingAreLoggedAtDebugWithTheSizes() {
        ImageTensor content = StyleTransferTest.noise(1, 120, 200);
        ImageTensor style = StyleTransferTest.noise(2, 16, 16);
        try (StyleTransfer untiled = StyleTransfer.builder().encoder(enc).decoder(dec).build();
                LogCapture log = new LogCapture(AdainLog.NAME)) {
            untiled.stylizeTensor(StyleRequest.builder().content(content).style(style).contentSize(60).alpha(0.5)
                    .build());
            assertThat(log.lines()).containsExactly("DEBUG Stylising a 100×60 content (given 200×120) with 1 "
                    + "style(s), alpha 0.5, untiled");
        }
        try (StyleTransfer tiled = StyleTransfer.builder().encoder(enc).decoder(dec).tilingThreshold(0).tileSize(80)
                .build(); LogCapture log = new LogCapture(AdainLog.NAME)) {
            tiled.stylizeTensor(StyleRequest.builder().content(content).style(style).contentSize(0).styleSize(0)
                    .build());
            int rows = Tiling.spans(15, 10, Tiling.MARGIN).size();
            int cols = Tiling.spans(25, 10, Tiling.MARGIN).size();
            assertThat(rows).isGreaterThan(1);
            assertThat(log.lines()).containsExactly(
                    "DEBUG Stylising a 200×120 content with 1 style(s), alpha 1.0, in tiles",
                    "DEBUG Encoding a 200×120 image (24000 pixels, over the tiling threshold of 0) in " + cols + "×"
                            + rows + " tiles of up to 80×80 pixels",
                    "DEBUG Encoding a 16×16 image (256 pixels, over the tiling threshold of 0) in 1×1 tiles of up "
                            + "to 80×80 pixels",
                    "DEBUG Decoding a 200×120 image in " + cols + "×" + rows + " tiles of up to 80×80 pixels");
        }
    }
}
