package org.adain.dl4j.train;

import java.util.ArrayList;
import java.util.List;
import org.adain.dl4j.TestNets;
import org.adain.spi.ConvLayer;
import org.adain.spi.DecoderWeights;
import org.adain.spi.EncoderWeights;
import org.adain.spi.Tensor;

/** Test support for training: random image batches, the loss in double precision, weight edits. */
final class TrainFixtures {
    private TrainFixtures() {
    }

    /** Uniform [0, 1) images, N×3×H×W. */
    static Tensor images(int n, int h, int w, long seed) {
        return Tensor.wrap(TestNets.toNd4j(TestNets.randomImage(n, 3, h, w, seed)).data().asFloat(), n, 3, h, w);
    }

    static double[][][][] toDouble(Tensor t) {
        int[] s = t.shape();
        double[][][][] x = new double[s[0]][s[1]][s[2]][s[3]];
        int k = 0;
        for (int a = 0; a < s[0]; a++) {
            for (int b = 0; b < s[1]; b++) {
                for (int c = 0; c < s[2]; c++) {
                    for (int d = 0; d < s[3]; d++) {
                        x[a][b][c][d] = t.getFlat(k++);
                    }
                }
            }
        }
        return x;
    }

    /** Per (n, c): {mean, sqrt(unbiased variance + 1e-5)}. */
    static double[][][] stats(double[][][][] f) {
        double[][][] out = new double[f.length][f[0].length][2];
        for (int n = 0; n < f.length; n++) {
            for (int c = 0; c < f[0].length; c++) {
                double[][] m = f[n][c];
                int len = m.length * m[0].length;
                double s = 0;
                for (double[] row : m) {
                    for (double v : row) {
                        s += v;
                    }
                }
                double mu = s / len;
                double q = 0;
                for (double[] row : m) {
                    for (double v : row) {
                        q += (v - mu) * (v - mu);
                    }
                }
                out[n][c][0] = mu;
                out[n][c][1] = Math.sqrt(q / (len - 1) + 1e-5);
            }
        }
        return out;
    }

    /**
     * The port's training loss (SEMANTICS §9.1) in double precision with the plain-Java reference network, for a
     * fixed batch: the target t and the style statistics are computed once (they do not depend on the decoder).
     */
    static final class Objective {
        private final EncoderWeights encoder;
        private final double[][][][] target;
        private final List<double[][][]> styleStats = new ArrayList<>();
        private final double contentWeight;
        private final double styleWeight;

        Objective(EncoderWeights e, double[][][][] contents, double[][][][] styles, double contentWeight,
                double styleWeight) {
            this.encoder = e;
            this.contentWeight = contentWeight;
            this.styleWeight = styleWeight;
            double[][][][] fc = TestNets.encoderTaps(e, contents).get(3);
            List<double[][][][]> fs = TestNets.encoderTaps(e, styles);
            for (double[][][][] f : fs) {
                styleStats.add(stats(f));
            }
            double[][][] cs = stats(fc);
            double[][][] ss = styleStats.get(3);
            double[][][][] t = new double[fc.length][fc[0].length][fc[0][0].length][fc[0][0][0].length];
            for (int n = 0; n < fc.length; n++) {
                for (int c = 0; c < fc[0].length; c++) {
                    for (int y = 0; y < fc[0][0].length; y++) {
                        for (int x = 0; x < fc[0][0][0].length; x++) {
                            t[n][c][y][x] = (fc[n][c][y][x] - cs[n][c][0]) / cs[n][c][1] * ss[n][c][1]
                                    + ss[n][c][0];
                        }
                    }
                }
            }
            this.target = t;
        }

        double loss(DecoderWeights d) {
            double[][][][] t = target;
            double[][][][] g = TestNets.decode(d, t);
            List<double[][][][]> fg = TestNets.encoderTaps(encoder, g);
            double content = 0;
            long count = 0;
            double[][][][] f4 = fg.get(3);
            for (int n = 0; n < t.length; n++) {
                for (int c = 0; c < t[0].length; c++) {
                    for (int y = 0; y < t[0][0].length; y++) {
                        for (int x = 0; x < t[0][0][0].length; x++) {
                            double diff = f4[n][c][y][x] - t[n][c][y][x];
                            content += diff * diff;
                            count++;
                        }
                    }
                }
            }
            content /= count;
            double style = 0;
            for (int i = 0; i < 4; i++) {
                double[][][] a = stats(fg.get(i));
                double[][][] b = styleStats.get(i);
                double dm = 0;
                double ds = 0;
                for (int n = 0; n < a.length; n++) {
                    for (int c = 0; c < a[0].length; c++) {
                        dm += (a[n][c][0] - b[n][c][0]) * (a[n][c][0] - b[n][c][0]);
                        ds += (a[n][c][1] - b[n][c][1]) * (a[n][c][1] - b[n][c][1]);
                    }
                }
                style += (dm + ds) / (a.length * a[0].length);
            }
            return contentWeight * content + styleWeight * style;
        }
    }

    /**
     * The decoder with one value changed: flat OIHW kernel index {@code index} of conv {@code conv}, or its bias
     * value {@code index} when {@code bias}.
     */
    static DecoderWeights with(DecoderWeights d, int conv, boolean bias, int index, float value) {
        List<ConvLayer> convs = new ArrayList<>(d.convs());
        ConvLayer c = convs.get(conv);
        float[] k = c.kernelOihw();
        float[] b = c.bias();
        if (bias) {
            b[index] = value;
        } else {
            k[index] = value;
        }
        convs.set(conv, new ConvLayer(c.name(), c.outChannels(), c.inChannels(), c.kernelHeight(), c.kernelWidth(),
                k, b));
        return new DecoderWeights(convs, d.source());
    }

    /**
     * For the Keras flavour, whose Caffe preprocessing feeds values of ±150, conv1_1 scaled by 1/64 (as
     * bench/make_full_weights.py does) so that activations stay O(1); the normalised flavour is returned as is.
     */
    static EncoderWeights tame(EncoderWeights e) {
        if (e.kind() != org.adain.spi.EncoderKind.KERAS_APPLICATIONS_VGG19) {
            return e;
        }
        List<ConvLayer> convs = new ArrayList<>(e.convs());
        ConvLayer c = convs.get(0);
        float[] k = c.kernelOihw();
        for (int i = 0; i < k.length; i++) {
            k[i] /= 64f;
        }
        convs.set(0, new ConvLayer(c.name(), c.outChannels(), c.inChannels(), c.kernelHeight(), c.kernelWidth(), k,
                c.bias()));
        return new EncoderWeights(e.kind(), e.preprocess(), convs, e.source() + " (conv1_1 / 64)");
    }

    static float value(DecoderWeights d, int conv, boolean bias, int index) {
        ConvLayer c = d.convs().get(conv);
        return bias ? c.bias()[index] : c.kernelOihw()[index];
    }
}
