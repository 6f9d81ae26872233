package org.adain.dl4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.ServiceLoader;
import org.adain.InvalidRequestException;
import org.adain.spi.BackendProvider;
import org.adain.spi.DecoderWeights;
import org.adain.spi.EncoderKind;
import org.adain.spi.EncoderWeights;
import org.adain.spi.FeatureMap;
import org.adain.spi.StyleModel;
import org.adain.spi.Tensor;
import org.adain.spi.TransferPlan;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The provider and the whole model through the SPI, on small random weights. */
class Dl4jStyleModelTest {
    private static final int A = 4, B = 5, C = 6, D = 8;
    private static StyleModel model;

    @BeforeAll
    static void load() {
        EncoderWeights e = TestNets.encoder(EncoderKind.NORMALISED_VGG19, A, B, C, D, 21);
        DecoderWeights d = TestNets.decoder(A, B, C, D, 22);
        model = new Dl4jBackendProvider().load(e, d);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private static Tensor image(int n, int h, int w, long seed) {
        return Tensor.wrap(toFloats(TestNets.randomImage(n, 3, h, w, seed)), n, 3, h, w);
    }

    private static float[] toFloats(double[][][][] x) {
        return TestNets.toNd4j(x).data().asFloat();
    }

    @Test
    void aNativeFailureNamesTheEngineTheWorkAndTheCause() {
        assertThatThrownBy(() -> Dl4jStyleModel.guarded("decoding features of shape [1, 512, 4, 4]", () -> {
            throw new IllegalStateException("op failed");
        })).isInstanceOf(org.adain.BackendException.class)
                .hasMessage("ND4J failed while decoding features of shape [1, 512, 4, 4]: "
                        + "java.lang.IllegalStateException: op failed");
        assertThatThrownBy(() -> Dl4jStyleModel.guarded("oneDNN (bf16, with ND4J)", "encoding", () -> {
            throw new OutOfMemoryError("no more");
        })).isInstanceOf(org.adain.BackendException.class)
                .hasMessageStartingWith("oneDNN (bf16, with ND4J) failed while encoding: ");
        // our own argument errors pass through unchanged
        InvalidRequestException bad = new InvalidRequestException("bad shape");
        assertThatThrownBy(() -> Dl4jStyleModel.guarded("encoding", () -> {
            throw bad;
        })).isSameAs(bad);
    }

    @Test
    void providerIsFoundByServiceLoader() {
        List<BackendProvider> found = ServiceLoader.load(BackendProvider.class).stream()
                .map(ServiceLoader.Provider::get).filter(p -> p.name().equals("dl4j")).toList();
        assertThat(found).hasSize(1);
        assertThat(found.get(0)).isInstanceOf(Dl4jBackendProvider.class);
        assertThat(found.get(0).priority()).isEqualTo(100);
    }

    @Test
    void describesTheRuntime() {
        String env = new Dl4jBackendProvider().describeEnvironment();
        assertThat(env).contains("ND4J 1.0.0-M2.1").contains("linux-x86_64-onednn").contains("OMP")
                .contains("off-heap");
        assertThat(model.describe()).startsWith("dl4j").contains("1.0.0-M2.1").contains("onednn")
                .doesNotContain("\n");
        // Not THREAD_SAFE: the API serialises calls; TRAINING: Dl4jBackendProvider.train works; LOSSES: losses();
        // TORCH7_SEMANTICS: AdainOps, losses and training honour Semantics.TORCH7
        assertThat(model.capabilities()).containsExactlyInAnyOrder(org.adain.spi.StyleModel.Capability.TRAINING,
                org.adain.spi.StyleModel.Capability.LOSSES, org.adain.spi.StyleModel.Capability.TORCH7_SEMANTICS);
    }

    @Test
    void keptBuffersAreFreedOnRequestAndTheModelGoesOnAlike() {
        Dl4jStyleModel m = (Dl4jStyleModel) model;
        Tensor img = image(1, 40, 48, 7);
        Tensor before;
        try (FeatureMap f = m.encode(img)) {
            before = m.decode(f);
        }
        assertThat(m.heldBufferBytes()).as("intermediates kept after a pass").isPositive();
        m.trimMemory();
        assertThat(m.heldBufferBytes()).isZero();
        try (FeatureMap f = m.encode(img)) {
            assertThat(m.decode(f)).isEqualTo(before);
        }
        assertThat(m.heldBufferBytes()).isPositive();
    }

    @Test
    void wholeTransferHasTheRightShapesAndFiniteValues() {
        Tensor content = image(1, 75, 100, 1);
        Tensor style = image(1, 40, 33, 2);
        try (FeatureMap fc = model.encode(content); FeatureMap fs = model.encode(style)) {
            assertThat(new int[] {fc.batch(), fc.channels(), fc.height(), fc.width()}).containsExactly(1, D, 10, 13);
            assertThat(new int[] {fs.height(), fs.width()}).containsExactly(5, 5);
            try (FeatureMap t = model.transfer(new TransferPlan(fc, List.of(fs), new double[] {1}, 0.8, null))) {
                Tensor out = model.decode(t);
                assertThat(out.shape()).containsExactly(1, 3, 80, 104);
                assertThat(out.firstNonFinite()).isEqualTo(-1);
            }
            // alpha 0 decodes the content's own features.
            try (FeatureMap t0 = model.transfer(new TransferPlan(fc, List.of(fs), new double[] {1}, 0.0, null))) {
                assertThat(model.decode(t0)).isEqualTo(model.decode(fc));
            }
        }
    }

    @Test
    void interpolationAndRegionsRunThroughTheModel() {
        try (FeatureMap fc = model.encode(image(1, 24, 32, 3));
                FeatureMap s1 = model.encode(image(1, 16, 16, 4));
                FeatureMap s2 = model.encode(image(1, 24, 24, 5))) {
            int[] regions = new int[fc.height() * fc.width()];
            for (int p = 0; p < regions.length; p++) {
                regions[p] = p % fc.width() < 2 ? 0 : 1;
            }
            try (FeatureMap mix = model.transfer(new TransferPlan(fc, List.of(s1, s2), new double[] {0.3, 0.7}, 1,
                    null)); FeatureMap reg = model.transfer(new TransferPlan(fc, List.of(s1, s2), new double[] {0.5,
                    0.5}, 1, regions))) {
                assertThat(mix.toTensor().firstNonFinite()).isEqualTo(-1);
                assertThat(reg.toTensor().shape()).containsExactly(1, D, 3, 4);
                assertThat(model.decode(reg).shape()).containsExactly(1, 3, 24, 32);
            }
        }
    }

    @Test
    void encodeLayersGivesTheFourTaps() {
        Tensor img = image(2, 19, 21, 6);
        List<Tensor> taps = model.encodeLayers(img);
        assertThat(taps).hasSize(4);
        assertThat(taps.get(0).shape()).containsExactly(2, A, 19, 21);
        assertThat(taps.get(1).shape()).containsExactly(2, B, 10, 11);
        assertThat(taps.get(2).shape()).containsExactly(2, C, 5, 6);
        assertThat(taps.get(3).shape()).containsExactly(2, D, 3, 3);
        try (FeatureMap f = model.encode(img)) {
            assertThat(f.toTensor()).isEqualTo(taps.get(3));
        }
    }

    @Test
    void uploadThenDecodeEqualsDecode() {
        try (FeatureMap f = model.encode(image(1, 16, 24, 7))) {
            Tensor heap = f.toTensor();
            try (FeatureMap up = model.upload(heap)) {
                assertThat(up.toTensor()).isEqualTo(heap);
                assertThat(model.decode(up)).isEqualTo(model.decode(f));
            }
        }
    }

    @Test
    void badImagesAreRejectedNamingTheShape() {
        assertThatThrownBy(() -> model.encode(Tensor.wrap(new float[3 * 20 * 20], 3, 20, 20)))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("[3, 20, 20]");
        assertThatThrownBy(() -> model.encode(Tensor.wrap(new float[4 * 20 * 20], 1, 4, 20, 20)))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("[1, 4, 20, 20]");
        assertThatThrownBy(() -> model.encodeLayers(Tensor.wrap(new float[3 * 8 * 20], 1, 3, 8, 20)))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("[1, 3, 8, 20]");
        assertThatThrownBy(() -> model.upload(Tensor.wrap(new float[7 * 4], 1, 7, 2, 2)))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("[1, 7, 2, 2]");
        try (FeatureMap tiny = model.upload(Tensor.wrap(new float[D], 1, D, 1, 1))) {
            assertThatThrownBy(() -> model.decode(tiny)).isInstanceOf(InvalidRequestException.class)
                    .hasMessageContaining("[1, 8, 1, 1]");
            assertThatThrownBy(() -> model.transfer(new TransferPlan(tiny, List.of(tiny), new double[] {1}, 1, null)))
                    .isInstanceOf(InvalidRequestException.class).hasMessageContaining("[1, 8, 1, 1]");
        }
    }

    @Test
    void featureMapsOnlyWorkWithTheirModelAndNotAfterClose() {
        EncoderWeights e = TestNets.encoder(EncoderKind.NORMALISED_VGG19, A, B, C, D, 31);
        DecoderWeights d = TestNets.decoder(A, B, C, D, 32);
        FeatureMap foreign;
        try (StyleModel other = new Dl4jBackendProvider().load(e, d)) {
            foreign = other.encode(image(1, 16, 16, 8));
        }
        assertThatThrownBy(() -> model.decode(foreign)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not made by this model");
        FeatureMap mine = model.encode(image(1, 16, 16, 9));
        mine.close();
        mine.close(); // idempotent
        assertThatThrownBy(() -> model.decode(mine)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
        foreign.close();
    }

    @Test
    void kerasFlavourRunsEndToEnd() {
        EncoderWeights e = TestNets.encoder(EncoderKind.KERAS_APPLICATIONS_VGG19, A, B, C, D, 41);
        DecoderWeights d = TestNets.decoder(A, B, C, D, 42);
        try (StyleModel m = new Dl4jBackendProvider().load(e, d);
                FeatureMap fc = m.encode(image(1, 75, 100, 10));
                FeatureMap fs = m.encode(image(1, 20, 30, 11));
                FeatureMap t = m.transfer(new TransferPlan(fc, List.of(fs), new double[] {1}, 1, null))) {
            assertThat(new int[] {fc.height(), fc.width()}).containsExactly(10, 13);
            Tensor out = m.decode(t);
            assertThat(out.shape()).containsExactly(1, 3, 80, 104);
            assertThat(out.firstNonFinite()).isEqualTo(-1);
        }
    }

    @Test
    void closeFreesTheKeptBuffersAndGivesFreedMemoryBack() {
        EncoderWeights e = TestNets.encoder(EncoderKind.NORMALISED_VGG19, A, B, C, D, 53);
        Dl4jStyleModel m = (Dl4jStyleModel) new Dl4jBackendProvider().load(e, TestNets.decoder(A, B, C, D, 54));
        try (FeatureMap f = m.encode(image(1, 40, 48, 8))) {
            m.decode(f);
        }
        assertThat(m.heldBufferBytes()).as("intermediates kept after a pass").isPositive();
        long trims = NativeMemory.trims();
        m.close();
        assertThat(m.heldBufferBytes()).as("intermediates kept after close()").isZero();
        if (NativeMemory.available()) {
            assertThat(NativeMemory.trims()).as("malloc_trim calls during close()").isGreaterThan(trims);
        }
    }

    @Test
    void closedModelRefusesWork() {
        EncoderWeights e = TestNets.encoder(EncoderKind.NORMALISED_VGG19, A, B, C, D, 51);
        StyleModel m = new Dl4jBackendProvider().load(e, TestNets.decoder(A, B, C, D, 52));
        m.close();
        m.close();
        assertThatThrownBy(() -> m.encode(image(1, 16, 16, 1))).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void nativeFailuresBecomeBackendExceptions() {
        assertThatThrownBy(() -> Dl4jStyleModel.guarded("decoding features of shape [1, 2, 3, 4]", () -> {
            throw new OutOfMemoryError("Physical memory usage is too high");
        })).isInstanceOf(org.adain.BackendException.class).hasMessageContaining("[1, 2, 3, 4]")
                .hasMessageContaining("Physical memory");
    }
}
