package org.adain.dl4j.train;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import org.adain.Semantics;
import org.adain.dl4j.graph.BufferPool;
import org.adain.dl4j.graph.ConvWeights;
import org.adain.dl4j.graph.GraphOps;
import org.adain.dl4j.graph.GraphOps.Layout;
import org.adain.spi.DecoderWeights;
import org.adain.spi.EncoderKind;
import org.adain.spi.EncoderWeights;
import org.adain.spi.LossTerms;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The differentiable half of a training step as eager ND4J ops with a hand-written backward pass: the decoder
 * applied to the AdaIN target {@code t}, the frozen encoder applied to the decoded image {@code g}, the loss of
 * SEMANTICS §9.1 against given style statistics, and the gradient of the total loss w.r.t. the decoder convs.
 *
 * <p>Why not SameDiff: its autodiff graph gives the same numbers (the tests compare the two), but every call
 * spends seconds of Java-side graph bookkeeping ({@code AbstractSession.initSubgraph}; measured 3.4 s per call for
 * an 8/12/16/24-channel model at 32×32, one thread, against 40–60 ms for this pass) and it keeps every
 * intermediate array alive (15 GiB peak for batch-8 training in ND4J-NOTES). The network is a plain chain, so the backward pass is short:
 * <ul>
 *   <li>ReLU: {@code relu_bp} on the stored activation; max-pool: {@code maxpool2d_bp} on the stored input;</li>
 *   <li>encoder convs (frozen): only the input gradient, as a forward convolution of the output gradient
 *   (zero-padded by 2) with the kernel flipped in space and transposed in channels — no weight gradient is
 *   computed, like PyTorch with {@code requires_grad=False};</li>
 *   <li>decoder convs: {@code conv2d_bp} (input, kernel and bias gradients);</li>
 *   <li>reflection padding: the border gradients folded back onto rows/columns 1 and n−2; nearest ×2
 *   upsampling: the sum over each 2×2 block.</li>
 * </ul>
 * The activations are NHWC inside the pass (M2.1's oneDNN convolutions, forward and backward, are markedly faster
 * there than in NCHW; NCHW stays selectable for tests); inputs and statistics come in NCHW and are converted once.
 * Each activation is freed as soon as the backward pass has used it. The decoded image is 8h×8w, so the encoder
 * sees only even sides here: ceil and floor pooling agree, and the Keras flavour needs no padding to a multiple
 * of 8. Kernels are YXIO ({@code [kh, kw, in, out]}) throughout. Not thread-safe.
 */
final class LossBackprop implements AutoCloseable {
    private final boolean reflect;
    private final Layout layout;
    /** Axes of height, width and channels in {@link #layout}. */
    private final int hAxis;
    private final int wAxis;
    private final int cAxis;
    private final ConvWeights preprocess;
    /** The preprocessing conv's input-gradient kernel: [1, 1, out, in]. */
    private final INDArray preprocessBack;
    private final List<ConvWeights> encoder;
    /** Per encoder conv, the input-gradient kernel: flipped in space, in/out swapped, [3, 3, out, in]. */
    private final List<INDArray> encoderBack;
    private final BufferPool pool;

    /** The gradient of the total loss w.r.t. every decoder parameter (kernel YXIO, bias per conv) and the terms. */
    record Result(LossTerms losses, List<INDArray> gradients) {
    }

    /** In NHWC, where M2.1's oneDNN convolutions run fastest. */
    LossBackprop(EncoderKind kind, ConvWeights preprocess, List<ConvWeights> encoder, BufferPool pool) {
        this(kind, preprocess, encoder, Layout.NHWC, pool);
    }

    /** @param layout the layout of the activations inside the pass (inputs and outputs are NCHW either way) */
    LossBackprop(EncoderKind kind, ConvWeights preprocess, List<ConvWeights> encoder, Layout layout) {
        this(kind, preprocess, encoder, layout, BufferPool.NONE);
    }

    /**
     * @param pool where the pass takes its large intermediates from and gives them back to (every step has the
     *             same shapes, so a step reuses the previous one's memory); owned by the caller
     */
    LossBackprop(EncoderKind kind, ConvWeights preprocess, List<ConvWeights> encoder, Layout layout,
            BufferPool pool) {
        this.pool = java.util.Objects.requireNonNull(pool, "pool");
        this.reflect = kind == EncoderKind.NORMALISED_VGG19;
        this.layout = layout;
        this.hAxis = layout == Layout.NHWC ? 1 : 2;
        this.wAxis = layout == Layout.NHWC ? 2 : 3;
        this.cAxis = layout == Layout.NHWC ? 3 : 1;
        this.preprocess = preprocess;
        this.encoder = encoder;
        List<INDArray> back = new ArrayList<>();
        INDArray pre = null;
        try {
            pre = backKernel(preprocess.kernelYxio());
            for (ConvWeights c : encoder) {
                back.add(backKernel(c.kernelYxio()));
            }
        } catch (RuntimeException | Error e) {
            GraphOps.release(pre);
            back.forEach(GraphOps::release);
            throw e;
        }
        this.preprocessBack = pre;
        this.encoderBack = List.copyOf(back);
    }

    /** [kh, kw, in, out] → flipped in both spatial axes, [kh, kw, out, in], dense. */
    private static INDArray backKernel(INDArray yxio) {
        long kh = yxio.size(0);
        long kw = yxio.size(1);
        INDArray flipped = yxio.get(reversed(kh), reversed(kw), NDArrayIndex.all(), NDArrayIndex.all());
        INDArray out = flipped.permute(0, 1, 3, 2).dup('c');
        if (flipped != yxio) {
            GraphOps.release(flipped);
        }
        return out;
    }

    private static INDArrayIndex reversed(long n) {
        long[] idx = new long[(int) n];
        for (int i = 0; i < n; i++) {
            idx[i] = n - 1 - i;
        }
        return new org.nd4j.linalg.indexing.SpecifiedIndex(idx);
    }

    /**
     * @param target     t, N×C×h×w (not modified)
     * @param styleMeans μ of relu1_1 … relu4_1 of the styles, N×Cᵢ×1×1
     * @param styleStds  σ likewise
     * @param params     decoder kernel (YXIO) and bias per conv, in order
     */
    Result run(INDArray target, List<INDArray> styleMeans, List<INDArray> styleStds, List<INDArray> params,
            double contentWeight, double styleWeight) {
        return run(target, styleMeans, styleStds, params, contentWeight, styleWeight, Semantics.PYTORCH_PORT);
    }

    /**
     * As {@link #run(INDArray, List, List, List, double, double)}, with the style loss of a semantics (Torch7:
     * {@code StyleINLossModule.lua}, sums over channels divided by N, σ_g = sqrt(biased variance + 1e-6); the style
     * statistics given must then be Torch7's, σ_s = sqrt(biased variance)).
     */
    Result run(INDArray target, List<INDArray> styleMeans, List<INDArray> styleStds, List<INDArray> params,
            double contentWeight, double styleWeight, Semantics semantics) {
        Set<INDArray> live = Collections.newSetFromMap(new IdentityHashMap<>());
        try {
            INDArray t = keep(live, GraphOps.toLayout(target, Layout.NCHW, layout));
            List<INDArray> means = new ArrayList<>(4);
            List<INDArray> stds = new ArrayList<>(4);
            for (int k = 0; k < styleMeans.size(); k++) {
                means.add(keep(live, statsToLayout(styleMeans.get(k))));
                stds.add(keep(live, statsToLayout(styleStds.get(k))));
            }
            return pass(live, t, means, stds, params, contentWeight, styleWeight, semantics);
        } finally {
            live.forEach(pool::give);
        }
    }

    /** N×C×1×1 statistics as N×1×1×C for NHWC (the same values in the same order), a copy either way. */
    private INDArray statsToLayout(INDArray stats) {
        INDArray dense = stats.dup('c');
        if (layout == Layout.NCHW) {
            return dense;
        }
        INDArray out = dense.reshape('c', stats.size(0), 1, 1, stats.size(1)).dup('c');
        dense.close();
        return out;
    }

    /** Per sample and channel: the mean over H×W, keeping the reduced axes. */
    private INDArray mean(INDArray f) {
        return f.mean(true, hAxis, wAxis);
    }

    /** Per sample and channel: sqrt(unbiased variance over H×W + 1e-5), keeping the reduced axes. */
    private INDArray std(INDArray f) {
        return root(f, true, 1e-5);
    }

    /** Per sample and channel: sqrt(variance over H×W + eps), unbiased or biased, keeping the reduced axes. */
    private INDArray root(INDArray f, boolean unbiased, double eps) {
        INDArray var = f.var(unbiased, hAxis, wAxis);
        long[] shape = {f.size(0), 1, 1, 1};
        shape[cAxis] = f.size(cAxis);
        INDArray shaped = var.reshape('c', shape); // [N, C] → N×C×1×1 or N×1×1×C, same order
        INDArray std = Transforms.sqrt(shaped.add(eps), false);
        GraphOps.release(var, shaped);
        return std;
    }

    private Result pass(Set<INDArray> live, INDArray target, List<INDArray> styleMeans, List<INDArray> styleStds,
            List<INDArray> params, double contentWeight, double styleWeight, Semantics semantics) {
        boolean torch = semantics == Semantics.TORCH7;
        int last = DecoderWeights.CONV_COUNT - 1;
        // ---- decoder forward: keep each conv's input (before padding) and each ReLU output
        INDArray[] decIn = new INDArray[DecoderWeights.CONV_COUNT];
        INDArray[] decAct = new INDArray[DecoderWeights.CONV_COUNT];
        INDArray x = target;
        for (int j = 0; j <= last; j++) {
            decIn[j] = x;
            INDArray padded = keep(live, GraphOps.reflectPad1(x, layout, pool));
            INDArray y = keep(live, conv(padded, params.get(2 * j), params.get(2 * j + 1), 0));
            free(live, padded);
            if (j != last) {
                relu(y);
                decAct[j] = y;
            }
            x = DecoderWeights.UPSAMPLE_AFTER.contains(j) ? keep(live, GraphOps.upsampleNearest2(y, layout, pool))
                    : y;
        }
        INDArray g = x;

        // ---- encoder forward on g: keep every ReLU output (ReLU masks, pooling inputs, taps)
        int lastEnc = EncoderWeights.RELU_TAPS.get(EncoderWeights.RELU_TAPS.size() - 1);
        INDArray[] encAct = new INDArray[lastEnc + 1];
        x = keep(live, conv(g, preprocess.kernelYxio(), preprocess.bias(), 0));
        free(live, g);
        for (int i = 0; i <= lastEnc; i++) {
            ConvWeights c = encoder.get(i);
            INDArray y;
            if (reflect) {
                INDArray padded = keep(live, GraphOps.reflectPad1(x, layout, pool));
                y = keep(live, conv(padded, c.kernelYxio(), c.bias(), 0));
                free(live, padded);
            } else {
                y = keep(live, conv(x, c.kernelYxio(), c.bias(), 1));
            }
            if (!isStored(encAct, x)) {
                free(live, x); // the preprocessed image or a pooled map
            }
            relu(y);
            encAct[i] = y;
            x = y;
            if (EncoderWeights.POOL_AFTER.contains(i)) {
                if (y.size(hAxis) % 2 != 0 || y.size(wAxis) % 2 != 0) {
                    throw new IllegalStateException("odd map " + java.util.Arrays.toString(y.shape())
                            + " before pooling in the loss pass");
                }
                x = keep(live, GraphOps.maxPool2Floor(y, layout));
            }
        }

        // ---- loss terms and their gradients at the taps
        INDArray f4 = encAct[lastEnc];
        double content = f4.squaredDistance(target) / f4.length();
        INDArray[] tapGrad = new INDArray[lastEnc + 1];
        tapGrad[lastEnc] = keep(live, f4.sub(target).muli(2 * contentWeight / f4.length()));
        double[] style = new double[4];
        for (int k = 0; k < 4; k++) {
            int layer = EncoderWeights.RELU_TAPS.get(k);
            INDArray f = encAct[layer];
            long nc = f.size(0) * f.size(cAxis);
            long positions = f.size(hAxis) * f.size(wAxis);
            INDArray mu = keep(live, mean(f));
            INDArray sigma = keep(live, torch ? root(f, false, LUA_SQRT_EPS) : std(f));
            INDArray dMu = keep(live, mu.sub(styleMeans.get(k)));
            INDArray dSigma = keep(live, sigma.sub(styleStds.get(k)));
            // port: mean over N·C; Torch7 (StyleINLossModule.lua:83-90): sum over N·C divided by N
            double reduce = torch ? f.size(0) : nc;
            style[k] = (mu.squaredDistance(styleMeans.get(k)) + sigma.squaredDistance(styleStds.get(k))) / reduce;
            // d/df [Σ (μ−μs)² / R] = 2(μ−μs)/(R·HW);  d/df [Σ (σ−σs)² / R] = 2(σ−σs)/R · (f−μ)/(D·σ), D = HW−1 for
            // the port's unbiased variance, HW for Torch7's biased one (its eps sits inside σ and needs no term)
            INDArray a = dMu.muli(2 * styleWeight / (reduce * positions));
            INDArray b = dSigma.divi(sigma).muli(2 * styleWeight / (reduce * (torch ? positions : positions - 1)));
            INDArray grad = keep(live, f.sub(mu).muli(b).addi(a));
            free(live, mu, sigma, dMu, dSigma);
            tapGrad[layer] = tapGrad[layer] == null ? grad : tapGrad[layer].addi(grad);
            if (tapGrad[layer] != grad) {
                free(live, grad);
            }
        }
        LossTerms losses = new LossTerms(content, style);

        // ---- encoder backward: input gradients only
        INDArray dA = tapGrad[lastEnc];
        for (int i = lastEnc; i >= 0; i--) {
            INDArray dY = reluBackward(encAct[i], dA);
            free(live, encAct[i]);
            INDArray dX;
            if (reflect) {
                INDArray dPadded = keep(live, conv(dY, encoderBack.get(i), null, 2));
                dX = keep(live, reflectPad1Backward(dPadded));
                free(live, dPadded);
            } else {
                dX = keep(live, conv(dY, encoderBack.get(i), null, 1));
            }
            free(live, dY);
            if (i == 0) {
                dA = dX;
                break;
            }
            if (EncoderWeights.POOL_AFTER.contains(i - 1)) {
                dA = keep(live, maxPoolBackward(encAct[i - 1], dX));
                free(live, dX);
            } else {
                dA = dX;
            }
            if (tapGrad[i - 1] != null) {
                dA.addi(tapGrad[i - 1]);
                free(live, tapGrad[i - 1]);
            }
        }
        INDArray dG = keep(live, conv(dA, preprocessBack, null, 0));
        free(live, dA);

        // ---- decoder backward: conv2d_bp gives input, kernel and bias gradients
        List<INDArray> grads = new ArrayList<>(2 * DecoderWeights.CONV_COUNT);
        for (int p = 0; p < 2 * DecoderWeights.CONV_COUNT; p++) {
            grads.add(null);
        }
        dA = dG;
        for (int j = last; j >= 0; j--) {
            INDArray dY = j == last ? dA : reluBackward(decAct[j], dA);
            INDArray padded = keep(live, GraphOps.reflectPad1(decIn[j], layout, pool));
            INDArray[] bp = convBackward(padded, params.get(2 * j), params.get(2 * j + 1), dY);
            keep(live, bp[0]);
            free(live, padded, dY);
            grads.set(2 * j, keep(live, bp[1]));
            grads.set(2 * j + 1, keep(live, bp[2]));
            if (decAct[j] != null) {
                free(live, decAct[j]);
            }
            // without an upsampling in between, a conv's input is the previous conv's activation: still needed
            if (decIn[j] != target && (j == 0 || decIn[j] != decAct[j - 1])) {
                free(live, decIn[j]);
            }
            if (j == 0) {
                free(live, bp[0]);
                break;
            }
            INDArray dX = keep(live, reflectPad1Backward(bp[0]));
            free(live, bp[0]);
            if (DecoderWeights.UPSAMPLE_AFTER.contains(j - 1)) {
                dA = keep(live, upsampleBackward(dX));
                free(live, dX);
            } else {
                dA = dX;
            }
        }
        grads.forEach(live::remove); // handed to the caller
        return new Result(losses, grads);
    }

    /** {@code nn.Sqrt(1e-6)} of the Lua style loss as its CUDA kernel applies it (SEMANTICS §9.2). */
    static final double LUA_SQRT_EPS = 1e-6;

    private static boolean isStored(INDArray[] stored, INDArray x) {
        for (INDArray s : stored) {
            if (s == x) {
                return true;
            }
        }
        return false;
    }

    private static INDArray keep(Set<INDArray> live, INDArray a) {
        live.add(a);
        return a;
    }

    private void free(Set<INDArray> live, INDArray... arrays) {
        for (INDArray a : arrays) {
            if (a != null && live.remove(a)) {
                pool.give(a);
            }
        }
    }

    // ---------------------------------------------------------------- ops

    /** Stride-1 cross-correlation, zero padding {@code zeroPad}, kernel YXIO, optional bias; output from the pool. */
    private INDArray conv(INDArray x, INDArray kernel, INDArray bias, int zeroPad) {
        return GraphOps.conv2d(x, kernel, bias, zeroPad, layout, pool);
    }

    /** {@code conv2d_bp} of a 3×3 VALID conv: {input gradient, kernel gradient (YXIO), bias gradient}. */
    private INDArray[] convBackward(INDArray input, INDArray kernel, INDArray bias, INDArray gradOut) {
        INDArray gi = pool.take(input.shape());
        // the kernel and bias gradients go to the caller: never from the pool
        INDArray gw = Nd4j.createUninitialized(DataType.FLOAT, kernel.shape());
        INDArray gb = Nd4j.createUninitialized(DataType.FLOAT, bias.shape());
        DynamicCustomOp op = DynamicCustomOp.builder("conv2d_bp")
                .addInputs(input, kernel, bias, gradOut)
                .addOutputs(gi, gw, gb)
                // kH, kW, sH, sW, pH, pW, dH, dW, same mode, NHWC, weights format (0 = YXIO)
                .addIntegerArguments((int) kernel.size(0), (int) kernel.size(1), 1, 1, 0, 0, 1, 1, 0, nhwc(), 0)
                .build();
        Nd4j.exec(op);
        return new INDArray[] {gi, gw, gb};
    }

    /** In-place ReLU. */
    private static void relu(INDArray y) {
        Transforms.relu(y, false);
    }

    /** The gradient through a ReLU whose output was {@code activation}, written over {@code gradOut}. */
    private static INDArray reluBackward(INDArray activation, INDArray gradOut) {
        Nd4j.exec(DynamicCustomOp.builder("relu_bp").addInputs(activation, gradOut).addOutputs(gradOut)
                .addFloatingPointArguments(0.0).build());
        return gradOut;
    }

    /** The gradient through a 2×2/2 VALID max-pool of {@code input}. */
    private INDArray maxPoolBackward(INDArray input, INDArray gradOut) {
        INDArray gi = pool.take(input.shape());
        Nd4j.exec(DynamicCustomOp.builder("maxpool2d_bp").addInputs(input, gradOut).addOutputs(gi)
                // kH, kW, sH, sW, pH, pW, dH, dW, same mode, extra, NHWC
                .addIntegerArguments(2, 2, 2, 2, 0, 0, 1, 1, 0, 0, nhwc()).build());
        return gi;
    }

    private int nhwc() {
        return layout == Layout.NHWC ? 1 : 0;
    }

    /** The gradient through nearest ×2 upsampling: the sum over each 2×2 block. */
    private INDArray upsampleBackward(INDArray gradOut) {
        long n = gradOut.size(0);
        long c = gradOut.size(cAxis);
        long h = gradOut.size(hAxis) / 2;
        long w = gradOut.size(wAxis) / 2;
        INDArray blocks;
        INDArray out;
        if (layout == Layout.NHWC) {
            blocks = gradOut.reshape('c', n, h, 2, w, 2, c);
            out = blocks.sum(2, 4);
        } else {
            blocks = gradOut.reshape('c', n, c, h, 2, w, 2);
            out = blocks.sum(3, 5);
        }
        if (blocks != gradOut) {
            GraphOps.release(blocks);
        }
        return out;
    }

    /**
     * The gradient through reflection padding of 1 ({@link GraphOps#reflectPad1}): the centre, plus the padded
     * border rows/columns added onto the rows/columns they mirror (1 and n−2).
     */
    INDArray reflectPad1Backward(INDArray gradPadded) {
        long hp = gradPadded.size(hAxis);
        long wp = gradPadded.size(wAxis);
        long h = hp - 2;
        long w = wp - 2;
        INDArray rows = gradPadded.get(at(hAxis, NDArrayIndex.interval(1, h + 1))).dup('c');
        rows.get(at(hAxis, line(1))).addi(gradPadded.get(at(hAxis, line(0))));
        rows.get(at(hAxis, line(h - 2))).addi(gradPadded.get(at(hAxis, line(hp - 1))));
        INDArray out = rows.get(at(wAxis, NDArrayIndex.interval(1, w + 1))).dup('c');
        out.get(at(wAxis, line(1))).addi(rows.get(at(wAxis, line(0))));
        out.get(at(wAxis, line(w - 2))).addi(rows.get(at(wAxis, line(wp - 1))));
        rows.close();
        return out;
    }

    private static INDArrayIndex line(long i) {
        return NDArrayIndex.interval(i, i + 1);
    }

    /** All of a rank-4 array except {@code idx} on {@code axis}. */
    private static INDArrayIndex[] at(int axis, INDArrayIndex idx) {
        INDArrayIndex[] all = {NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all()};
        all[axis] = idx;
        return all;
    }

    @Override
    public void close() {
        GraphOps.release(preprocessBack);
        encoderBack.forEach(GraphOps::release);
    }
}
