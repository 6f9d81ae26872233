package org.adain.dl4j;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import org.adain.spi.DecoderWeights;
import org.adain.spi.EncoderWeights;
import org.adain.spi.FeatureMap;
import org.adain.spi.StyleModel;
import org.adain.spi.Tensor;
import org.adain.spi.TransferPlan;
import org.adain.spi.WeightsReader;
import org.adain.testkit.reference.ExpectedArray;
import org.adain.testkit.reference.Npy;
import org.adain.testkit.reference.ReferenceCase;
import org.adain.testkit.reference.ReferenceCases;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The dl4j model against the float64 PyTorch oracle of adain-testkit ("port" semantics), within each expected
 * array's tolerance: encoder taps, the decoder alone, and the transfer cases' relu4_1 targets and outputs.
 * Weights come from the reference Keras .h5 files through the module's Keras reader. Every comparison prints
 * its max abs error.
 */
class OracleParityTest {
    private static final String READER_CLASS = "org.adain.format.KerasWeightsReader";

    @TempDir
    static Path dir;

    private static ReferenceCases refs;
    private static WeightsReader reader;

    @BeforeAll
    static void setUp() throws Exception {
        Assumptions.assumeTrue(ReferenceCases.exists(ReferenceCases.MANIFEST), "no oracle references on the classpath");
        refs = ReferenceCases.load();
        reader = findReader();
        Assumptions.assumeTrue(reader != null, "no Keras HDF5 weights reader (" + READER_CLASS + ") yet");
    }

    private static WeightsReader findReader() throws Exception {
        for (WeightsReader r : ServiceLoader.load(WeightsReader.class)) {
            if (r.getClass().getName().equals(READER_CLASS)) {
                return r;
            }
        }
        try {
            return (WeightsReader) Class.forName(READER_CLASS).getConstructor().newInstance();
        } catch (ClassNotFoundException e) {
            return null;
        }
    }

    private static EncoderWeights encoder(String resource) {
        return reader.readEncoder(ReferenceCases.copyTo(resource, dir));
    }

    private static DecoderWeights decoder(String resource) {
        return reader.readDecoder(ReferenceCases.copyTo(resource, dir));
    }

    private static Tensor tensor(Npy.Array a) {
        float[] f = new float[a.size()];
        double[] d = a.data();
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) d[i];
        }
        return Tensor.wrap(f, a.shape());
    }

    /** Max |actual − expected| over the expected array's extent (the top-left crop of a larger output). */
    private static double maxAbsError(Tensor actual, Npy.Array expected) {
        int[] s = expected.shape();
        int[] a = actual.shape();
        assertThat(a.length).isEqualTo(4);
        assertThat(new int[] {a[0], a[1]}).containsExactly(s[0], s[1]);
        assertThat(a[2]).isGreaterThanOrEqualTo(s[2]);
        assertThat(a[3]).isGreaterThanOrEqualTo(s[3]);
        double m = 0;
        for (int n = 0; n < s[0]; n++) {
            for (int c = 0; c < s[1]; c++) {
                for (int y = 0; y < s[2]; y++) {
                    for (int x = 0; x < s[3]; x++) {
                        double e = expected.data()[((n * s[1] + c) * s[2] + y) * s[3] + x];
                        double d = Math.abs(actual.get(n, c, y, x) - e);
                        m = Double.isNaN(d) ? Double.POSITIVE_INFINITY : Math.max(m, d);
                    }
                }
            }
        }
        return m;
    }

    private static void check(ReferenceCase c, String arrayName, Tensor actual, boolean exactShape) {
        ExpectedArray e = c.expected(arrayName);
        Npy.Array want = e.load();
        if (exactShape) {
            assertThat(actual.shape()).as("%s %s shape", c.name(), arrayName).containsExactly(want.shape());
        }
        double err = maxAbsError(actual, want);
        System.out.printf("ORACLE %-18s %-8s max abs error %.3e (tolerance %.1e, torch float32 %.1e, max |x| %.3g)%n",
                c.name(), arrayName, err, e.tolerance(), e.float32Error(), e.maxAbs());
        assertThat(err).as("%s %s max abs error (tolerance %s)", c.name(), arrayName, e.tolerance())
                .isLessThanOrEqualTo(e.tolerance());
    }

    @ParameterizedTest
    @ValueSource(strings = {"features_48x64", "features_75x100"})
    void encoderTaps(String name) {
        ReferenceCase c = refs.get(name);
        try (StyleModel m = new Dl4jBackendProvider().load(encoder(c.encoder()), decoder("models/decoder_tf2.h5"))) {
            List<Tensor> taps = m.encodeLayers(tensor(ReferenceCases.imageTensor(c.content())));
            for (int i = 0; i < 4; i++) {
                check(c, EncoderWeights.TAP_NAMES.get(i), taps.get(i), true);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"decoder_only"})
    void decoderAlone(String name) {
        ReferenceCase c = refs.get(name);
        try (StyleModel m = new Dl4jBackendProvider().load(encoder("models/encoder_tf2.h5"), decoder(c.decoder()));
                FeatureMap f = m.upload(tensor(ReferenceCases.array(c.input("features"))))) {
            check(c, "output", m.decode(f), true);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"alpha_1", "alpha_0.6", "alpha_0", "square_40", "nonmult8_45x70", "interp_4",
            "mask_2region", "preserve_color", "keras_apps_45x70"})
    void transferTargetsAndOutputs(String name) {
        ReferenceCase c = refs.get(name);
        try (StyleModel m = new Dl4jBackendProvider().load(encoder(c.encoder()), decoder(c.decoder()))) {
            List<Tensor> styleImages = new ArrayList<>();
            if (c.preserveColor()) {
                // Colour preservation is the API's job: start from the oracle's recoloured style.
                styleImages.add(tensor(c.load("coral_style")));
            } else {
                for (String s : c.styles()) {
                    styleImages.add(tensor(ReferenceCases.imageTensor(s)));
                }
            }
            List<FeatureMap> styles = new ArrayList<>();
            try (FeatureMap fc = m.encode(tensor(ReferenceCases.imageTensor(c.content())))) {
                for (Tensor s : styleImages) {
                    styles.add(m.encode(s));
                }
                double[] w = c.normalisedStyleWeights().stream().mapToDouble(Double::doubleValue).toArray();
                int[] regions = c.mask().map(mask -> regions(ReferenceCases.maskArray(mask), fc)).orElse(null);
                try (FeatureMap t = m.transfer(new TransferPlan(fc, styles, w, c.alpha(), regions))) {
                    check(c, "target", t.toTensor(), true);
                    Tensor out = m.decode(t);
                    assertThat(new int[] {out.dim(2), out.dim(3)}).containsExactly(c.decodedSize());
                    check(c, "output", out, false);
                }
            } finally {
                styles.forEach(FeatureMap::close);
            }
        }
    }

    /** SEMANTICS §8: nearest resize of the mask to h×w (floor(i·in/out)); 1 → style 0, 0 → style 1. */
    private static int[] regions(Npy.Array mask, FeatureMap f) {
        int hm = mask.shape()[0];
        int wm = mask.shape()[1];
        int h = f.height();
        int w = f.width();
        int[] r = new int[h * w];
        for (int i = 0; i < h; i++) {
            for (int j = 0; j < w; j++) {
                double v = mask.get(i * hm / h, j * wm / w);
                assertThat(v).as("mask value").isIn(0.0, 1.0);
                r[i * w + j] = v == 1.0 ? 0 : 1;
            }
        }
        return r;
    }
}
