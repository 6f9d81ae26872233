package org.adain.onnxruntime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.adain.BackendException;
import org.adain.InvalidRequestException;
import org.adain.StyleTransfer;
import org.adain.ImageTensor;
import org.adain.StyleRequest;
import org.adain.onnxruntime.graph.AdainGraphs;
import org.adain.spi.FeatureMap;
import org.adain.spi.StyleModel;
import org.adain.spi.Tensor;
import org.adain.spi.TransferPlan;
import org.adain.testkit.formats.FormatFixtures;
import org.adain.testkit.reference.ReferenceWeights;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the kit does not cover: settings, CUDA selection on this CPU-only build, misuse, concurrency, formats. */
class OrtStyleModelTest {
    private static StyleModel model(String encoder) {
        return new OnnxRuntimeBackendProvider().load(ReferenceWeights.encoder(encoder),
                ReferenceWeights.decoder(ReferenceWeights.DECODER));
    }

    private static Tensor images(int n, int h, int w, long seed) {
        Random r = new Random(seed);
        float[] a = new float[n * 3 * h * w];
        for (int i = 0; i < a.length; i++) {
            a[i] = r.nextFloat();
        }
        return Tensor.wrap(a, n, 3, h, w);
    }

    @Test
    void cudaOnTheCpuJarFailsNamingTheGpuArtifact() {
        OnnxRuntimeBackendProvider cuda = OnnxRuntimeBackendProvider.builder().device("cuda").build();
        assertThatThrownBy(() -> cuda.load(ReferenceWeights.encoder(ReferenceWeights.NORMALISED),
                ReferenceWeights.decoder(ReferenceWeights.DECODER)))
                .isInstanceOf(BackendException.class)
                .hasMessageContaining("com.microsoft.onnxruntime:onnxruntime_gpu")
                .hasMessageContaining("CUDA 12").hasMessageContaining("cuDNN 9");
    }

    @Test
    void bf16IsRefusedNamingTheBackendAndThePrecision() {
        // ORT has no bf16 convolution on x86 and its fp16 model ran slower (issue 15): float32 only
        assertThatThrownBy(() -> StyleTransfer.builder().weights(ReferenceWeights.encoder(ReferenceWeights.NORMALISED),
                ReferenceWeights.decoder(ReferenceWeights.DECODER)).backend("onnxruntime")
                .precision(org.adain.Precision.BF16).build())
                .isInstanceOf(BackendException.class)
                .hasMessage("Backend 'onnxruntime' does not implement precision BF16: it runs float32 only; use "
                        + "Precision.FLOAT32, or a backend that implements BF16");
        try (StyleModel m = new OnnxRuntimeBackendProvider().load(ReferenceWeights.encoder(ReferenceWeights.NORMALISED),
                ReferenceWeights.decoder(ReferenceWeights.DECODER), org.adain.Precision.FLOAT32)) {
            assertThat(m.precision()).isEqualTo(org.adain.Precision.FLOAT32);
            assertThat(m.describe()).endsWith(", precision float32");
        }
    }

    @Test
    void autoFallsBackToTheCpu() {
        OnnxRuntimeBackendProvider auto = OnnxRuntimeBackendProvider.builder().device("auto").intraOpThreads(1)
                .build();
        try (StyleModel m = auto.load(ReferenceWeights.encoder(ReferenceWeights.NORMALISED),
                ReferenceWeights.decoder(ReferenceWeights.DECODER))) {
            assertThat(m.describe()).contains("device auto").contains("running on CPU").contains("1 intra-op threads");
            assertThat(m.encode(images(1, 16, 16, 1)).channels()).isEqualTo(24);
        }
    }

    @Test
    void settingsAreValidatedAndNamed() {
        assertThatThrownBy(() -> OnnxRuntimeBackendProvider.builder().device("tpu").build())
                .hasMessageContaining("'tpu'").hasMessageContaining("cuda:<id>");
        assertThatThrownBy(() -> OnnxRuntimeBackendProvider.builder().intraOpThreads(-1).build())
                .hasMessageContaining("-1");
        String old = System.getProperty(OnnxRuntimeBackendProvider.THREADS_PROPERTY);
        System.setProperty(OnnxRuntimeBackendProvider.THREADS_PROPERTY, "two");
        try {
            assertThatThrownBy(() -> new OnnxRuntimeBackendProvider().settings())
                    .isInstanceOf(BackendException.class).hasMessageContaining("adain.onnxruntime.threads=two");
            System.setProperty(OnnxRuntimeBackendProvider.THREADS_PROPERTY, "3");
            assertThat(new OnnxRuntimeBackendProvider().settings().intraOpThreads()).isEqualTo(3);
            assertThat(new OnnxRuntimeBackendProvider().describeEnvironment())
                    .contains("ONNX Runtime 1.").contains("CPU").contains("3 intra-op threads");
        } finally {
            if (old == null) {
                System.clearProperty(OnnxRuntimeBackendProvider.THREADS_PROPERTY);
            } else {
                System.setProperty(OnnxRuntimeBackendProvider.THREADS_PROPERTY, old);
            }
        }
    }

    @Test
    void thePaddingBetweenChannelsLastReordersIsUsedOnlyOnAnX86Cpu() {
        assertThat(OrtSettings.x86_64("amd64")).isTrue();
        assertThat(OrtSettings.x86_64("x86_64")).isTrue();
        assertThat(OrtSettings.x86_64("aarch64")).isFalse();
        boolean x86 = OrtSettings.x86_64(System.getProperty("os.arch"));
        assertThat(new OrtSettings(OrtSettings.Device.CPU, 0, 1).padding())
                .isEqualTo(x86 ? AdainGraphs.Padding.NHWC_PAD : AdainGraphs.Padding.PAD);
        assertThat(new OrtSettings(OrtSettings.Device.CUDA, 0, 1).padding()).isEqualTo(AdainGraphs.Padding.PAD);
        assertThat(new OrtSettings(OrtSettings.Device.AUTO, 0, 1).padding()).isEqualTo(AdainGraphs.Padding.PAD);
    }

    @Test
    void defaultThreadsFollowOmpNumThreadsElseTheProcessorsNeverOrtsPhysicalCoreCount() {
        assertThat(OrtSettings.ompThreads("3")).isEqualTo(3);
        assertThat(OrtSettings.ompThreads(" 2 ")).isEqualTo(2);
        assertThat(OrtSettings.ompThreads(null)).isNull();
        assertThat(OrtSettings.ompThreads("0")).isNull();
        assertThat(OrtSettings.ompThreads("four")).isNull();
        assertThat(new OrtSettings(OrtSettings.Device.CPU, 0, 5).threads()).isEqualTo(5);
        Integer omp = OrtSettings.ompThreads(System.getenv("OMP_NUM_THREADS"));
        int want = omp != null ? omp : Runtime.getRuntime().availableProcessors();
        OrtSettings unset = new OrtSettings(OrtSettings.Device.CPU, 0, 0);
        assertThat(unset.threads()).isEqualTo(want);
        assertThat(unset.describe()).contains(want + " intra-op threads (")
                .contains(omp != null ? "OMP_NUM_THREADS" : "available processors");
    }

    @Test
    void declaresThreadSafeAndGivesTheSameFeaturesFromManyThreads() throws Exception {
        try (StyleModel m = model(ReferenceWeights.NORMALISED)) {
            assertThat(m.capabilities()).containsExactly(StyleModel.Capability.THREAD_SAFE);
            Tensor img = images(1, 40, 48, 2);
            Tensor want = m.decode(m.encode(img));
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<Tensor>> got = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    got.add(pool.submit(() -> m.decode(m.encode(img))));
                }
                for (Future<Tensor> f : got) {
                    assertThat(f.get()).isEqualTo(want);
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void kerasFlavourKeepsEverySideOfAnImageThatIsNoMultipleOf8() {
        try (StyleModel m = model(ReferenceWeights.KERAS_APPS)) {
            List<Tensor> taps = m.encodeLayers(images(2, 45, 70, 3));
            assertThat(taps.get(0).shape()).containsExactly(2, 8, 48, 72);
            assertThat(taps.get(3).shape()).containsExactly(2, 24, 6, 9);
            FeatureMap f = m.encode(images(1, 45, 70, 3));
            assertThat(new int[] {f.height(), f.width()}).containsExactly(6, 9);
            assertThat(m.decode(f).shape()).containsExactly(1, 3, 48, 72);
        }
    }

    @Test
    void misuseIsReportedNamingTheShapeOrTheOwner() {
        try (StyleModel m = model(ReferenceWeights.NORMALISED); StyleModel other = model(ReferenceWeights.NORMALISED)) {
            assertThatThrownBy(() -> m.encode(images(1, 8, 20, 4))).isInstanceOf(InvalidRequestException.class)
                    .hasMessageContaining("[1, 3, 8, 20]");
            assertThatThrownBy(() -> m.decode(m.upload(Tensor.wrap(new float[24], 1, 24, 1, 1))))
                    .isInstanceOf(InvalidRequestException.class).hasMessageContaining("2×2");
            assertThatThrownBy(() -> m.upload(Tensor.wrap(new float[8], 1, 8, 1, 1)))
                    .isInstanceOf(InvalidRequestException.class).hasMessageContaining("N×24×h×w");
            assertThatThrownBy(() -> m.std(Tensor.wrap(new float[3], 1, 3, 1, 1)))
                    .isInstanceOf(InvalidRequestException.class).hasMessageContaining("one position");
            FeatureMap foreign = other.encode(images(1, 16, 16, 5));
            assertThatThrownBy(() -> m.decode(foreign)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("not made by this model");
            FeatureMap single = m.upload(Tensor.wrap(new float[24], 1, 24, 1, 1));
            FeatureMap content = m.encode(images(1, 16, 16, 6));
            assertThatThrownBy(() -> m.transfer(new TransferPlan(content, List.of(single), new double[] {1}, 1, null)))
                    .isInstanceOf(InvalidRequestException.class).hasMessageContaining("[1, 24, 1, 1]");
            content.close();
            assertThatThrownBy(content::toTensor).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("closed");
        }
    }

    @Test
    void aClosedModelSaysSo() {
        StyleModel m = model(ReferenceWeights.NORMALISED);
        m.close();
        m.close();
        assertThatThrownBy(() -> m.encode(images(1, 16, 16, 7))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
    }

    /** The PyTorch (.pth, zip and legacy) and Torch7 (.t7) fixtures run too: the graphs come from any reader. */
    @Test
    void everyWeightFormatRuns(@TempDir Path dir) throws Exception {
        String[][] pairs = {
            {FormatFixtures.ZIP_ENCODER, FormatFixtures.ZIP_DECODER},
            {FormatFixtures.LEGACY_ENCODER, FormatFixtures.LEGACY_DECODER},
            {FormatFixtures.T7_ENCODER, FormatFixtures.T7_DECODER},
        };
        for (String[] p : pairs) {
            Path d = Files.createDirectories(dir.resolve(p[0].replace('/', '_')));
            try (StyleTransfer st = StyleTransfer.builder().encoder(FormatFixtures.copyTo(p[0], d))
                    .decoder(FormatFixtures.copyTo(p[1], d)).backend(OnnxRuntimeBackendProvider.NAME).build()) {
                ImageTensor out = st.stylizeTensor(StyleRequest.builder()
                        .content(ImageTensor.fromTensor(images(1, 24, 32, 8))).style(ImageTensor.fromTensor(
                                images(1, 20, 20, 9))).contentSize(0).styleSize(0).build());
                assertThat(out.height()).as(p[0]).isEqualTo(24);
                assertThat(out.toTensor().firstNonFinite()).as(p[0]).isEqualTo(-1);
            }
        }
    }
}
