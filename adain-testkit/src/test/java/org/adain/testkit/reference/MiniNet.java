package org.adain.testkit.reference;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.adain.spi.ConvLayer;
import org.adain.spi.DecoderWeights;
import org.adain.spi.EncoderKind;
import org.adain.spi.EncoderWeights;

/**
 * A deliberately naive float64 re-implementation of the port semantics (SEMANTICS §2.1, §6, §7, §9.1), used only
 * to check that the fixtures are what the manifest says: the {@code .npy} weights reproduce the oracle's
 * features and outputs, and the training cases follow {@code LossTerms}.
 */
final class MiniNet {

    static final double EPS = 1e-5;
    /** The oracle's Caffe mean in double (EncoderKind.CAFFE_BGR_MEAN holds float32 roundings of these). */
    static final double[] CAFFE_BGR_MEAN = {103.939, 116.779, 123.68};

    /** N×C×H×W doubles. */
    record T(int n, int c, int h, int w, double[] d) {
        T(int n, int c, int h, int w) {
            this(n, c, h, w, new double[n * c * h * w]);
        }

        static T of(Npy.Array a) {
            int[] s = a.shape();
            return new T(s[0], s[1], s[2], s[3], a.data().clone());
        }

        int at(int in, int ic, int y, int x) {
            return ((in * c + ic) * h + y) * w + x;
        }

        Npy.Array array() {
            return new Npy.Array(new int[] {n, c, h, w}, d.clone());
        }
    }

    /** A conv in double precision (mutable copies, so a test can perturb a value). */
    record Conv(int out, int in, int k, double[] kernel, double[] bias, boolean relu) {
        static Conv of(ConvLayer l, boolean relu) {
            return new Conv(l.outChannels(), l.inChannels(), l.kernelHeight(), toDouble(l.kernelOihw()),
                    toDouble(l.bias()), relu);
        }
    }

    private MiniNet() {
    }

    static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }

    private static int reflect(int i, int n) {
        return i < 0 ? -i : i >= n ? 2 * n - 2 - i : i;
    }

    /** k×k conv, stride 1; for k = 3 padding 1, by reflection or with zeros. */
    static T conv(T x, Conv cv, boolean reflectPad) {
        if (x.c() != cv.in()) {
            throw new IllegalArgumentException("conv of " + cv.in() + " channels on " + x.c());
        }
        T y = new T(x.n(), cv.out(), x.h(), x.w());
        int p = cv.k() / 2;
        for (int n = 0; n < x.n(); n++) {
            for (int o = 0; o < cv.out(); o++) {
                for (int r = 0; r < x.h(); r++) {
                    for (int s = 0; s < x.w(); s++) {
                        double acc = cv.bias()[o];
                        for (int i = 0; i < cv.in(); i++) {
                            for (int ky = 0; ky < cv.k(); ky++) {
                                int yy = r + ky - p;
                                if (!reflectPad && (yy < 0 || yy >= x.h())) {
                                    continue;
                                }
                                yy = reflect(yy, x.h());
                                for (int kx = 0; kx < cv.k(); kx++) {
                                    int xx = s + kx - p;
                                    if (!reflectPad && (xx < 0 || xx >= x.w())) {
                                        continue;
                                    }
                                    xx = reflect(xx, x.w());
                                    acc += cv.kernel()[((o * cv.in() + i) * cv.k() + ky) * cv.k() + kx]
                                            * x.d()[x.at(n, i, yy, xx)];
                                }
                            }
                        }
                        y.d()[y.at(n, o, r, s)] = cv.relu() ? Math.max(acc, 0.0) : acc;
                    }
                }
            }
        }
        return y;
    }

    static T maxPool(T x, boolean ceil) {
        int oh = ceil ? (x.h() + 1) / 2 : x.h() / 2;
        int ow = ceil ? (x.w() + 1) / 2 : x.w() / 2;
        T y = new T(x.n(), x.c(), oh, ow);
        for (int n = 0; n < x.n(); n++) {
            for (int c = 0; c < x.c(); c++) {
                for (int r = 0; r < oh; r++) {
                    for (int s = 0; s < ow; s++) {
                        double m = Double.NEGATIVE_INFINITY;
                        for (int dy = 0; dy < 2 && 2 * r + dy < x.h(); dy++) {
                            for (int dx = 0; dx < 2 && 2 * s + dx < x.w(); dx++) {
                                m = Math.max(m, x.d()[x.at(n, c, 2 * r + dy, 2 * s + dx)]);
                            }
                        }
                        y.d()[y.at(n, c, r, s)] = m;
                    }
                }
            }
        }
        return y;
    }

    static T up2(T x) {
        T y = new T(x.n(), x.c(), 2 * x.h(), 2 * x.w());
        for (int n = 0; n < x.n(); n++) {
            for (int c = 0; c < x.c(); c++) {
                for (int r = 0; r < y.h(); r++) {
                    for (int s = 0; s < y.w(); s++) {
                        y.d()[y.at(n, c, r, s)] = x.d()[x.at(n, c, r / 2, s / 2)];
                    }
                }
            }
        }
        return y;
    }

    /** relu1_1 .. relu4_1 of either encoder flavour (the Keras-applications input is padded by the caller). */
    static Map<String, T> encode(T img, EncoderWeights e) {
        boolean normalised = e.kind() == EncoderKind.NORMALISED_VGG19;
        T x = img;
        if (normalised) {
            x = conv(x, Conv.of(e.preprocess(), false), true);
        } else {
            T y = new T(x.n(), 3, x.h(), x.w());
            int hw = x.h() * x.w();
            for (int n = 0; n < x.n(); n++) {
                for (int c = 0; c < 3; c++) {                 // BGR: output channel c from input channel 2 - c
                    for (int i = 0; i < hw; i++) {
                        y.d()[(n * 3 + c) * hw + i] = x.d()[(n * 3 + 2 - c) * hw + i] * 255.0
                                - CAFFE_BGR_MEAN[c];
                    }
                }
            }
            x = y;
        }
        Map<String, T> taps = new LinkedHashMap<>();
        for (int i = 0; i < e.convs().size(); i++) {
            x = conv(x, Conv.of(e.convs().get(i), true), normalised);
            int tap = EncoderWeights.RELU_TAPS.indexOf(i);
            if (tap >= 0) {
                taps.put(EncoderWeights.TAP_NAMES.get(tap), x);
            }
            if (EncoderWeights.POOL_AFTER.contains(i)) {
                x = maxPool(x, normalised);
            }
        }
        return taps;
    }

    static List<Conv> decoderConvs(DecoderWeights d) {
        List<Conv> out = new ArrayList<>();
        for (int i = 0; i < d.convs().size(); i++) {
            out.add(Conv.of(d.convs().get(i), i < d.convs().size() - 1));
        }
        return out;
    }

    static T decode(T t, List<Conv> convs) {
        T x = t;
        for (int i = 0; i < convs.size(); i++) {
            x = conv(x, convs.get(i), true);
            if (DecoderWeights.UPSAMPLE_AFTER.contains(i)) {
                x = up2(x);
            }
        }
        return x;
    }

    /** Bottom/right reflection padding to multiples of 8 (the Keras-applications flavour). */
    static T padTo8(T x) {
        int h = (x.h() + 7) / 8 * 8;
        int w = (x.w() + 7) / 8 * 8;
        T y = new T(x.n(), x.c(), h, w);
        for (int n = 0; n < x.n(); n++) {
            for (int c = 0; c < x.c(); c++) {
                for (int r = 0; r < h; r++) {
                    for (int s = 0; s < w; s++) {
                        y.d()[y.at(n, c, r, s)] = x.d()[x.at(n, c, reflect(r, x.h()), reflect(s, x.w()))];
                    }
                }
            }
        }
        return y;
    }

    /** {mean, std} per (n, c), each of length N·C; std = sqrt(var / (L − 1) + eps), or biased var if asked. */
    static double[][] meanStd(T x, boolean unbiased) {
        int l = x.h() * x.w();
        double[] mean = new double[x.n() * x.c()];
        double[] std = new double[mean.length];
        for (int k = 0; k < mean.length; k++) {
            double s = 0;
            for (int i = 0; i < l; i++) {
                s += x.d()[k * l + i];
            }
            double m = s / l;
            double q = 0;
            for (int i = 0; i < l; i++) {
                double dv = x.d()[k * l + i] - m;
                q += dv * dv;
            }
            mean[k] = m;
            std[k] = Math.sqrt(q / (unbiased ? l - 1 : l) + EPS);
        }
        return new double[][] {mean, std};
    }

    static T adain(T c, T s) {
        double[][] cs = meanStd(c, true);
        double[][] ss = meanStd(s, true);
        return adainWith(c, cs, ss);
    }

    static T adainWith(T c, double[][] cs, double[][] ss) {
        int l = c.h() * c.w();
        T y = new T(c.n(), c.c(), c.h(), c.w());
        for (int k = 0; k < c.n() * c.c(); k++) {
            for (int i = 0; i < l; i++) {
                y.d()[k * l + i] = (c.d()[k * l + i] - cs[0][k]) / cs[1][k] * ss[1][k] + ss[0][k];
            }
        }
        return y;
    }

    /** The port's training terms: {content, style1..style4}, plus the target and the decoded batch. */
    record Terms(double content, double[] style, T target, T decoded) {
        double total(double wc, double ws) {
            return wc * content + ws * (style[0] + style[1] + style[2] + style[3]);
        }
    }

    static Terms terms(EncoderWeights enc, List<Conv> dec, T contents, T styles) {
        Map<String, T> fs = encode(styles, enc);
        T t = adain(encode(contents, enc).get("relu4_1"), fs.get("relu4_1"));
        T g = decode(t, dec);
        Map<String, T> fg = encode(g, enc);
        T f4 = fg.get("relu4_1");
        double sq = 0;
        for (int i = 0; i < t.d().length; i++) {
            double dv = f4.d()[i] - t.d()[i];
            sq += dv * dv;
        }
        double[] style = new double[4];
        for (int k = 0; k < 4; k++) {
            String tap = EncoderWeights.TAP_NAMES.get(k);
            double[][] a = meanStd(fg.get(tap), true);
            double[][] b = meanStd(fs.get(tap), true);
            double dm = 0;
            double ds = 0;
            for (int j = 0; j < a[0].length; j++) {
                dm += (a[0][j] - b[0][j]) * (a[0][j] - b[0][j]);
                ds += (a[1][j] - b[1][j]) * (a[1][j] - b[1][j]);
            }
            style[k] = dm / a[0].length + ds / a[0].length;
        }
        return new Terms(sq / t.d().length, style, t, g);
    }
}
