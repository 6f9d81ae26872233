package org.adain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.adain.fake.FakeStyleModel;
import org.adain.fake.FakeWeightsReader;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tiling on the pure-Java fake backend (8×8 average "encoder", ×8 nearest "decoder"): its receptive fields fit
 * inside any margin, so tiled and untiled results must agree exactly; the real networks are checked in
 * adain-dl4j's TilingParityTest.
 */
class TilingTest {
    @TempDir
    Path dir;
    Path enc;
    Path dec;

    @BeforeEach
    void weights() throws Exception {
        enc = Files.write(dir.resolve("enc.fake"), FakeWeightsReader.MAGIC);
        dec = Files.write(dir.resolve("dec.fake"), FakeWeightsReader.MAGIC);
    }

    @Test
    void spansPartitionTheAxisWithMarginsAtInnerBordersOnly() {
        for (int n = 1; n < 200; n++) {
            for (int length : new int[] {9, 10, 12, 31, 96}) {
                List<Tiling.Span> spans = Tiling.spans(n, length, 4);
                int pos = 0;
                for (Tiling.Span s : spans) {
                    assertThat(s.from()).isEqualTo(pos);
                    assertThat(s.to()).isGreaterThan(s.from());
                    assertThat(s.end() - s.start()).isLessThanOrEqualTo(length);
                    assertThat(s.start()).isGreaterThanOrEqualTo(0);
                    assertThat(s.end()).isLessThanOrEqualTo(n);
                    // 4 positions of context wherever the tile border is not the image border
                    assertThat(s.start() == 0 || s.from() - s.start() >= 4).isTrue();
                    assertThat(s.end() == n || s.end() - s.to() >= 4).isTrue();
                    pos = s.to();
                }
                assertThat(pos).isEqualTo(n);
                if (n <= length) {
                    assertThat(spans).hasSize(1);
                }
            }
        }
    }

    @Test
    void tiledEqualsUntiledOnTheFakeBackend() {
        ImageTensor content = StyleTransferTest.noise(1, 300, 421);
        ImageTensor style = StyleTransferTest.noise(2, 200, 150);
        for (double alpha : new double[] {1.0, 0.6}) {
            StyleRequest req = StyleRequest.builder().content(content).style(style).contentSize(0).styleSize(0)
                    .alpha(alpha).build();
            ImageTensor plain;
            try (StyleTransfer st = StyleTransfer.builder().encoder(enc).decoder(dec).tilingThreshold(Long.MAX_VALUE)
                    .build()) {
                plain = st.stylizeTensor(req);
            }
            try (StyleTransfer st = StyleTransfer.builder().encoder(enc).decoder(dec).tilingThreshold(10_000)
                    .tileSize(96).build()) {
                ImageTensor tiled = st.stylizeTensor(req);
                assertThat(tiled.height()).isEqualTo(300);
                assertThat(tiled.width()).isEqualTo(421);
                assertThat(tiled.toArray()).containsExactly(plain.toArray());
                assertThat(FakeStyleModel.last.openMaps()).isZero();
                // cached style features, tiled too (the style is over the threshold)
                StyleFeatures cached = st.encodeStyle(style, 0, false);
                ImageTensor fromCache = st.stylizeTensor(StyleRequest.builder().content(content).style(cached)
                        .contentSize(0).alpha(alpha).build());
                assertThat(fromCache.toArray()).containsExactly(plain.toArray());
            }
        }
    }

    @Test
    void belowTheThresholdNothingIsTiled() {
        Tiling t = new Tiling(100 * 100, 96);
        assertThat(t.applies(100, 100)).isFalse();
        assertThat(t.applies(100, 101)).isTrue();
    }

    @Test
    void badTileSizesAreRejected() {
        assertThatThrownBy(() -> StyleTransfer.builder().encoder(enc).decoder(dec).tileSize(72).build())
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("tile size");
        assertThatThrownBy(() -> StyleTransfer.builder().encoder(enc).decoder(dec).tileSize(100).build())
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("multiple of 8");
        assertThatThrownBy(() -> StyleTransfer.builder().encoder(enc).decoder(dec).tilingThreshold(-1).build())
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("threshold");
    }
}
