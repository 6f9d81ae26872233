package org.adain;

/**
 * Test-time resizing and cropping, the one place for both semantics (SEMANTICS §5.1).
 *
 * <p>{@link Semantics#PYTORCH_PORT}: the shorter side becomes {@code size} and the longer
 * {@code int(size·long/short)}, resampled with PIL's antialiased bilinear filter; then, with crop, a centre crop of
 * {@code size×size} with round-half-even offsets. {@code size = 0} keeps the size; crop with size 0 takes the centre
 * square of the shorter side (the port's 0×0 crop is a bug). PIL resizes 8-bit images in two passes (horizontal,
 * then vertical) with 22-bit fixed-point weights and rounds to 8 bits after each pass. For images that came from
 * 8-bit pixels that arithmetic is reproduced exactly, so results equal the reference's; other images are resampled
 * in double precision.
 *
 * <p>{@link Semantics#TORCH7} ({@code lib/utils.lua:81-91}): with crop, first the centre {@code m×m} square,
 * {@code m = min(H, W)}, at offsets {@code floor((W−m)/2)}, {@code floor((H−m)/2)} (torch/image
 * {@code init.lua:545}); then, unless {@code size = 0}, {@code image.scale(x, '^size')}: both sides times
 * {@code size/min} truncated ({@code init.lua:692}), resampled by torch/image's bilinear
 * ({@code generic/image.c:68-137, 213-275}): rows first, then columns, each in float32, linear interpolation with
 * the corners aligned when enlarging, box averaging with fractional end weights when shrinking.
 */
final class Resizing {
    private static final int PRECISION_BITS = 32 - 8 - 2;

    private Resizing() {
    }

    /**
     * The geometry a size/crop pair gives an H×W image. Port ({@code cropFirst} false): resize to
     * {@code resizedHeight×resizedWidth}, then take the {@code height×width} window at ({@code top}, {@code left}).
     * Torch7 ({@code cropFirst} true): take that window of the original first, then resize it to
     * {@code resizedHeight×resizedWidth}.
     */
    record Plan(int resizedHeight, int resizedWidth, int top, int left, int height, int width, boolean cropFirst) {
        boolean resizes(int h, int w) {
            return cropFirst ? resizedHeight != height || resizedWidth != width
                    : resizedHeight != h || resizedWidth != w;
        }

        /** Rows of the result. */
        int finalHeight() {
            return cropFirst ? resizedHeight : height;
        }

        /** Columns of the result. */
        int finalWidth() {
            return cropFirst ? resizedWidth : width;
        }

        /** The same geometry applied to a mask (nearest sampling), so that it stays aligned with the content. */
        SpatialMask apply(SpatialMask mask) {
            return cropFirst ? mask.crop(top, left, height, width).resized(resizedHeight, resizedWidth)
                    : mask.resized(resizedHeight, resizedWidth).crop(top, left, height, width);
        }
    }

    static Plan plan(int h, int w, int size, boolean crop) {
        return plan(h, w, size, crop, Semantics.PYTORCH_PORT);
    }

    static Plan plan(int h, int w, int size, boolean crop, Semantics semantics) {
        if (semantics == Semantics.TORCH7) {
            int ch = h;
            int cw = w;
            int top = 0;
            int left = 0;
            if (crop) {
                int m = Math.min(h, w);
                top = (h - m) / 2;   // floor: both non-negative
                left = (w - m) / 2;
                ch = m;
                cw = m;
            }
            int rh = ch;
            int rw = cw;
            if (size > 0) {
                int min = Math.min(ch, cw);
                rh = (int) ((long) ch * size / min);
                rw = (int) ((long) cw * size / min);
            }
            return new Plan(rh, rw, top, left, ch, cw, true);
        }
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
            return new Plan(rh, rw, 0, 0, rh, rw, false);
        }
        int side = size > 0 ? Math.min(size, Math.min(rh, rw)) : Math.min(rh, rw);
        int top = roundHalfEven((rh - side) / 2.0);
        int left = roundHalfEven((rw - side) / 2.0);
        return new Plan(rh, rw, top, left, side, side, false);
    }

    private static int roundHalfEven(double v) {
        return (int) Math.rint(v);
    }

    static ImageTensor apply(ImageTensor image, int size, boolean crop) {
        return apply(image, size, crop, Semantics.PYTORCH_PORT);
    }

    static ImageTensor apply(ImageTensor image, int size, boolean crop, Semantics semantics) {
        Plan p = plan(image.height(), image.width(), size, crop, semantics);
        if (p.cropFirst()) {
            ImageTensor cropped = image.crop(p.top(), p.left(), p.height(), p.width());
            return p.resizes(image.height(), image.width())
                    ? resizeTorch(cropped, p.resizedHeight(), p.resizedWidth()) : cropped;
        }
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

    /**
     * torch/image {@code image.scale(src, w, h, 'bilinear')} ({@code generic/image.c:213-275}) on a float tensor:
     * every row to the new width into a {@code H×outW} buffer, then every column to the new height, in float32
     * arithmetic as the C code does.
     */
    static ImageTensor resizeTorch(ImageTensor image, int outH, int outW) {
        int h = image.height();
        int w = image.width();
        float[] src = image.array();
        float[] out = new float[3 * outH * outW];
        float[] tmp = new float[h * outW];
        for (int c = 0; c < 3; c++) {
            int base = c * h * w;
            for (int y = 0; y < h; y++) {
                scaleLine(src, base + y * w, 1, w, tmp, y * outW, 1, outW);
            }
            int obase = c * outH * outW;
            for (int x = 0; x < outW; x++) {
                scaleLine(tmp, x, outW, h, out, obase + x, outW, outH);
            }
        }
        return ImageTensor.wrap(out, outH, outW, false);
    }

    /** {@code image_(Main_scaleLinear_rowcol)} for float tensors ({@code generic/image.c:68-137}). */
    private static void scaleLine(float[] src, int srcStart, int srcStride, int srcLen, float[] dst, int dstStart,
            int dstStride, int dstLen) {
        if (dstLen > srcLen) {
            float scale = (float) (srcLen - 1) / (dstLen - 1);
            if (srcLen == 1) {
                for (int di = 0; di < dstLen - 1; di++) {
                    dst[dstStart + di * dstStride] = src[srcStart];
                }
            } else {
                for (int di = 0; di < dstLen - 1; di++) {
                    float sf = di * scale;
                    int si = (int) sf;
                    sf -= si;
                    dst[dstStart + di * dstStride] = (1 - sf) * src[srcStart + si * srcStride]
                            + sf * src[srcStart + (si + 1) * srcStride];
                }
            }
            dst[dstStart + (dstLen - 1) * dstStride] = src[srcStart + (srcLen - 1) * srcStride];
        } else if (dstLen < srcLen) {
            float scale = (float) srcLen / dstLen;
            int si0 = 0;
            float sf0 = 0;
            for (int di = 0; di < dstLen; di++) {
                float sf1 = (di + 1) * scale;
                int si1 = (int) sf1;
                sf1 -= si1;
                float acc = (1 - sf0) * src[srcStart + si0 * srcStride];
                float n = 1 - sf0;
                for (int si = si0 + 1; si < si1; si++) {
                    acc += src[srcStart + si * srcStride];
                    n += 1;
                }
                if (si1 < srcLen) {
                    acc += sf1 * src[srcStart + si1 * srcStride];
                    n += sf1;
                }
                dst[dstStart + di * dstStride] = acc / n;
                si0 = si1;
                sf0 = sf1;
            }
        } else {
            for (int i = 0; i < dstLen; i++) {
                dst[dstStart + i * dstStride] = src[srcStart + i * srcStride];
            }
        }
    }
}
