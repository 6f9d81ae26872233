package org.adain.testkit;

import org.adain.spi.ConvLayer;

/**
 * The reference backend's layers in double precision, each with its backward pass (the transpose of the
 * forward map), written from the formulas of SEMANTICS §2, §5.3, §6, §7 and §9.
 */
final class Ops {
    private Ops() {
    }

    enum Padding { REFLECT, ZERO }

    /** A convolution's weights in double precision, OIHW. */
    record Conv(int out, int in, int kh, int kw, double[] w, double[] b) {
        static Conv of(ConvLayer l) {
            float[] k = l.kernelOihw();
            float[] bias = l.bias();
            double[] w = new double[k.length];
            double[] b = new double[bias.length];
            for (int i = 0; i < k.length; i++) {
                w[i] = k[i];
            }
            for (int i = 0; i < bias.length; i++) {
                b[i] = bias[i];
            }
            return new Conv(l.outChannels(), l.inChannels(), l.kernelHeight(), l.kernelWidth(), w, b);
        }

        Conv copy() {
            return new Conv(out, in, kh, kw, w.clone(), b.clone());
        }

        /** The kernel rounded to bfloat16 ({@link Ops#bf16(double)}); the bias stays float32, as it is added to the
         * float32 accumulator of a bf16 convolution. */
        Conv bf16() {
            double[] r = new double[w.length];
            for (int i = 0; i < r.length; i++) {
                r[i] = Ops.bf16(w[i]);
            }
            return new Conv(out, in, kh, kw, r, b.clone());
        }

        ConvLayer toLayer(String name) {
            float[] k = new float[w.length];
            float[] bias = new float[b.length];
            for (int i = 0; i < k.length; i++) {
                k[i] = (float) w[i];
            }
            for (int i = 0; i < bias.length; i++) {
                bias[i] = (float) b[i];
            }
            return new ConvLayer(name, out, in, kh, kw, k, bias);
        }
    }

    // ---- padding ----------------------------------------------------------------------------------------

    /** Mirror without repeating the edge: x[−1] = x[1], x[n] = x[n − 2]. */
    static int reflect(int i, int n) {
        if (i < 0) {
            return -i;
        }
        if (i >= n) {
            return 2 * (n - 1) - i;
        }
        return i;
    }

    static Map4 pad1(Map4 x, Padding p) {
        int hp = x.h + 2;
        int wp = x.w + 2;
        Map4 o = new Map4(x.n, x.c, hp, wp);
        for (int k = 0; k < x.n * x.c; k++) {
            int src = k * x.h * x.w;
            int dst = k * hp * wp;
            for (int y = -1; y <= x.h; y++) {
                boolean rowOut = y < 0 || y >= x.h;
                int sy = reflect(y, x.h);
                for (int xx = -1; xx <= x.w; xx++) {
                    boolean out = rowOut || xx < 0 || xx >= x.w;
                    double v = out && p == Padding.ZERO ? 0 : x.d[src + sy * x.w + reflect(xx, x.w)];
                    o.d[dst + (y + 1) * wp + xx + 1] = v;
                }
            }
        }
        return o;
    }

    /** The transpose of {@link #pad1}: each padded position's gradient goes back to its source. */
    static Map4 pad1Backward(Map4 g, Padding p, int h, int w) {
        Map4 o = new Map4(g.n, g.c, h, w);
        int wp = w + 2;
        for (int k = 0; k < g.n * g.c; k++) {
            int src = k * (h + 2) * wp;
            int dst = k * h * w;
            for (int y = -1; y <= h; y++) {
                boolean rowOut = y < 0 || y >= h;
                int sy = reflect(y, h);
                for (int xx = -1; xx <= w; xx++) {
                    boolean out = rowOut || xx < 0 || xx >= w;
                    if (out && p == Padding.ZERO) {
                        continue;
                    }
                    o.d[dst + sy * w + reflect(xx, w)] += g.d[src + (y + 1) * wp + xx + 1];
                }
            }
        }
        return o;
    }

    /** Reflection padding at the bottom and right up to multiples of 8 (the Keras-applications flavour). */
    static Map4 padToMultipleOf8(Map4 x) {
        int h = (x.h + 7) / 8 * 8;
        int w = (x.w + 7) / 8 * 8;
        if (h == x.h && w == x.w) {
            return x;
        }
        Map4 o = new Map4(x.n, x.c, h, w);
        for (int k = 0; k < x.n * x.c; k++) {
            for (int y = 0; y < h; y++) {
                for (int xx = 0; xx < w; xx++) {
                    o.d[(k * h + y) * w + xx] = x.d[(k * x.h + reflect(y, x.h)) * x.w + reflect(xx, x.w)];
                }
            }
        }
        return o;
    }

    // ---- bfloat16 -----------------------------------------------------------------------------------------

    /**
     * A value as float32, then rounded to bfloat16 (the upper 16 bits of the float32) to nearest, ties to even, on
     * the float bits, as a bf16 convolution's inputs and weights are. NaN and infinities pass unchanged.
     */
    static double bf16(double v) {
        float f = (float) v;
        if (!Float.isFinite(f)) {
            return f;
        }
        int bits = Float.floatToRawIntBits(f);
        bits += 0x7FFF + ((bits >>> 16) & 1);
        return Float.intBitsToFloat(bits & 0xFFFF0000);
    }

    /** Every value of a map rounded by {@link #bf16(double)}, in a new map. */
    static Map4 bf16(Map4 x) {
        Map4 o = x.zerosLike();
        for (int i = 0; i < o.d.length; i++) {
            o.d[i] = bf16(x.d[i]);
        }
        return o;
    }

    // ---- convolution ------------------------------------------------------------------------------------

    /** A valid (unpadded) convolution with bias. */
    static Map4 conv(Map4 x, Conv k) {
        if (x.c != k.in) {
            throw new IllegalArgumentException("conv takes " + k.in + " channels, got " + x.shape());
        }
        int oh = x.h - k.kh + 1;
        int ow = x.w - k.kw + 1;
        Map4 o = new Map4(x.n, k.out, oh, ow);
        for (int n = 0; n < x.n; n++) {
            for (int oc = 0; oc < k.out; oc++) {
                int ob = o.at(n, oc);
                java.util.Arrays.fill(o.d, ob, ob + oh * ow, k.b[oc]);
                for (int ic = 0; ic < k.in; ic++) {
                    int ib = x.at(n, ic);
                    for (int ky = 0; ky < k.kh; ky++) {
                        for (int kx = 0; kx < k.kw; kx++) {
                            double wv = k.w[((oc * k.in + ic) * k.kh + ky) * k.kw + kx];
                            for (int y = 0; y < oh; y++) {
                                int row = ib + (y + ky) * x.w + kx;
                                int orow = ob + y * ow;
                                for (int xx = 0; xx < ow; xx++) {
                                    o.d[orow + xx] += wv * x.d[row + xx];
                                }
                            }
                        }
                    }
                }
            }
        }
        return o;
    }

    /** Gradient w.r.t. the (padded) input of {@link #conv}. */
    static Map4 convBackwardInput(Conv k, Map4 g, int inH, int inW) {
        Map4 o = new Map4(g.n, k.in, inH, inW);
        for (int n = 0; n < g.n; n++) {
            for (int oc = 0; oc < k.out; oc++) {
                int gb = g.at(n, oc);
                for (int ic = 0; ic < k.in; ic++) {
                    int ib = o.at(n, ic);
                    for (int ky = 0; ky < k.kh; ky++) {
                        for (int kx = 0; kx < k.kw; kx++) {
                            double wv = k.w[((oc * k.in + ic) * k.kh + ky) * k.kw + kx];
                            for (int y = 0; y < g.h; y++) {
                                int row = ib + (y + ky) * inW + kx;
                                int grow = gb + y * g.w;
                                for (int xx = 0; xx < g.w; xx++) {
                                    o.d[row + xx] += wv * g.d[grow + xx];
                                }
                            }
                        }
                    }
                }
            }
        }
        return o;
    }

    /** Accumulates the gradient w.r.t. the kernel and bias of {@link #conv} given its input {@code x}. */
    static void convBackwardWeights(Conv k, Map4 x, Map4 g, double[] gw, double[] gb) {
        for (int n = 0; n < g.n; n++) {
            for (int oc = 0; oc < k.out; oc++) {
                int gbase = g.at(n, oc);
                double s = 0;
                for (int i = 0; i < g.h * g.w; i++) {
                    s += g.d[gbase + i];
                }
                gb[oc] += s;
                for (int ic = 0; ic < k.in; ic++) {
                    int ib = x.at(n, ic);
                    for (int ky = 0; ky < k.kh; ky++) {
                        for (int kx = 0; kx < k.kw; kx++) {
                            double acc = 0;
                            for (int y = 0; y < g.h; y++) {
                                int row = ib + (y + ky) * x.w + kx;
                                int grow = gbase + y * g.w;
                                for (int xx = 0; xx < g.w; xx++) {
                                    acc += g.d[grow + xx] * x.d[row + xx];
                                }
                            }
                            gw[((oc * k.in + ic) * k.kh + ky) * k.kw + kx] += acc;
                        }
                    }
                }
            }
        }
    }

    // ---- activations ------------------------------------------------------------------------------------

    static Map4 relu(Map4 x) {
        Map4 o = x.zerosLike();
        for (int i = 0; i < x.d.length; i++) {
            o.d[i] = Math.max(0, x.d[i]);
        }
        return o;
    }

    /** Gradient through ReLU given its output (passes where the output is positive, as PyTorch does). */
    static Map4 reluBackward(Map4 out, Map4 g) {
        Map4 o = g.zerosLike();
        for (int i = 0; i < g.d.length; i++) {
            o.d[i] = out.d[i] > 0 ? g.d[i] : 0;
        }
        return o;
    }

    static Map4 clamp01(Map4 x) {
        Map4 o = x.zerosLike();
        for (int i = 0; i < x.d.length; i++) {
            o.d[i] = Math.min(1, Math.max(0, x.d[i]));
        }
        return o;
    }

    static Map4 clamp01Backward(Map4 in, Map4 g) {
        Map4 o = g.zerosLike();
        for (int i = 0; i < g.d.length; i++) {
            o.d[i] = in.d[i] >= 0 && in.d[i] <= 1 ? g.d[i] : 0;
        }
        return o;
    }

    // ---- pooling and upsampling -------------------------------------------------------------------------

    /** A max-pool's output and, per output value, the flat input index of its maximum. */
    record Pooled(Map4 out, int[] argmax) {
    }

    /** 2×2/2 max-pooling; {@code ceil} keeps a last window over a single remaining row/column. */
    static Pooled maxPool(Map4 x, boolean ceil) {
        int oh = ceil ? (x.h + 1) / 2 : x.h / 2;
        int ow = ceil ? (x.w + 1) / 2 : x.w / 2;
        Map4 o = new Map4(x.n, x.c, oh, ow);
        int[] arg = new int[o.d.length];
        for (int k = 0; k < x.n * x.c; k++) {
            int ib = k * x.h * x.w;
            for (int y = 0; y < oh; y++) {
                for (int xx = 0; xx < ow; xx++) {
                    int best = -1;
                    double m = Double.NEGATIVE_INFINITY;
                    for (int dy = 0; dy < 2; dy++) {
                        for (int dx = 0; dx < 2; dx++) {
                            int sy = 2 * y + dy;
                            int sx = 2 * xx + dx;
                            if (sy < x.h && sx < x.w) {
                                int i = ib + sy * x.w + sx;
                                if (x.d[i] > m) {
                                    m = x.d[i];
                                    best = i;
                                }
                            }
                        }
                    }
                    int oi = (k * oh + y) * ow + xx;
                    o.d[oi] = m;
                    arg[oi] = best;
                }
            }
        }
        return new Pooled(o, arg);
    }

    static Map4 maxPoolBackward(Map4 g, int[] argmax, Map4 inShape) {
        Map4 o = inShape.zerosLike();
        for (int i = 0; i < g.d.length; i++) {
            o.d[argmax[i]] += g.d[i];
        }
        return o;
    }

    /** ×2 upsampling: nearest ({@code out[y][x] = in[y/2][x/2]}) or PyTorch's bilinear (align_corners=False). */
    static Map4 upsample(Map4 x, boolean bilinear) {
        Map4 o = new Map4(x.n, x.c, 2 * x.h, 2 * x.w);
        int[][] ry = taps(x.h);
        int[][] rx = taps(x.w);
        double[] wy = weights(x.h);
        double[] wx = weights(x.w);
        for (int k = 0; k < x.n * x.c; k++) {
            int ib = k * x.h * x.w;
            int ob = k * o.h * o.w;
            for (int y = 0; y < o.h; y++) {
                for (int xx = 0; xx < o.w; xx++) {
                    double v;
                    if (bilinear) {
                        double a = x.d[ib + ry[y][0] * x.w + rx[xx][0]];
                        double b = x.d[ib + ry[y][0] * x.w + rx[xx][1]];
                        double c = x.d[ib + ry[y][1] * x.w + rx[xx][0]];
                        double d = x.d[ib + ry[y][1] * x.w + rx[xx][1]];
                        v = (1 - wy[y]) * ((1 - wx[xx]) * a + wx[xx] * b) + wy[y] * ((1 - wx[xx]) * c + wx[xx] * d);
                    } else {
                        v = x.d[ib + (y / 2) * x.w + xx / 2];
                    }
                    o.d[ob + y * o.w + xx] = v;
                }
            }
        }
        return o;
    }

    static Map4 upsampleBackward(Map4 g, boolean bilinear) {
        int h = g.h / 2;
        int w = g.w / 2;
        Map4 o = new Map4(g.n, g.c, h, w);
        int[][] ry = taps(h);
        int[][] rx = taps(w);
        double[] wy = weights(h);
        double[] wx = weights(w);
        for (int k = 0; k < g.n * g.c; k++) {
            int ob = k * h * w;
            int gb = k * g.h * g.w;
            for (int y = 0; y < g.h; y++) {
                for (int xx = 0; xx < g.w; xx++) {
                    double v = g.d[gb + y * g.w + xx];
                    if (bilinear) {
                        o.d[ob + ry[y][0] * w + rx[xx][0]] += (1 - wy[y]) * (1 - wx[xx]) * v;
                        o.d[ob + ry[y][0] * w + rx[xx][1]] += (1 - wy[y]) * wx[xx] * v;
                        o.d[ob + ry[y][1] * w + rx[xx][0]] += wy[y] * (1 - wx[xx]) * v;
                        o.d[ob + ry[y][1] * w + rx[xx][1]] += wy[y] * wx[xx] * v;
                    } else {
                        o.d[ob + (y / 2) * w + xx / 2] += v;
                    }
                }
            }
        }
        return o;
    }

    /** Bilinear source rows of each output row: src = max(0, (i + 0.5) / 2 − 0.5). */
    private static int[][] taps(int n) {
        int[][] t = new int[2 * n][2];
        for (int i = 0; i < 2 * n; i++) {
            double src = Math.max(0, (i + 0.5) / 2 - 0.5);
            int i0 = Math.min((int) Math.floor(src), n - 1);
            t[i][0] = i0;
            t[i][1] = Math.min(i0 + 1, n - 1);
        }
        return t;
    }

    private static double[] weights(int n) {
        double[] w = new double[2 * n];
        for (int i = 0; i < 2 * n; i++) {
            double src = Math.max(0, (i + 0.5) / 2 - 0.5);
            w[i] = src - Math.min((int) Math.floor(src), n - 1);
        }
        return w;
    }

    // ---- CORAL (SEMANTICS §5.3) ---------------------------------------------------------------------------

    /**
     * {@code source} recoloured to the mean and covariance of {@code target} (both {@code 1×3×H×W});
     * {@code covariancePerPixel} is the classic mistake of dividing {@code Xn·Xnᵀ} by the pixel count.
     */
    static Map4 coral(Map4 source, Map4 target, boolean covariancePerPixel) {
        double[][] s = colourStats(source, covariancePerPixel);
        double[][] t = colourStats(target, covariancePerPixel);
        double[][] m = multiply(sqrtm(slice(t, 2)), inverse(sqrtm(slice(s, 2))));
        int p = source.h * source.w;
        Map4 o = source.zerosLike();
        for (int i = 0; i < p; i++) {
            double[] n = new double[3];
            for (int c = 0; c < 3; c++) {
                n[c] = (source.d[c * p + i] - s[0][c]) / s[1][c];
            }
            for (int r = 0; r < 3; r++) {
                o.d[r * p + i] = (m[r][0] * n[0] + m[r][1] * n[1] + m[r][2] * n[2]) * t[1][r] + t[0][r];
            }
        }
        return o;
    }

    /** Rows: [0] the mean, [1] the unbiased std, [2..4] {@code Xn·Xnᵀ + I}. */
    private static double[][] colourStats(Map4 img, boolean perPixel) {
        int p = img.h * img.w;
        double[][] r = new double[5][3];
        for (int c = 0; c < 3; c++) {
            double sum = 0;
            for (int i = 0; i < p; i++) {
                sum += img.d[c * p + i];
            }
            double m = sum / p;
            double ss = 0;
            for (int i = 0; i < p; i++) {
                ss += (img.d[c * p + i] - m) * (img.d[c * p + i] - m);
            }
            r[0][c] = m;
            r[1][c] = Math.sqrt(ss / (p - 1));
        }
        for (int a = 0; a < 3; a++) {
            for (int b = 0; b < 3; b++) {
                double sum = 0;
                for (int i = 0; i < p; i++) {
                    sum += (img.d[a * p + i] - r[0][a]) / r[1][a] * ((img.d[b * p + i] - r[0][b]) / r[1][b]);
                }
                r[2 + a][b] = (perPixel ? sum / p : sum) + (a == b ? 1 : 0);
            }
        }
        return r;
    }

    private static double[][] slice(double[][] stats, int from) {
        return new double[][] {stats[from].clone(), stats[from + 1].clone(), stats[from + 2].clone()};
    }

    /** The symmetric positive-definite square root, from Jacobi eigenvectors. */
    static double[][] sqrtm(double[][] a) {
        double[][] m = {a[0].clone(), a[1].clone(), a[2].clone()};
        double[][] v = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
        for (int sweep = 0; sweep < 60; sweep++) {
            double off = m[0][1] * m[0][1] + m[0][2] * m[0][2] + m[1][2] * m[1][2];
            if (off < 1e-30 * (m[0][0] * m[0][0] + m[1][1] * m[1][1] + m[2][2] * m[2][2])) {
                break;
            }
            for (int p = 0; p < 2; p++) {
                for (int q = p + 1; q < 3; q++) {
                    if (m[p][q] == 0) {
                        continue;
                    }
                    double theta = (m[q][q] - m[p][p]) / (2 * m[p][q]);
                    double t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
                    double c = 1 / Math.sqrt(t * t + 1);
                    double s = t * c;
                    for (int k = 0; k < 3; k++) {
                        double mkp = m[k][p];
                        double mkq = m[k][q];
                        m[k][p] = c * mkp - s * mkq;
                        m[k][q] = s * mkp + c * mkq;
                    }
                    for (int k = 0; k < 3; k++) {
                        double mpk = m[p][k];
                        double mqk = m[q][k];
                        m[p][k] = c * mpk - s * mqk;
                        m[q][k] = s * mpk + c * mqk;
                    }
                    for (int k = 0; k < 3; k++) {
                        double vkp = v[k][p];
                        double vkq = v[k][q];
                        v[k][p] = c * vkp - s * vkq;
                        v[k][q] = s * vkp + c * vkq;
                    }
                }
            }
        }
        double[][] r = new double[3][3];
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                double s = 0;
                for (int k = 0; k < 3; k++) {
                    s += v[i][k] * Math.sqrt(Math.max(0, m[k][k])) * v[j][k];
                }
                r[i][j] = s;
            }
        }
        return r;
    }

    static double[][] multiply(double[][] a, double[][] b) {
        double[][] r = new double[3][3];
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                r[i][j] = a[i][0] * b[0][j] + a[i][1] * b[1][j] + a[i][2] * b[2][j];
            }
        }
        return r;
    }

    /** The inverse by cofactors. */
    static double[][] inverse(double[][] m) {
        double[][] c = new double[3][3];
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                int r0 = (j + 1) % 3;
                int r1 = (j + 2) % 3;
                int c0 = (i + 1) % 3;
                int c1 = (i + 2) % 3;
                c[i][j] = m[r0][c0] * m[r1][c1] - m[r0][c1] * m[r1][c0];
            }
        }
        double det = m[0][0] * c[0][0] + m[0][1] * c[1][0] + m[0][2] * c[2][0];
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                c[i][j] /= det;
            }
        }
        return c;
    }
}
