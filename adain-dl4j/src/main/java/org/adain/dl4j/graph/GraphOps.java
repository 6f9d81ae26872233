package org.adain.dl4j.graph;

import java.util.Arrays;
import org.nd4j.enums.WeightsFormat;
import org.nd4j.linalg.api.ndarray.INDArray;
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
    private static final Pooling2DConfig MAX_POOL_2X2 = Pooling2DConfig.builder()
            .kH(2).kW(2).sH(2).sW(2).pH(0).pW(0).dH(1).dW(1)
            .type(Pooling2D.Pooling2DType.MAX).paddingMode(PaddingMode.VALID).isNHWC(false)
            .build();

    private GraphOps() {
    }

    /**
     * A stride-1 convolution with bias, optionally zero-padded by {@code zeroPad} on every side, then ReLU in place
     * when {@code relu}. Cross-correlation, as in PyTorch.
     */
    public static INDArray conv2d(INDArray x, ConvWeights w, int zeroPad, boolean relu) {
        if (x.size(1) != w.inChannels()) {
            throw new IllegalArgumentException("Layer '" + w.name() + "' takes " + w.inChannels()
                    + " channels, the input " + Arrays.toString(x.shape()) + " has " + x.size(1));
        }
        Conv2DConfig cfg = Conv2DConfig.builder()
                .kH(w.kernelHeight()).kW(w.kernelWidth()).sH(1).sW(1).pH(zeroPad).pW(zeroPad).dH(1).dW(1)
                .paddingMode(PaddingMode.VALID).dataFormat("NCHW").weightsFormat(WeightsFormat.YXIO)
                .build();
        INDArray y = Nd4j.cnn().conv2d(x, w.kernelYxio(), w.bias(), cfg);
        return relu ? Transforms.relu(y, false) : y;
    }

    /**
     * Reflection padding of 1 on every side without repeating the edge ({@code x[-1] = x[1]}), as slices and
     * concatenations: ND4J's own REFLECT pad has a wrong backward pass (ND4J-NOTES). Needs H, W ≥ 2.
     */
    public static INDArray reflectPad1(INDArray x) {
        long h = x.size(2);
        long w = x.size(3);
        if (h < 2 || w < 2) {
            throw new IllegalArgumentException("Reflection padding needs a map of at least 2×2, got "
                    + Arrays.toString(x.shape()));
        }
        INDArray rows = Nd4j.concat(2, rows(x, 1, 2), x, rows(x, h - 2, h - 1));
        INDArray out = Nd4j.concat(3, cols(rows, 1, 2), rows, cols(rows, w - 2, w - 1));
        release(rows);
        return out;
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
     * its last row/column repeated; the max over a window holding that line twice is the ceil-mode value.
     */
    public static INDArray maxPool2Ceil(INDArray x) {
        long h = x.size(2);
        long w = x.size(3);
        INDArray padded = x;
        if (h % 2 == 1) {
            padded = Nd4j.concat(2, padded, rows(padded, h - 1, h));
        }
        if (w % 2 == 1) {
            INDArray before = padded;
            padded = Nd4j.concat(3, padded, cols(padded, w - 1, w));
            if (before != x) {
                release(before);
            }
        }
        INDArray out = maxPool2Floor(padded);
        if (padded != x) {
            release(padded);
        }
        return out;
    }

    /** 2×2/2 max-pooling that drops an odd last row/column (Keras 'valid'). */
    public static INDArray maxPool2Floor(INDArray x) {
        if (x.size(2) < 2 || x.size(3) < 2) {
            throw new IllegalArgumentException("2×2 max-pooling needs a map of at least 2×2, got "
                    + Arrays.toString(x.shape()));
        }
        return Nd4j.cnn().maxPooling2d(x, MAX_POOL_2X2);
    }

    /** Nearest-neighbour ×2 upsampling: {@code out[y][x] = in[y/2][x/2]}. */
    public static INDArray upsampleNearest2(INDArray x) {
        return Nd4j.cnn().upsampling2d(x, 2, 2, true);
    }

    /** Frees arrays that own their memory; views, nulls and freed arrays are skipped. */
    public static void release(INDArray... arrays) {
        for (INDArray a : arrays) {
            if (a != null && !a.wasClosed() && a.closeable()) {
                a.close();
            }
        }
    }

    private static INDArray rows(INDArray x, long from, long to) {
        return x.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(from, to), NDArrayIndex.all());
    }

    private static INDArray cols(INDArray x, long from, long to) {
        return x.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(from, to));
    }
}
