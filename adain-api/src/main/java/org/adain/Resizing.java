package org.adain;

/**
 * Test-time resizing and cropping, as the PyTorch port does it (SEMANTICS §5.1): the shorter side becomes
 * {@code size} and the longer {@code int(size·long/short)}, resampled with PIL's antialiased bilinear filter;
 * then, with crop, a centre crop of {@code size×size} with round-half-even offsets. {@code size = 0} keeps the
 * size; crop with size 0 takes the centre square of the shorter side (the port's 0×0 crop is a bug).
 *
 * <p>PIL resizes 8-bit images in two passes (horizontal, then vertical) with 22-bit fixed-point weights and
 * rounds to 8 bits after each pass. For images that came from 8-bit pixels that arithmetic is reproduced
 * exactly, so results equal the reference's; other images are resampled in double precision.
 */
final class Resizing {
    private static final int PRECISION_BITS = 32 - 8 - 2;

    private Resizing() {
    }

    /** The geometry a size/crop pair gives an H×W image. */
    record Plan(int resizedHeight, int resizedWidth, int top, int left, int height, int width) {
        boolean resizes(int h, int w) {
            return resizedHeight != h || resizedWidth != w;
        }
    }

    static Plan plan(int h, int w, int size, boolean crop) {
        int rh = h;
        int rw = w;
        if (size > 0 && Math.min(h, w) != size) {
            if (h <= w) {
                rh = size;
                rw = (int) ((long) size * w / h);
            } else {
                rw = size;
                rh = (int) ((long) size * h / w);
            }
        }
        if (!crop) {
            return new Plan(rh, rw, 0, 0, rh, rw);
        }
        int side = size > 0 ? Math.min(size, Math.min(rh, rw)) : Math.min(rh, rw);
        int top = roundHalfEven((rh - side) / 2.0);
        int left = roundHalfEven((rw - side) / 2.0);
        return new Plan(rh, rw, top, left, side, side);
    }

    private static int roundHalfEven(double v) {
        return (int) Math.rint(v);
    }

    static ImageTensor apply(ImageTensor image, int size, boolean crop) {
        Plan p = plan(image.height(), image.width(), size, crop);
        ImageTensor resized = p.resizes(image.height(), image.width())
                ? resize(image, p.resizedHeight(), p.resizedWidth())
                : image;
        return resized.crop(p.top(), p.left(), p.height(), p.width());
    }

    /** PIL {@code Image.resize((w, h), BILINEAR)}. */
    static ImageTensor resize(ImageTensor image, int outH, int outW) {
        boolean eightBit = image.isEightBit();
        int h = image.height();
        int w = image.width();
        float[] src = image.array();
        float[] cur = outW != w ? horizontal(image, outW) : src;
        if (outH != h) {
            return vertical(cur, h, outW, outH, eightBit);
        }
        return ImageTensor.wrap(cur == src ? src.clone() : cur, outH, outW, eightBit);
    }

    /**
     * PIL's first pass: every row of the image resampled to {@code outW} columns, CHW. Rows are independent, so an
     * image may go through it a few rows at a time ({@link Images#readResized}).
     */
    static float[] horizontal(ImageTensor image, int outW) {
        return pass(image.array(), 3 * image.height(), image.width(), outW, image.isEightBit());
    }

    /**
     * PIL's second pass: the columns of a CHW image of {@code h×w} resampled to {@code outH} rows. Works row by row
     * on the image as it lies (no transposed copy); each value still sums its taps in PIL's order.
     */
    static ImageTensor vertical(float[] cur, int h, int w, int outH, boolean eightBit) {
        Coeffs co = coeffs(h, outH);
        float[] out = new float[3 * outH * w];
        long[] fixedAcc = eightBit ? new long[w] : null;
        double[] acc = eightBit ? null : new double[w];
        for (int c = 0; c < 3; c++) {
            for (int yy = 0; yy < outH; yy++) {
                int s = co.start()[yy];
                int n = co.count()[yy];
                int dst = (c * outH + yy) * w;
                if (eightBit) {
                    int[] kk = fixedPoint(co.weights()[yy]);
                    java.util.Arrays.fill(fixedAcc, 1L << (PRECISION_BITS - 1));
                    for (int k = 0; k < n; k++) {
                        int row = (c * h + s + k) * w;
                        long weight = kk[k];
                        for (int x = 0; x < w; x++) {
                            fixedAcc[x] += (long) Math.round(cur[row + x] * 255f) * weight;
                        }
                    }
                    for (int x = 0; x < w; x++) {
                        out[dst + x] = clip8(fixedAcc[x]);
                    }
                } else {
                    double[] k = co.weights()[yy];
                    java.util.Arrays.fill(acc, 0);
                    for (int t = 0; t < n; t++) {
                        int row = (c * h + s + t) * w;
                        for (int x = 0; x < w; x++) {
                            acc[x] += cur[row + x] * k[t];
                        }
                    }
                    for (int x = 0; x < w; x++) {
                        out[dst + x] = (float) acc[x];
                    }
                }
            }
        }
        return ImageTensor.wrap(out, outH, w, eightBit);
    }

    /** Filter weights of one output pixel, PIL's precompute_coeffs. */
    private record Coeffs(int[] start, int[] count, double[][] weights) {
    }

    private static Coeffs coeffs(int inSize, int outSize) {
        double scale = (double) inSize / outSize;
        double filterScale = Math.max(scale, 1.0);
        double support = 1.0 * filterScale; // bilinear (triangle) support is 1
        int[] start = new int[outSize];
        int[] count = new int[outSize];
        double[][] weights = new double[outSize][];
        for (int xx = 0; xx < outSize; xx++) {
            double center = (xx + 0.5) * scale;
            double ss = 1.0 / filterScale;
            int xmin = (int) (center - support + 0.5);
            if (xmin < 0) {
                xmin = 0;
            }
            int xmax = (int) (center + support + 0.5);
            if (xmax > inSize) {
                xmax = inSize;
            }
            xmax -= xmin;
            double[] k = new double[xmax];
            double ww = 0;
            for (int x = 0; x < xmax; x++) {
                double t = Math.abs((x + xmin - center + 0.5) * ss);
                double wgt = t < 1.0 ? 1.0 - t : 0.0;
                k[x] = wgt;
                ww += wgt;
            }
            for (int x = 0; x < xmax; x++) {
                if (ww != 0.0) {
                    k[x] /= ww;
                }
            }
            start[xx] = xmin;
            count[xx] = xmax;
            weights[xx] = k;
        }
        return new Coeffs(start, count, weights);
    }

    private static int[] fixedPoint(double[] k) {
        int[] kk = new int[k.length];
        for (int i = 0; i < k.length; i++) {
            double v = k[i] * (1 << PRECISION_BITS);
            kk[i] = (int) (v < 0 ? -0.5 + v : 0.5 + v);
        }
        return kk;
    }

    private static float clip8(long ss) {
        long v = ss >> PRECISION_BITS;
        if (v < 0) {
            v = 0;
        } else if (v > 255) {
            v = 255;
        }
        return v / 255f;
    }

    /** Resamples {@code lines} rows of length {@code inSize} (contiguous) to {@code outSize}. */
    private static float[] pass(float[] src, int lines, int inSize, int outSize, boolean eightBit) {
        Coeffs c = coeffs(inSize, outSize);
        float[] out = new float[lines * outSize];
        int[][] fixed = eightBit ? new int[outSize][] : null;
        if (eightBit) {
            for (int i = 0; i < outSize; i++) {
                fixed[i] = fixedPoint(c.weights()[i]);
            }
        }
        for (int line = 0; line < lines; line++) {
            int base = line * inSize;
            for (int xx = 0; xx < outSize; xx++) {
                int s = c.start()[xx];
                int n = c.count()[xx];
                if (eightBit) {
                    long ss = 1L << (PRECISION_BITS - 1);
                    int[] kk = fixed[xx];
                    for (int x = 0; x < n; x++) {
                        ss += (long) Math.round(src[base + s + x] * 255f) * kk[x];
                    }
                    out[line * outSize + xx] = clip8(ss);
                } else {
                    double acc = 0;
                    double[] k = c.weights()[xx];
                    for (int x = 0; x < n; x++) {
                        acc += src[base + s + x] * k[x];
                    }
                    out[line * outSize + xx] = (float) acc;
                }
            }
        }
        return out;
    }
}
