package org.adain.dl4j.graph;

import java.util.Arrays;
import org.nd4j.enums.WeightsFormat;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.Conv2D;
import org.nd4j.linalg.api.ops.impl.layers.convolution.Pooling2D;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Pooling2DConfig;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.indexing.SpecifiedIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The eager NCHW building blocks of the AdaIN encoder and decoder on ND4J: convolution, reflection padding,
 * max-pooling in ceil and floor mode and nearest upsampling. Every method returns a new array the caller owns and
 * leaves its input alone, so a network can free each intermediate as soon as the next one exists.
 */
public final class GraphOps {
    /** Memory layout of a rank-4 activation: NCHW (the SPI's) or NHWC (what oneDNN's conv runs fastest on). */
    public enum Layout {
        NCHW(2, 3, 1),
        NHWC(1, 2, 3);

        final int h;
        final int w;
        final int c;

        Layout(int h, int w, int c) {
            this.h = h;
            this.w = w;
            this.c = c;
        }
    }

    private static final Pooling2DConfig MAX_POOL_2X2 = pool(false);
    private static final Pooling2DConfig MAX_POOL_2X2_NHWC = pool(true);

    private static Pooling2DConfig pool(boolean nhwc) {
        return Pooling2DConfig.builder()
                .kH(2).kW(2).sH(2).sW(2).pH(0).pW(0).dH(1).dW(1)
                .type(Pooling2D.Pooling2DType.MAX).paddingMode(PaddingMode.VALID).isNHWC(nhwc)
                .build();
    }

    private GraphOps() {
    }

    /**
     * A stride-1 convolution with bias, optionally zero-padded by {@code zeroPad} on every side, then ReLU in place
     * when {@code relu}. Cross-correlation, as in PyTorch. NCHW.
     */
    public static INDArray conv2d(INDArray x, ConvWeights w, int zeroPad, boolean relu) {
        return conv2d(x, w, zeroPad, relu, Layout.NCHW);
    }

    /**
     * {@link #conv2d(INDArray, ConvWeights, int, boolean)} in either layout. In M2.1's oneDNN build an NHWC conv is
     * 1.2–2.8x faster than the same NCHW one (64 channels at 512²: 2.8x; measured, docs/BENCHMARKS.md).
     */
    public static INDArray conv2d(INDArray x, ConvWeights w, int zeroPad, boolean relu, Layout layout) {
        return conv2d(x, w, zeroPad, relu, layout, BufferPool.NONE);
    }

    /** {@link #conv2d(INDArray, ConvWeights, int, boolean, Layout)} with its output taken from {@code pool}. */
    public static INDArray conv2d(INDArray x, ConvWeights w, int zeroPad, boolean relu, Layout layout,
            BufferPool pool) {
        if (x.size(layout.c) != w.inChannels()) {
            throw new IllegalArgumentException("Layer '" + w.name() + "' takes " + w.inChannels()
                    + " channels, the input " + Arrays.toString(x.shape()) + " (" + layout + ") has "
                    + x.size(layout.c));
        }
        if (x.size(layout.h) + 2L * zeroPad < w.kernelHeight()
                || x.size(layout.w) + 2L * zeroPad < w.kernelWidth()) {
            throw new IllegalArgumentException("Layer '" + w.name() + "' needs a map of at least "
                    + w.kernelHeight() + "×" + w.kernelWidth() + " after padding, got " + Arrays.toString(x.shape()));
        }
        INDArray y = conv2d(x, w.kernelYxio(), w.bias(), zeroPad, layout, pool);
        return relu ? Transforms.relu(y, false) : y;
    }

    /**
     * A stride-1 cross-correlation with a {@code [kh, kw, in, out]} (YXIO) kernel and an optional bias (null: none),
     * zero-padded by {@code zeroPad}, its output taken from {@code pool}. No checks: for callers that hold raw
     * kernels, such as the backward pass's transposed ones.
     */
    public static INDArray conv2d(INDArray x, INDArray kernelYxio, INDArray bias, int zeroPad, Layout layout,
            BufferPool pool) {
        Conv2DConfig cfg = Conv2DConfig.builder()
                .kH(kernelYxio.size(0)).kW(kernelYxio.size(1)).sH(1).sW(1).pH(zeroPad).pW(zeroPad).dH(1).dW(1)
                .paddingMode(PaddingMode.VALID).dataFormat(layout.name()).weightsFormat(WeightsFormat.YXIO)
                .build();
        long[] shape = x.shape().clone();
        shape[layout.h] += 2L * zeroPad - kernelYxio.size(0) + 1;
        shape[layout.w] += 2L * zeroPad - kernelYxio.size(1) + 1;
        shape[layout.c] = kernelYxio.size(3);
        INDArray y = output(x, shape, pool);
        INDArray[] inputs = bias == null ? new INDArray[] {x, kernelYxio} : new INDArray[] {x, kernelYxio, bias};
        try {
            Nd4j.exec(new Conv2D(inputs, new INDArray[] {y}, cfg));
        } catch (RuntimeException | Error e) {
            pool.give(y);
            throw e;
        }
        return y;
    }

    /** A dense copy in the other layout. */
    public static INDArray toLayout(INDArray x, Layout from, Layout to) {
        if (from == to) {
            return x.dup('c');
        }
        return (to == Layout.NHWC ? x.permute(0, 2, 3, 1) : x.permute(0, 3, 1, 2)).dup('c');
    }

    /**
     * Reflection padding of 1 on every side without repeating the edge ({@code x[-1] = x[1]}). Forward only (no
     * autodiff here; ND4J's own REFLECT pad has a wrong backward pass, ND4J-NOTES). One copy of the map into the
     * interior of a new array, then the four border lines copied from inside that array (rows first, then whole
     * columns, which also fills the corners). Two concatenations used to cost two full copies and an
     * intermediate array (3x slower at 64×512², measured). Needs H, W ≥ 2. NCHW.
     */
    public static INDArray reflectPad1(INDArray x) {
        return reflectPad1(x, Layout.NCHW);
    }

    /** {@link #reflectPad1(INDArray)} in either layout. */
    public static INDArray reflectPad1(INDArray x, Layout layout) {
        return reflectPad1(x, layout, BufferPool.NONE);
    }

    /** {@link #reflectPad1(INDArray, Layout)} with its output taken from {@code pool}. */
    public static INDArray reflectPad1(INDArray x, Layout layout, BufferPool pool) {
        if (x.rank() != 4) {
            throw new IllegalArgumentException("Reflection padding needs a rank-4 map, got "
                    + Arrays.toString(x.shape()));
        }
        long h = x.size(layout.h);
        long w = x.size(layout.w);
        if (h < 2 || w < 2) {
            throw new IllegalArgumentException("Reflection padding needs a map of at least 2×2, got "
                    + Arrays.toString(x.shape()));
        }
        long[] shape = x.shape().clone(); // shape() may hand out the array's own shape: never modify it
        shape[layout.h] += 2;
        shape[layout.w] += 2;
        INDArray out = output(x, shape, pool);
        try {
            out.get(index(layout, NDArrayIndex.interval(1, h + 1), NDArrayIndex.interval(1, w + 1))).assign(x);
            reflectBorders(out, layout);
        } catch (RuntimeException | Error e) {
            pool.give(out);
            throw e;
        }
        return out;
    }

    /**
     * Fills the one-pixel border of {@code out} by reflecting its interior (which must hold at least 2×2): the
     * border rows first, copied from inside the array, then whole border columns, which also fills the corners.
     */
    private static void reflectBorders(INDArray out, Layout layout) {
        long h = out.size(layout.h) - 2;
        long w = out.size(layout.w) - 2;
        INDArrayIndex inner = NDArrayIndex.interval(1, w + 1);
        INDArrayIndex all = NDArrayIndex.all();
        out.get(index(layout, NDArrayIndex.interval(0, 1), inner))
                .assign(out.get(index(layout, NDArrayIndex.interval(2, 3), inner)));
        out.get(index(layout, NDArrayIndex.interval(h + 1, h + 2), inner))
                .assign(out.get(index(layout, NDArrayIndex.interval(h - 1, h), inner)));
        out.get(index(layout, all, NDArrayIndex.interval(0, 1)))
                .assign(out.get(index(layout, all, NDArrayIndex.interval(2, 3))));
        out.get(index(layout, all, NDArrayIndex.interval(w + 1, w + 2)))
                .assign(out.get(index(layout, all, NDArrayIndex.interval(w - 1, w))));
    }

    /** An index selecting {@code hIdx} on the height axis and {@code wIdx} on the width axis. */
    private static INDArrayIndex[] index(Layout layout, INDArrayIndex hIdx, INDArrayIndex wIdx) {
        INDArrayIndex[] idx = {NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all()};
        idx[layout.h] = hIdx;
        idx[layout.w] = wIdx;
        return idx;
    }

    /**
     * Reflection padding at the bottom and right only, by {@code padH} rows and {@code padW} columns (mirror without
     * repeating the edge). Needs H > padH and W > padW.
     */
    public static INDArray reflectPadBottomRight(INDArray x, int padH, int padW) {
        long h = x.size(2);
        long w = x.size(3);
        if (padH < 0 || padW < 0 || padH >= h || padW >= w) {
            throw new IllegalArgumentException("Cannot reflection-pad " + Arrays.toString(x.shape()) + " by " + padH
                    + " rows and " + padW + " columns");
        }
        if (padH == 0 && padW == 0) {
            return x.dup('c');
        }
        INDArray out = x.get(NDArrayIndex.all(), NDArrayIndex.all(), mirrorEnd(h, padH), mirrorEnd(w, padW));
        return out.isView() ? out.dup('c') : out;
    }

    private static INDArrayIndex mirrorEnd(long n, int pad) {
        if (pad == 0) {
            return NDArrayIndex.all();
        }
        long[] idx = new long[(int) n + pad];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        for (int j = 1; j <= pad; j++) {
            idx[(int) n + j - 1] = n - 1 - j;
        }
        return new SpecifiedIndex(idx);
    }

    /**
     * 2×2/2 max-pooling in ceil mode (PyTorch {@code ceil_mode=True}): ND4J only floors, so an odd side first gets
     * its last row/column repeated; the max over a window holding that line twice is the ceil-mode value. NCHW.
     */
    public static INDArray maxPool2Ceil(INDArray x) {
        return maxPool2Ceil(x, Layout.NCHW);
    }

    /** {@link #maxPool2Ceil(INDArray)} in either layout. */
    public static INDArray maxPool2Ceil(INDArray x, Layout layout) {
        long h = x.size(layout.h);
        long w = x.size(layout.w);
        INDArray padded = x;
        if (h % 2 == 1) {
            padded = Nd4j.concat(layout.h, padded,
                    padded.get(index(layout, NDArrayIndex.interval(h - 1, h), NDArrayIndex.all())));
        }
        if (w % 2 == 1) {
            INDArray before = padded;
            padded = Nd4j.concat(layout.w, padded,
                    padded.get(index(layout, NDArrayIndex.all(), NDArrayIndex.interval(w - 1, w))));
            if (before != x) {
                release(before);
            }
        }
        INDArray out = maxPool2Floor(padded, layout);
        if (padded != x) {
            release(padded);
        }
        return out;
    }

    /** 2×2/2 max-pooling that drops an odd last row/column (Keras 'valid'). NCHW. */
    public static INDArray maxPool2Floor(INDArray x) {
        return maxPool2Floor(x, Layout.NCHW);
    }

    /** {@link #maxPool2Floor(INDArray)} in either layout. */
    public static INDArray maxPool2Floor(INDArray x, Layout layout) {
        if (x.size(layout.h) < 2 || x.size(layout.w) < 2) {
            throw new IllegalArgumentException("2×2 max-pooling needs a map of at least 2×2, got "
                    + Arrays.toString(x.shape()));
        }
        return Nd4j.cnn().maxPooling2d(x, layout == Layout.NHWC ? MAX_POOL_2X2_NHWC : MAX_POOL_2X2);
    }

    /** Nearest-neighbour ×2 upsampling: {@code out[y][x] = in[y/2][x/2]}. NCHW. */
    public static INDArray upsampleNearest2(INDArray x) {
        return upsampleNearest2(x, Layout.NCHW);
    }

    /** {@link #upsampleNearest2(INDArray)} in either layout. */
    public static INDArray upsampleNearest2(INDArray x, Layout layout) {
        return upsampleNearest2(x, layout, BufferPool.NONE);
    }

    /**
     * {@link #upsampleNearest2(INDArray, Layout)} with its output taken from {@code pool}. Four strided copies of the
     * input (one per position in the 2×2 block) rather than ND4J's {@code upsampling2d} op, which took 1.3–1.7 s of
     * CPU for a 64×512² input against 0.07–0.1 s for the copies, with the same values (docs/BENCHMARKS.md, "DL4J
     * at 1024 px").
     */
    public static INDArray upsampleNearest2(INDArray x, Layout layout, BufferPool pool) {
        long[] shape = x.shape().clone();
        shape[layout.h] *= 2;
        shape[layout.w] *= 2;
        INDArray out = output(x, shape, pool);
        try {
            upsampleInto(x, out, layout, 0);
        } catch (RuntimeException | Error e) {
            pool.give(out);
            throw e;
        }
        return out;
    }

    /**
     * {@code reflectPad1(upsampleNearest2(x))} in one array, bit for bit: the upsampled map is written straight into
     * the interior of the padded one, which saves a full-size intermediate and a copy of it (at 1024² output with
     * 64 channels, 256 MiB). Output from {@code pool}.
     */
    public static INDArray upsampleNearest2ReflectPad1(INDArray x, Layout layout, BufferPool pool) {
        if (x.rank() != 4) {
            throw new IllegalArgumentException("Upsampling needs a rank-4 map, got " + Arrays.toString(x.shape()));
        }
        long[] shape = x.shape().clone();
        shape[layout.h] = 2 * shape[layout.h] + 2;
        shape[layout.w] = 2 * shape[layout.w] + 2;
        INDArray out = output(x, shape, pool);
        try {
            upsampleInto(x, out, layout, 1);
            reflectBorders(out, layout);
        } catch (RuntimeException | Error e) {
            pool.give(out);
            throw e;
        }
        return out;
    }

    /** Writes the ×2 nearest upsampling of {@code x} into {@code out}, starting {@code border} rows and columns in. */
    private static void upsampleInto(INDArray x, INDArray out, Layout layout, long border) {
        long h = x.size(layout.h);
        long w = x.size(layout.w);
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 2; j++) {
                out.get(index(layout, everySecond(border + i, h), everySecond(border + j, w))).assign(x);
            }
        }
    }

    /** {@code count} positions from {@code from} in steps of 2. */
    private static INDArrayIndex everySecond(long from, long count) {
        // M2.1 rejects a strided interval holding a single position ("Indices are out of range"): a plain one then
        return count == 1 ? NDArrayIndex.interval(from, from + 1)
                : NDArrayIndex.interval(from, 2, from + 2 * count - 1);
    }

    /** An uninitialised array for an op's output, of {@code like}'s data type; from the pool when float32. */
    private static INDArray output(INDArray like, long[] shape, BufferPool pool) {
        return like.dataType() == DataType.FLOAT ? pool.take(shape)
                : Nd4j.createUninitialized(like.dataType(), shape, 'c');
    }

    /** Frees arrays that own their memory; views, nulls and freed arrays are skipped. */
    public static void release(INDArray... arrays) {
        for (INDArray a : arrays) {
            if (a != null && !a.wasClosed() && a.closeable()) {
                a.close();
            }
        }
    }
}
