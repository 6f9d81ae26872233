package org.adain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.adain.fake.FakeBackendProvider;
import org.adain.fake.FakeStyleModel;
import org.adain.spi.BackendProvider;
import org.adain.spi.StyleModel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Precision} through the builder and the SPI, on the pure-Java fake backend. */
class PrecisionTest {
    @TempDir
    Path dir;
    Path enc;
    Path dec;

    @BeforeEach
    void weights() throws Exception {
        enc = Files.write(dir.resolve("enc.fake"), org.adain.fake.FakeWeightsReader.MAGIC);
        dec = Files.write(dir.resolve("dec.fake"), org.adain.fake.FakeWeightsReader.MAGIC);
    }

    @AfterEach
    void clearProperty() {
        System.clearProperty(Backends.PROPERTY);
    }

    @Test
    void float32IsTheDefaultAndTheDescriptionSaysSo() {
        try (StyleTransfer st = StyleTransfer.builder().encoder(enc).decoder(dec).build()) {
            assertThat(st.precision()).isEqualTo(Precision.FLOAT32);
            assertThat(st.describe()).isEqualTo("fake, precision float32");
        }
        try (StyleTransfer st = StyleTransfer.builder().encoder(enc).decoder(dec).precision(Precision.FLOAT32)
                .build()) {
            assertThat(st.precision()).isEqualTo(Precision.FLOAT32);
        }
    }

    @Test
    void aNullPrecisionIsRefusedNamingTheParameter() {
        assertThatThrownBy(() -> StyleTransfer.builder().precision(null)).isInstanceOf(NullPointerException.class)
                .hasMessage("precision");
        assertThatThrownBy(() -> new FakeBackendProvider().load(null, null, null))
                .isInstanceOf(NullPointerException.class).hasMessage("precision");
    }

    @Test
    void aFloat32OnlyBackendChosenByPriorityRefusesBf16AndSaysHowToPickAnother() {
        assertThatThrownBy(() -> StyleTransfer.builder().encoder(enc).decoder(dec).precision(Precision.BF16).build())
                .isInstanceOf(BackendException.class)
                .hasMessage("Backend 'fake' does not implement precision BF16: it runs float32 only; use "
                        + "Precision.FLOAT32, or a backend that implements BF16. Backend 'fake' was chosen by the "
                        + "highest priority on the classpath; name one that implements BF16 with "
                        + "StyleTransfer.builder().backend(...)");
    }

    @Test
    void theRefusalNamesTheSystemPropertyWhenThatChoseTheBackend() {
        System.setProperty(Backends.PROPERTY, "fake");
        assertThatThrownBy(() -> StyleTransfer.builder().encoder(enc).decoder(dec).precision(Precision.BF16).build())
                .isInstanceOf(BackendException.class)
                .hasMessageEndingWith("Backend 'fake' was chosen by the system property adain.backend; name one that "
                        + "implements BF16 with StyleTransfer.builder().backend(...)");
    }

    @Test
    void aBackendNamedInCodeIsRefusedWithoutTheHint() {
        assertThatThrownBy(() -> StyleTransfer.builder().encoder(enc).decoder(dec).backend("FAKE")
                .precision(Precision.BF16).build()).isInstanceOf(BackendException.class)
                .hasMessage("Backend 'fake' does not implement precision BF16: it runs float32 only; use "
                        + "Precision.FLOAT32, or a backend that implements BF16");
        assertThatThrownBy(() -> StyleTransfer.builder().encoder(enc).decoder(dec)
                .backend(new FakeBackendProvider()).precision(Precision.BF16).build())
                .isInstanceOf(BackendException.class).hasMessageEndingWith("a backend that implements BF16");
    }

    @Test
    void aBackendThatImplementsBf16IsLoadedThroughTheThreeArgumentLoad() {
        BackendProvider bf16 = FakeBackendProvider.withPrecision(Precision.BF16, Precision.BF16);
        try (StyleTransfer st = StyleTransfer.builder().encoder(enc).decoder(dec).backend(bf16)
                .precision(Precision.BF16).build()) {
            assertThat(st.precision()).isEqualTo(Precision.BF16);
            assertThat(FakeStyleModel.last.precision()).isEqualTo(Precision.BF16);
            assertThat(st.describe()).isEqualTo("fake, precision bf16");
            st.close();
            assertThat(st.precision()).as("after close").isEqualTo(Precision.BF16);
        }
        // the same provider still loads float32 by the default method
        try (StyleTransfer st = StyleTransfer.builder().encoder(enc).decoder(dec).backend(bf16).build()) {
            assertThat(FakeStyleModel.last.precision()).isEqualTo(Precision.FLOAT32);
        }
    }

    @Test
    void aModelRunningAnotherPrecisionThanAskedIsABackendBugAndIsClosed() {
        BackendProvider liar = FakeBackendProvider.withPrecision(Precision.BF16, Precision.FLOAT32);
        assertThatThrownBy(() -> StyleTransfer.builder().encoder(enc).decoder(dec).backend(liar)
                .precision(Precision.BF16).build()).isInstanceOf(BackendException.class)
                .hasMessage("Backend 'fake' was asked for precision BF16 but its model runs FLOAT32 "
                        + "(StyleModel.precision()): a bug in the backend, whose BackendProvider.load(encoder, "
                        + "decoder, precision) must honour the precision or refuse it");
        assertThat(FakeStyleModel.last.isClosed()).isTrue();
        BackendProvider claimsBf16 = FakeBackendProvider.withPrecision(Precision.FLOAT32, Precision.BF16);
        assertThatThrownBy(() -> StyleTransfer.builder().encoder(enc).decoder(dec).backend(claimsBf16).build())
                .isInstanceOf(BackendException.class)
                .hasMessageStartingWith("Backend 'fake' was asked for precision FLOAT32 but its model runs BF16");
        assertThat(FakeStyleModel.last.isClosed()).isTrue();
    }

    @Test
    void theSpiDefaultsRunFloat32() {
        StyleModel m = new FakeBackendProvider().load(null, null, Precision.FLOAT32);
        try (m) {
            assertThat(m.precision()).isEqualTo(Precision.FLOAT32);
        }
    }

    @Test
    void cliNames() {
        assertThat(Precision.ofCliName("bf16")).isEqualTo(Precision.BF16);
        assertThat(Precision.ofCliName(" BF16 ")).isEqualTo(Precision.BF16);
        assertThat(Precision.ofCliName("Float32")).isEqualTo(Precision.FLOAT32);
        assertThat(Precision.BF16.cliName()).isEqualTo("bf16");
        assertThatThrownBy(() -> Precision.ofCliName("fp16")).isInstanceOf(InvalidRequestException.class)
                .hasMessage("Unknown precision 'fp16': use float32 or bf16");
        assertThatThrownBy(() -> Precision.ofCliName(null)).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("float32 or bf16");
    }
}
