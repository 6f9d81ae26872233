package org.adain.dl4j;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.adain.spi.ConvLayer;
import org.adain.spi.DecoderWeights;
import org.adain.spi.EncoderKind;
import org.adain.spi.EncoderWeights;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Test support: small random AdaIN weights, and a plain double-precision Java reference of every layer (written
 * from SEMANTICS §6–7, independent of ND4J) to check the ND4J graphs against.
 */
public final class TestNets {
    private TestNets() {
    }

    // ---------------------------------------------------------------- weights

    /** A random conv with He-scaled kernel values and small biases. */
    public static ConvLayer conv(String name, int out, int in, int k, Random rnd) {
        float[] w = new float[out * in * k * k];
        double scale = Math.sqrt(2.0 / (in * k * k));
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (rnd.nextGaussian() * scale);
        }
        float[] b = new float[out];
        for (int i = 0; i < out; i++) {
            b[i] = (float) (rnd.nextGaussian() * 0.1);
        }
        return new ConvLayer(name, out, in, k, k, w, b);
    }

    /** Encoder with channel widths a (block 1), b, c, d (relu4_1). */
    public static EncoderWeights encoder(EncoderKind kind, int a, int b, int c, int d, long seed) {
        Random rnd = new Random(seed);
        ConvLayer pre = null;
        if (kind == EncoderKind.NORMALISED_VGG19) {
            // Any 3×3 mix, not the Caffe constants: the code must apply the stored weights as they are.
            float[] w = new float[9];
            for (int i = 0; i < 9; i++) {
                w[i] = (float) (rnd.nextGaussian());
            }
            pre = new ConvLayer("preprocess", 3, 3, 1, 1, w, new float[] {0.5f, -0.25f, 0.125f});
        }
        int[][] io = {{3, a}, {a, a}, {a, b}, {b, b}, {b, c}, {c, c}, {c, c}, {c, c}, {c, d}};
        List<ConvLayer> convs = new ArrayList<>();
        for (int i = 0; i < io.length; i++) {
            convs.add(conv(EncoderWeights.CONV_NAMES.get(i), io[i][1], io[i][0], 3, rnd));
        }
        return new EncoderWeights(kind, pre, convs, "random-" + seed);
    }

    /** Decoder mirroring {@link #encoder}. */
    public static DecoderWeights decoder(int a, int b, int c, int d, long seed) {
        Random rnd = new Random(seed);
        int[][] io = {{d, c}, {c, c}, {c, c}, {c, c}, {c, b}, {b, b}, {b, a}, {a, a}, {a, 3}};
        List<ConvLayer> convs = new ArrayList<>();
        for (int i = 0; i < io.length; i++) {
            convs.add(conv("dec" + i, io[i][1], io[i][0], 3, rnd));
        }
        return new DecoderWeights(convs, "random-decoder-" + seed);
    }

    /** Uniform [0, 1) values. */
    public static double[][][][] randomImage(int n, int c, int h, int w, long seed) {
        Random rnd = new Random(seed);
        double[][][][] x = new double[n][c][h][w];
        for (double[][][] a : x) {
            for (double[][] b : a) {
                for (double[] row : b) {
                    for (int i = 0; i < row.length; i++) {
                        row[i] = rnd.nextFloat();
                    }
                }
            }
        }
        return x;
    }

    // ---------------------------------------------------------------- conversions

    public static INDArray toNd4j(double[][][][] x) {
        int n = x.length, c = x[0].length, h = x[0][0].length, w = x[0][0][0].length;
        float[] f = new float[n * c * h * w];
        int i = 0;
        for (double[][][] a : x) {
            for (double[][] b : a) {
                for (double[] row : b) {
                    for (double v : row) {
                        f[i++] = (float) v;
                    }
                }
            }
        }
        return Nd4j.create(f, new long[] {n, c, h, w}, DataType.FLOAT);
    }

    public static double[][][][] fromNd4j(INDArray a) {
        long[] s = a.shape();
        double[][][][] x = new double[(int) s[0]][(int) s[1]][(int) s[2]][(int) s[3]];
        INDArray d = a.castTo(DataType.DOUBLE).dup('c');
        double[] v = d.data().asDouble();
        int i = 0;
        for (double[][][] p : x) {
            for (double[][] q : p) {
                for (double[] row : q) {
                    for (int j = 0; j < row.length; j++) {
                        row[j] = v[i++];
                    }
                }
            }
        }
        return x;
    }

    /** Rounds to float32 first, as the ND4J side sees the same input. */
    public static double[][][][] asFloat32(double[][][][] x) {
        double[][][][] y = new double[x.length][][][];
        for (int n = 0; n < x.length; n++) {
            y[n] = new double[x[n].length][][];
            for (int c = 0; c < x[n].length; c++) {
                y[n][c] = new double[x[n][c].length][];
                for (int h = 0; h < x[n][c].length; h++) {
                    y[n][c][h] = new double[x[n][c][h].length];
                    for (int w = 0; w < x[n][c][h].length; w++) {
                        y[n][c][h][w] = (float) x[n][c][h][w];
                    }
                }
            }
        }
        return y;
    }

    /** max |a − b| over all elements; the shapes must agree. */
    public static double maxAbsDiff(double[][][][] a, double[][][][] b) {
        assertSameShape(a, b);
        double m = 0;
        for (int n = 0; n < a.length; n++) {
            for (int c = 0; c < a[n].length; c++) {
                for (int h = 0; h < a[n][c].length; h++) {
                    for (int w = 0; w < a[n][c][h].length; w++) {
                        m = Math.max(m, Math.abs(a[n][c][h][w] - b[n][c][h][w]));
                    }
                }
            }
        }
        return m;
    }

    public static double maxAbs(double[][][][] a) {
        double m = 0;
        for (double[][][] p : a) {
            for (double[][] q : p) {
                for (double[] row : q) {
                    for (double v : row) {
                        m = Math.max(m, Math.abs(v));
                    }
                }
            }
        }
        return m;
    }

    private static void assertSameShape(double[][][][] a, double[][][][] b) {
        if (a.length != b.length || a[0].length != b[0].length || a[0][0].length != b[0][0].length
                || a[0][0][0].length != b[0][0][0].length) {
            throw new AssertionError("shapes differ: " + shape(a) + " vs " + shape(b));
        }
    }

    public static String shape(double[][][][] a) {
        return "[" + a.length + ", " + a[0].length + ", " + a[0][0].length + ", " + a[0][0][0].length + "]";
    }

    // ---------------------------------------------------------------- reference layers (double precision)

    /** Cross-correlation with bias, zero padding {@code pad}, stride 1. */
    public static double[][][][] conv(double[][][][] x, ConvLayer layer, int pad) {
        float[] k = layer.kernelOihw();
        float[] bias = layer.bias();
        int n = x.length, ci = x[0].length, h = x[0][0].length, w = x[0][0][0].length;
        int co = layer.outChannels(), kh = layer.kernelHeight(), kw = layer.kernelWidth();
        int oh = h + 2 * pad - kh + 1, ow = w + 2 * pad - kw + 1;
        double[][][][] y = new double[n][co][oh][ow];
        for (int b = 0; b < n; b++) {
            for (int o = 0; o < co; o++) {
                for (int i = 0; i < oh; i++) {
                    for (int j = 0; j < ow; j++) {
                        double s = bias[o];
                        for (int c = 0; c < ci; c++) {
                            for (int u = 0; u < kh; u++) {
                                int r = i + u - pad;
                                if (r < 0 || r >= h) {
                                    continue;
                                }
                                for (int v = 0; v < kw; v++) {
                                    int q = j + v - pad;
                                    if (q < 0 || q >= w) {
                                        continue;
                                    }
                                    s += k[((o * ci + c) * kh + u) * kw + v] * x[b][c][r][q];
                                }
                            }
                        }
                        y[b][o][i][j] = s;
                    }
                }
            }
        }
        return y;
    }

    public static double[][][][] relu(double[][][][] x) {
        for (double[][][] p : x) {
            for (double[][] q : p) {
                for (double[] row : q) {
                    for (int i = 0; i < row.length; i++) {
                        row[i] = Math.max(0, row[i]);
                    }
                }
            }
        }
        return x;
    }

    /** Reflection by {@code top, bottom, left, right} without repeating the edge. */
    public static double[][][][] reflectPad(double[][][][] x, int top, int bottom, int left, int right) {
        int n = x.length, c = x[0].length, h = x[0][0].length, w = x[0][0][0].length;
        double[][][][] y = new double[n][c][h + top + bottom][w + left + right];
        for (int b = 0; b < n; b++) {
            for (int ch = 0; ch < c; ch++) {
                for (int i = 0; i < h + top + bottom; i++) {
                    int r = reflect(i - top, h);
                    for (int j = 0; j < w + left + right; j++) {
                        y[b][ch][i][j] = x[b][ch][r][reflect(j - left, w)];
                    }
                }
            }
        }
        return y;
    }

    private static int reflect(int i, int n) {
        if (i < 0) {
            return -i;
        }
        if (i >= n) {
            return 2 * (n - 1) - i;
        }
        return i;
    }

    /** 2×2/2 max-pooling; {@code ceil} keeps a last partial window (PyTorch ceil_mode), else it is dropped. */
    public static double[][][][] maxPool(double[][][][] x, boolean ceil) {
        int n = x.length, c = x[0].length, h = x[0][0].length, w = x[0][0][0].length;
        int oh = ceil ? (h + 1) / 2 : h / 2, ow = ceil ? (w + 1) / 2 : w / 2;
        double[][][][] y = new double[n][c][oh][ow];
        for (int b = 0; b < n; b++) {
            for (int ch = 0; ch < c; ch++) {
                for (int i = 0; i < oh; i++) {
                    for (int j = 0; j < ow; j++) {
                        double m = Double.NEGATIVE_INFINITY;
                        for (int u = 2 * i; u < Math.min(2 * i + 2, h); u++) {
                            for (int v = 2 * j; v < Math.min(2 * j + 2, w); v++) {
                                m = Math.max(m, x[b][ch][u][v]);
                            }
                        }
                        y[b][ch][i][j] = m;
                    }
                }
            }
        }
        return y;
    }

    public static double[][][][] upsample2(double[][][][] x) {
        int n = x.length, c = x[0].length, h = x[0][0].length, w = x[0][0][0].length;
        double[][][][] y = new double[n][c][2 * h][2 * w];
        for (int b = 0; b < n; b++) {
            for (int ch = 0; ch < c; ch++) {
                for (int i = 0; i < 2 * h; i++) {
                    for (int j = 0; j < 2 * w; j++) {
                        y[b][ch][i][j] = x[b][ch][i / 2][j / 2];
                    }
                }
            }
        }
        return y;
    }

    /** relu1_1 … relu4_1 of the reference encoder (Keras flavour: of the image padded to a multiple of 8). */
    public static List<double[][][][]> encoderTaps(EncoderWeights e, double[][][][] images) {
        boolean keras = e.kind() == EncoderKind.KERAS_APPLICATIONS_VGG19;
        double[][][][] x;
        if (keras) {
            int h = images[0][0].length, w = images[0][0][0].length;
            double[][][][] p = reflectPad(images, 0, (8 - h % 8) % 8, 0, (8 - w % 8) % 8);
            x = new double[p.length][3][][];
            double[] mean = {103.939f, 116.779f, 123.68f};
            for (int b = 0; b < p.length; b++) {
                for (int c = 0; c < 3; c++) {
                    double[][] src = p[b][2 - c];
                    x[b][c] = new double[src.length][src[0].length];
                    for (int i = 0; i < src.length; i++) {
                        for (int j = 0; j < src[0].length; j++) {
                            x[b][c][i][j] = src[i][j] * 255.0 - mean[c];
                        }
                    }
                }
            }
        } else {
            x = conv(images, e.preprocess(), 0);
        }
        List<double[][][][]> taps = new ArrayList<>();
        for (int i = 0; i <= 8; i++) {
            x = keras ? conv(x, e.convs().get(i), 1) : conv(reflectPad(x, 1, 1, 1, 1), e.convs().get(i), 0);
            relu(x);
            if (EncoderWeights.RELU_TAPS.contains(i)) {
                taps.add(x);
            }
            if (EncoderWeights.POOL_AFTER.contains(i)) {
                x = maxPool(x, !keras);
            }
        }
        return taps;
    }

    public static double[][][][] decode(DecoderWeights d, double[][][][] features) {
        double[][][][] x = features;
        for (int i = 0; i < DecoderWeights.CONV_COUNT; i++) {
            x = conv(reflectPad(x, 1, 1, 1, 1), d.convs().get(i), 0);
            if (i < DecoderWeights.CONV_COUNT - 1) {
                relu(x);
            }
            if (DecoderWeights.UPSAMPLE_AFTER.contains(i)) {
                x = upsample2(x);
            }
        }
        return x;
    }
}
