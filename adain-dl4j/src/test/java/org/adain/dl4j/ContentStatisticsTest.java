package org.adain.dl4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import org.adain.FeatureStatistics;
import org.adain.ImageTensor;
import org.adain.Images;
import org.adain.InvalidRequestException;
import org.adain.SpatialMask;
import org.adain.StyleFeatures;
import org.adain.StyleRequest;
import org.adain.StyleTransfer;
import org.adain.testkit.reference.ReferenceCases;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** StyleRequest.Builder#contentStatistics through the DL4J backend: the hook video stabilisation uses. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ContentStatisticsTest {
    private StyleTransfer transfer;
    private ImageTensor content;
    private ImageTensor style;
    private ImageTensor style2;

    @BeforeAll
    void setUp() throws Exception {
        Path dir = Files.createTempDirectory("adain-stats");
        transfer = StyleTransfer.builder()
                .encoder(ReferenceCases.copyTo("models/encoder_tf2.h5", dir))
                .decoder(ReferenceCases.copyTo("models/decoder_tf2.h5", dir)).build();
        content = ImageTensor.fromImage(Images.read(ReferenceCases.copyTo("images/content_48x64.png", dir)));
        style = ImageTensor.fromImage(Images.read(ReferenceCases.copyTo("images/style_0.png", dir)));
        style2 = ImageTensor.fromImage(Images.read(ReferenceCases.copyTo("images/style_1.png", dir)));
    }

    @AfterAll
    void tearDown() {
        transfer.close();
    }

    private StyleRequest.Builder request() {
        return StyleRequest.builder().content(content).contentSize(0).styleSize(0).alpha(0.7);
    }

    private static double maxDiff(ImageTensor a, ImageTensor b) {
        float[] x = a.toTensor().toArray();
        float[] y = b.toTensor().toArray();
        assertThat(x.length).isEqualTo(y.length);
        double worst = 0;
        for (int i = 0; i < x.length; i++) {
            worst = Math.max(worst, Math.abs(x[i] - y[i]));
        }
        return worst;
    }

    @Test
    void identityFilterMatchesTheBackendsTransferWithInterpolatedStyles() {
        AtomicReference<FeatureStatistics> seen = new AtomicReference<>();
        try (StyleFeatures cached = transfer.encodeStyle(style2, 0, false)) {
            ImageTensor plain = transfer.stylizeTensor(request().style(style, 1).style(cached, 3).build());
            ImageTensor filtered = transfer.stylizeTensor(request().style(style, 1).style(cached, 3)
                    .contentStatistics(s -> {
                        seen.set(s);
                        return s;
                    }).build());
            assertThat(maxDiff(plain, filtered)).isLessThan(1e-4);
        }
        assertThat(seen.get()).isNotNull();
        assertThat(seen.get().channels()).isPositive();
        for (int c = 0; c < seen.get().channels(); c++) {
            assertThat(seen.get().stdAt(c)).isGreaterThan(0);
        }
    }

    @Test
    void otherStatisticsChangeTheResult() {
        ImageTensor plain = transfer.stylizeTensor(request().style(style).build());
        ImageTensor shifted = transfer.stylizeTensor(request().style(style).contentStatistics(s -> {
            double[] std = s.std();
            for (int c = 0; c < std.length; c++) {
                std[c] *= 2;
            }
            return FeatureStatistics.of(s.mean(), std);
        }).build());
        assertThat(maxDiff(plain, shifted)).isGreaterThan(1e-3);
    }

    @Test
    void aFilterReturningTheWrongChannelsIsNamed() {
        assertThatThrownBy(() -> transfer.stylizeTensor(request().style(style)
                .contentStatistics(s -> FeatureStatistics.of(new double[] {0}, new double[] {1})).build()))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("returned 1 channels");
    }

    @Test
    void aMaskCannotBeCombined() {
        int[] halves = new int[content.height() * content.width()];
        for (int i = halves.length / 2; i < halves.length; i++) {
            halves[i] = 1;
        }
        SpatialMask mask = SpatialMask.ofStyleIndices(content.width(), content.height(), halves);
        assertThatThrownBy(() -> request().style(style).style(style2).mask(mask).contentStatistics(s -> s).build())
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("mask");
    }

    @Test
    void statisticsAreValidated() {
        assertThatThrownBy(() -> FeatureStatistics.of(new double[] {0, 1}, new double[] {1, 0}))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("channel 1");
        assertThatThrownBy(() -> FeatureStatistics.of(new double[] {0}, new double[] {1, 1}))
                .isInstanceOf(InvalidRequestException.class);
    }
}
