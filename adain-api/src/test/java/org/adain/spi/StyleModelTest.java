package org.adain.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.adain.BackendException;
import org.adain.fake.FakeBackendProvider;
import org.junit.jupiter.api.Test;

/** The SPI's defaults: what an inference-only backend need not implement. */
class StyleModelTest {
    @Test
    void lossesOfABackendWithoutTheCapabilityThrowNamingTheBackend() {
        // The fake backend's model is inference-only: it declares nothing and keeps the default losses.
        try (StyleModel model = new FakeBackendProvider().load(null, null)) {
            assertThat(model.capabilities()).doesNotContain(StyleModel.Capability.LOSSES);
            Tensor images = Tensor.wrap(new float[3 * 16 * 16], 1, 3, 16, 16);
            assertThatThrownBy(() -> model.losses(images, images)).isInstanceOf(BackendException.class)
                    .hasMessageContaining("org.adain.fake.FakeStyleModel").hasMessageContaining("(fake)")
                    .hasMessageContaining("does not declare StyleModel.Capability.LOSSES");
        }
    }
}
