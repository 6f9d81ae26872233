package org.adain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.adain.fake.FakeStyleModel;
import org.adain.fake.FakeWeightsReader;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The API's orchestration on a pure-Java fake backend (8×8 average "encoder", ×8 nearest "decoder"). */
class StyleTransferTest {
    @TempDir
    Path dir;
    Path enc;
    Path dec;

    @BeforeEach
    void weights() throws Exception {
        enc = Files.write(dir.resolve("enc.fake"), FakeWeightsReader.MAGIC);
        dec = Files.write(dir.resolve("dec.fake"), FakeWeightsReader.MAGIC);
    }

    StyleTransfer open() {
        return StyleTransfer.builder().encoder(enc).decoder(dec).build();
    }

    static ImageTensor noise(long seed, int h, int w) {
        return ColorTransferTest.random(seed, h, w, new float[][] {{1, 0.5f, 0}, {0, 1, 0.2f}, {0.3f, 0, 1}});
    }

    @Test
    void outputHasTheContentsSizeEvenWhenNotAMultipleOf8() {
        try (StyleTransfer st = open()) {
            ImageTensor out = st.stylizeTensor(StyleRequest.builder().content(noise(1, 45, 70)).style(noise(2, 32, 32))
                    .contentSize(0).styleSize(0).build());
            assertThat(out.height()).isEqualTo(45);
            assertThat(out.width()).isEqualTo(70);
            ImageTensor resized = st.stylizeTensor(StyleRequest.builder().content(noise(1, 45, 70))
                    .style(noise(2, 32, 32)).contentSize(20).build());
            assertThat(resized.height()).isEqualTo(20);
            assertThat(resized.width()).isEqualTo(31);
            ImageTensor cropped = st.stylizeTensor(StyleRequest.builder().content(noise(1, 45, 70))
                    .style(noise(2, 32, 32)).contentSize(20).crop(true).build());
            assertThat(cropped.height()).isEqualTo(20);
            assertThat(cropped.width()).isEqualTo(20);
            assertThat(FakeStyleModel.last.openMaps()).isZero();
        }
        assertThat(FakeStyleModel.last.isClosed()).isTrue();
    }

    @Test
    void alphaZeroDecodesTheContentFeatures() {
        try (StyleTransfer st = open()) {
            ImageTensor content = noise(3, 24, 32);
            ImageTensor out = st.stylizeTensor(StyleRequest.builder().content(content).style(noise(4, 16, 16))
                    .alpha(0).contentSize(0).build());
            // fake encoder = 8×8 mean, fake decoder = nearest ×8: alpha 0 gives the block means of the content
            double s = 0;
            for (int y = 0; y < 8; y++) {
                for (int x = 0; x < 8; x++) {
                    s += content.get(1, y, 8 + x);
                }
            }
            assertThat(out.get(1, 3, 12)).isCloseTo((float) (s / 64), org.assertj.core.data.Offset.offset(1e-6f));
        }
    }

    @Test
    void cachedStyleFeaturesGiveTheSameResultAsTheImage() {
        try (StyleTransfer st = open()) {
            ImageTensor style = noise(5, 40, 40);
            ImageTensor content = noise(6, 32, 48);
            ImageTensor direct = st.stylizeTensor(StyleRequest.builder().content(content).style(style).build());
            try (StyleFeatures f = st.encodeStyle(style, 512, false)) {
                ImageTensor cached = st.stylizeTensor(StyleRequest.builder().content(content).style(f).build());
                assertThat(cached).isEqualTo(direct);
                ImageTensor viaColour = st.stylizeTensor(StyleRequest.builder().content(content).style(f)
                        .preserveColor(true).build());
                ImageTensor directColour = st.stylizeTensor(StyleRequest.builder().content(content).style(style)
                        .preserveColor(true).build());
                assertThat(viaColour).isEqualTo(directColour);
                assertThat(viaColour).isNotEqualTo(direct);
                assertThat(f.featureShape()).isEqualTo("3×64×64"); // resized to 512 before encoding
            }
            assertThat(FakeStyleModel.last.openMaps()).isZero();
        }
    }

    @Test
    void featuresAreTiedToTheirInstanceAndState() {
        try (StyleTransfer a = open(); StyleTransfer b = open()) {
            StyleFeatures f = a.encodeStyle(noise(7, 16, 16), 0, false);
            StyleRequest r = StyleRequest.builder().content(noise(8, 16, 16)).style(f).build();
            assertThatThrownBy(() -> b.stylizeTensor(r)).isInstanceOf(InvalidRequestException.class)
                    .hasMessageContaining("another StyleTransfer");
            f.close();
            assertThatThrownBy(() -> a.stylizeTensor(r)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("closed");
        }
    }

    @Test
    void masksAreScaledToTheFeatureMapAndCheckedThere() {
        try (StyleTransfer st = open()) {
            int w = 64;
            int h = 48;
            int[] idx = new int[w * h];
            for (int i = 0; i < idx.length; i++) {
                idx[i] = (i % w) < 32 ? 0 : 1;
            }
            ImageTensor out = st.stylizeTensor(StyleRequest.builder().content(noise(9, h, w)).style(noise(10, 16, 16))
                    .style(noise(11, 16, 16)).mask(SpatialMask.ofStyleIndices(w, h, idx)).contentSize(0).build());
            assertThat(out.width()).isEqualTo(64);
            int[] thin = new int[w * h];
            for (int i = 0; i < thin.length; i++) {
                thin[i] = (i % w) < 8 ? 0 : 1; // one column of the 8×6 feature map: 6 positions, enough
            }
            st.stylizeTensor(StyleRequest.builder().content(noise(9, h, w)).style(noise(10, 16, 16))
                    .style(noise(11, 16, 16)).mask(SpatialMask.ofStyleIndices(w, h, thin)).contentSize(0).build());
            int[] dot = new int[w * h];
            java.util.Arrays.fill(dot, 1);
            dot[0] = 0; // a single pixel: vanishes at 1/8 scale
            assertThatThrownBy(() -> st.stylizeTensor(StyleRequest.builder().content(noise(9, h, w))
                    .style(noise(10, 16, 16)).style(noise(11, 16, 16)).mask(SpatialMask.ofStyleIndices(w, h, dot))
                    .contentSize(0).build())).isInstanceOf(InvalidRequestException.class)
                    .hasMessageContaining("style 0 covers 1 of the 8×6 feature positions");
            assertThat(FakeStyleModel.last.openMaps()).isZero();
        }
    }

    @Test
    void sizeLimitsNameTheImage() {
        try (StyleTransfer st = StyleTransfer.builder().encoder(enc).decoder(dec).maxPixels(10_000).build()) {
            assertThatThrownBy(() -> st.stylizeTensor(StyleRequest.builder().content(noise(1, 8, 40))
                    .style(noise(2, 16, 16)).contentSize(0).build())).isInstanceOf(InvalidRequestException.class)
                    .hasMessageContaining("content image is 40×8").hasMessageContaining("at least 9×9");
            assertThatThrownBy(() -> st.stylizeTensor(StyleRequest.builder().content(noise(1, 16, 16))
                    .style(noise(2, 200, 100)).contentSize(0).styleSize(0).build())).isInstanceOf(InvalidRequestException.class)
                    .hasMessageContaining("style 0 image is 100×200").hasMessageContaining("limit of 10000");
            assertThatThrownBy(() -> st.stylizeTensor(StyleRequest.builder().content(noise(1, 16, 16))
                    .style(noise(2, 16, 16)).build())).isInstanceOf(InvalidRequestException.class)
                    .hasMessageContaining("512×512 (resized from 16×16)");
        }
    }

    @Test
    void buildChecksTheWeightFiles() throws Exception {
        assertThatThrownBy(() -> StyleTransfer.builder().decoder(dec).build())
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("encoder");
        assertThatThrownBy(() -> StyleTransfer.builder().encoder(dir.resolve("none.h5")).decoder(dec).build())
                .isInstanceOf(ModelException.class).hasMessageContaining("none.h5").hasMessageContaining("does not exist");
        Path junk = Files.write(dir.resolve("junk.h5"), new byte[] {1, 2, 3, 4});
        assertThatThrownBy(() -> StyleTransfer.builder().encoder(enc).decoder(junk).build())
                .isInstanceOf(ModelException.class).hasMessageContaining("decoder weight file")
                .hasMessageContaining("01 02 03 04").hasMessageContaining("Fake test weights");
        Path empty = Files.createFile(dir.resolve("empty.h5"));
        assertThatThrownBy(() -> StyleTransfer.builder().encoder(empty).decoder(dec).build())
                .isInstanceOf(ModelException.class).hasMessageContaining("is empty");
        assertThatThrownBy(() -> StyleTransfer.builder().encoder(enc).decoder(dec).maxPixels(10).build())
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("maxPixels");
    }

    @Test
    void theTwoFilesAreReadAtOnceAndTheEncodersFailureWins() throws Exception {
        Path badEncoder = dir.resolve("missing-encoder.h5");
        Path badDecoder = Files.write(dir.resolve("junk-decoder.h5"), new byte[] {9, 9, 9, 9});
        // both bad: the encoder's error, as when the files were read one after the other
        assertThatThrownBy(() -> StyleTransfer.builder().encoder(badEncoder).decoder(badDecoder).build())
                .isInstanceOf(ModelException.class).hasMessageContaining("missing-encoder.h5");
        // the decoder's error keeps its type and message through the reader thread
        assertThatThrownBy(() -> StyleTransfer.builder().encoder(enc).decoder(badDecoder).build())
                .isInstanceOf(ModelException.class).hasMessageContaining("junk-decoder.h5")
                .hasMessageContaining("09 09 09 09");
        // an interrupt during the read is neither lost nor turned into a failure
        Thread.currentThread().interrupt();
        try (StyleTransfer st = open()) {
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void weightsAndBackendCanBeGivenDirectly() {
        org.adain.fake.FakeWeightsReader r = new org.adain.fake.FakeWeightsReader();
        try (StyleTransfer st = StyleTransfer.builder().weights(r.readEncoder(enc), r.readDecoder(dec))
                .backend(new org.adain.fake.FakeBackendProvider()).build()) {
            assertThat(st.backendName()).isEqualTo("fake");
        }
        assertThatThrownBy(() -> StyleTransfer.builder().weights(r.readEncoder(enc), r.readDecoder(dec)).encoder(enc)
                .build()).isInstanceOf(InvalidRequestException.class).hasMessageContaining("one way only");
    }

    @Test
    void closedInstancesRefuseWork() {
        StyleTransfer st = open();
        st.close();
        st.close();
        assertThatThrownBy(() -> st.encodeStyle(noise(1, 16, 16), 0, false)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void oneInstanceServesManyThreads() throws Exception {
        try (StyleTransfer st = open()) {
            StyleRequest r = StyleRequest.builder().content(noise(12, 40, 56)).style(noise(13, 24, 24), 1)
                    .style(noise(14, 24, 24), 3).alpha(0.6).build();
            ImageTensor expected = st.stylizeTensor(r);
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<ImageTensor>> futures = new ArrayList<>();
                for (int i = 0; i < 16; i++) {
                    futures.add(pool.submit(() -> st.stylizeTensor(r)));
                }
                for (Future<ImageTensor> f : futures) {
                    assertThat(f.get()).isEqualTo(expected);
                }
            } finally {
                pool.shutdown();
            }
        }
    }

    @Test
    void sizeLimitsCanBeCheckedWithoutAModel() {
        ImageTensor photo = ImageTensor.wrap(new float[3 * 60 * 80], 60, 80);          // 80×60
        StyleTransfer.checkSize(photo, 0, false, 4800);                              // exactly the limit
        StyleTransfer.checkSize(photo, 9, false, 200);                               // resized to 12×9
        assertThatThrownBy(() -> StyleTransfer.checkSize(photo, 0, false, 4799))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("80×60 = 4800 pixels")
                .hasMessageContaining("4799");
        assertThatThrownBy(() -> StyleTransfer.checkSize(photo, 8, false, 4800))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("resized from 80×60")
                .hasMessageContaining("9×9");
        assertThatThrownBy(() -> StyleTransfer.checkSize(photo, 0, false, 80))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("maxPixels must be at least 81");
    }

    @Test
    void trimMemoryReachesTheBackendAndNotAfterClose() {
        StyleTransfer st = open();
        st.trimMemory();
        assertThat(FakeStyleModel.last.trims).isEqualTo(1);
        st.close();
        assertThatThrownBy(st::trimMemory).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        assertThat(FakeStyleModel.last.trims).isEqualTo(1);
    }
}
