package org.adain.dl4j;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.adain.ImageTensor;
import org.adain.SpatialMask;
import org.adain.StyleRequest;
import org.adain.StyleTransfer;
import org.adain.spi.BackendProvider;
import org.adain.spi.DecoderWeights;
import org.adain.spi.EncoderWeights;
import org.adain.spi.FeatureMap;
import org.adain.spi.LossTerms;
import org.adain.spi.StyleModel;
import org.adain.spi.Tensor;
import org.adain.spi.TransferPlan;
import org.adain.testkit.reference.ReferenceWeights;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Tiled against untiled stylisation on the DL4J backend with the testkit's small reference model: the tiles'
 * overlaps cover the real receptive fields (org.adain.Tiling), and the AdaIN statistics are global, so the two
 * must agree up to float rounding. The bound is the 2/255 per pixel; the measured difference is printed.
 */
class TilingParityTest {
    private static final double BOUND = 2.0 / 255.0;

    static ImageTensor image(long seed, int h, int w) {
        // Smooth structure plus noise, so the features vary across tiles (a flat image would hide seams).
        Random r = new Random(seed);
        float[] d = new float[3 * h * w];
        for (int c = 0; c < 3; c++) {
            double fx = 0.02 + 0.03 * r.nextDouble();
            double fy = 0.02 + 0.03 * r.nextDouble();
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    double v = 0.5 + 0.3 * Math.sin(fx * x + c) * Math.cos(fy * y) + 0.2 * (r.nextDouble() - 0.5);
                    d[(c * h + y) * w + x] = (float) Math.min(1, Math.max(0, v));
                }
            }
        }
        return ImageTensor.of(d, h, w);
    }

    private static StyleTransfer open(String encoder, long threshold, Counting counting) {
        return StyleTransfer.builder()
                .weights(ReferenceWeights.encoder(encoder), ReferenceWeights.decoder(ReferenceWeights.DECODER))
                .backend(counting).tilingThreshold(threshold).tileSize(96).build();
    }

    /** The DL4J backend, counting encoder and decoder calls (to see that tiling really happened). */
    static final class Counting implements BackendProvider {
        final BackendProvider inner = new Dl4jBackendProvider();
        final AtomicInteger encodes = new AtomicInteger();
        final AtomicInteger decodes = new AtomicInteger();

        @Override
        public String name() {
            return inner.name();
        }

        @Override
        public int priority() {
            return 0;
        }

        @Override
        public StyleModel load(EncoderWeights encoder, DecoderWeights decoder) {
            StyleModel m = inner.load(encoder, decoder);
            return new StyleModel() {
                @Override
                public Set<Capability> capabilities() {
                    return m.capabilities();
                }

                @Override
                public FeatureMap encode(Tensor images) {
                    encodes.incrementAndGet();
                    return m.encode(images);
                }

                @Override
                public List<Tensor> encodeLayers(Tensor images) {
                    return m.encodeLayers(images);
                }

                @Override
                public FeatureMap transfer(TransferPlan plan) {
                    return m.transfer(plan);
                }

                @Override
                public Tensor decode(FeatureMap features) {
                    decodes.incrementAndGet();
                    return m.decode(features);
                }

                @Override
                public FeatureMap upload(Tensor features) {
                    return m.upload(features);
                }

                @Override
                public Tensor mean(Tensor features) {
                    return m.mean(features);
                }

                @Override
                public Tensor std(Tensor features) {
                    return m.std(features);
                }

                @Override
                public LossTerms losses(Tensor contents, Tensor styles) {
                    return m.losses(contents, styles);
                }

                @Override
                public String describe() {
                    return m.describe();
                }

                @Override
                public org.adain.Precision precision() {
                    return m.precision();
                }

                @Override
                public void close() {
                    m.close();
                }
            };
        }
    }

    private static double maxAbsDiff(ImageTensor a, ImageTensor b) {
        assertThat(a.height()).isEqualTo(b.height());
        assertThat(a.width()).isEqualTo(b.width());
        float[] x = a.toArray();
        float[] y = b.toArray();
        double max = 0;
        for (int i = 0; i < x.length; i++) {
            max = Math.max(max, Math.abs(x[i] - y[i]));
        }
        return max;
    }

    private static double scale(ImageTensor a) {
        double m = 0;
        for (float v : a.toArray()) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }

    @ParameterizedTest
    @ValueSource(strings = {ReferenceWeights.NORMALISED, ReferenceWeights.KERAS_APPS})
    void tiledMatchesUntiled(String encoder) {
        int h = 300;
        int w = 421; // not a multiple of 8: the last tile ends inside a pooling window
        ImageTensor content = image(1, h, w);
        ImageTensor style = image(2, 200, 260);
        ImageTensor style2 = image(3, 180, 180);
        int[] idx = new int[h * w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                idx[y * w + x] = x + y < (h + w) / 2 ? 0 : 1;
            }
        }
        StyleRequest[] requests = {
            StyleRequest.builder().content(content).style(style).contentSize(0).styleSize(0).build(),
            StyleRequest.builder().content(content).style(style).contentSize(0).styleSize(0).alpha(0.6).build(),
            StyleRequest.builder().content(content).style(style).style(style2).contentSize(0).styleSize(0)
                    .mask(SpatialMask.ofStyleIndices(w, h, idx)).alpha(0.8).build(),
        };
        String[] names = {"alpha 1", "alpha 0.6", "mask of 2 styles, alpha 0.8"};
        Counting plainBackend = new Counting();
        Counting tiledBackend = new Counting();
        try (StyleTransfer plain = open(encoder, Long.MAX_VALUE, plainBackend);
                StyleTransfer tiled = open(encoder, 10_000, tiledBackend)) {
            for (int i = 0; i < requests.length; i++) {
                tiledBackend.encodes.set(0);
                tiledBackend.decodes.set(0);
                ImageTensor a = plain.stylizeTensor(requests[i]);
                ImageTensor b = tiled.stylizeTensor(requests[i]);
                // 300×421 → 38×53 features; 12-feature tiles with 4 + 4 overlap: 9 × 12 tiles for the content
                assertThat(tiledBackend.decodes.get()).as("decoder tiles").isGreaterThan(20);
                assertThat(tiledBackend.encodes.get()).as("encoder tiles").isGreaterThan(20);
                double diff = maxAbsDiff(a, b);
                System.out.printf("tiling parity, encoder %s, %s: max |tiled - untiled| = %.3g (output max |x| %.3g;"
                        + " bound %.3g; %d encoder and %d decoder calls)%n", encoder, names[i], diff, scale(a), BOUND,
                        tiledBackend.encodes.get(), tiledBackend.decodes.get());
                assertThat(diff).as(names[i]).isLessThanOrEqualTo(BOUND);
            }
        }
    }
}
