package org.adain.dl4j.train;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.adain.dl4j.graph.ConvWeights;
import org.adain.spi.DecoderWeights;
import org.adain.spi.EncoderKind;
import org.adain.spi.EncoderWeights;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.enums.WeightsFormat;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.Pooling2D;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Pooling2DConfig;

/**
 * Test reference: the differentiable half of a training step as a SameDiff autodiff graph for one input shape —
 * the decoder (its convs as trainable variables, kernels {@code [kh, kw, in, out]}) applied to the AdaIN target
 * {@code t}, the frozen encoder (constants) applied to the decoded image {@code g}, and the loss of SEMANTICS §9.1
 * against placeholders for {@code t} and the style statistics. Its gradients come from SameDiff's own autodiff, so
 * it checks the hand-written backward pass of {@link LossBackprop} independently.
 *
 * <p>This was the first implementation of the backend; it is exact but SameDiff spends seconds of Java-side graph
 * bookkeeping per call (measured ~4 s per step for a toy model) and keeps every intermediate alive, so production
 * uses {@link LossBackprop}. Reflection padding is slices + concat (ND4J's REFLECT pad has a wrong backward
 * pass); convolutions use the YXIO weight format; the shape is fixed because the slices are.
 */
final class SameDiffLossGraph {
    static final String TARGET = "target";
    static final String CONTENT = "loss_content";
    static final String TOTAL = "loss_total";

    private static final Pooling2DConfig MAX_POOL_2X2 = Pooling2DConfig.builder()
            .kH(2).kW(2).sH(2).sW(2).pH(0).pW(0).dH(1).dW(1)
            .type(Pooling2D.Pooling2DType.MAX).paddingMode(PaddingMode.VALID).isNHWC(false)
            .build();

    private final SameDiff sd;
    private final long n;
    private final long h;
    private final long w;
    private final List<String> paramNames;

    static String styleMean(int layer) {
        return "style_mean_" + layer;
    }

    static String styleStd(int layer) {
        return "style_std_" + layer;
    }

    static String styleTerm(int layer) {
        return "loss_style_" + layer;
    }

    static String kernelName(int conv) {
        return "dec" + conv + "_kernel";
    }

    static String biasName(int conv) {
        return "dec" + conv + "_bias";
    }

    /**
     * @param encoder     the frozen encoder (constants)
     * @param preprocess  the encoder's input conv 3→3 (1×1): the stored one, or the Caffe preprocessing as a conv
     * @param kernels     the decoder kernels {@code [3, 3, in, out]}, used as the variables' arrays
     * @param biases      the decoder biases
     * @param n           batch size
     * @param h           height of the target t (relu4_1)
     * @param w           width of t
     */
    SameDiffLossGraph(EncoderKind kind, List<ConvWeights> encoder, ConvWeights preprocess, List<INDArray> kernels,
            List<INDArray> biases, double contentWeight, double styleWeight, long n, long h, long w) {
        this.n = n;
        this.h = h;
        this.w = w;
        this.sd = SameDiff.create();
        List<String> names = new ArrayList<>();
        long featureChannels = kernels.get(0).size(2);
        SDVariable target = sd.placeHolder(TARGET, DataType.FLOAT, n, featureChannels, h, w);

        // ---- decoder g(t)
        SDVariable x = target;
        long ch = featureChannels;
        long hh = h;
        long ww = w;
        int last = DecoderWeights.CONV_COUNT - 1;
        for (int i = 0; i <= last; i++) {
            SDVariable k = sd.var(kernelName(i), kernels.get(i));
            SDVariable b = sd.var(biasName(i), biases.get(i));
            names.add(kernelName(i));
            names.add(biasName(i));
            x = reflectPad1(x, ch, hh, ww);
            x = sd.cnn().conv2d(x, k, b, conv(3, 0));
            ch = kernels.get(i).size(3);
            if (i != last) {
                x = sd.nn().relu(x, 0.0);
            }
            if (DecoderWeights.UPSAMPLE_AFTER.contains(i)) {
                x = sd.cnn().upsampling2d(x, 2, 2, true);
                hh *= 2;
                ww *= 2;
            }
        }

        // ---- frozen encoder on g
        boolean reflect = kind == EncoderKind.NORMALISED_VGG19;
        x = sd.cnn().conv2d(x, sd.constant("enc_pre_kernel", preprocess.kernelYxio()),
                sd.constant("enc_pre_bias", preprocess.bias()), conv(1, 0));
        List<SDVariable> taps = new ArrayList<>(4);
        List<Long> tapChannels = new ArrayList<>(4);
        int lastEnc = EncoderWeights.RELU_TAPS.get(EncoderWeights.RELU_TAPS.size() - 1);
        for (int i = 0; i <= lastEnc; i++) {
            ConvWeights c = encoder.get(i);
            SDVariable k = sd.constant("enc" + i + "_kernel", c.kernelYxio());
            SDVariable b = sd.constant("enc" + i + "_bias", c.bias());
            if (reflect) {
                x = sd.cnn().conv2d(reflectPad1(x, ch, hh, ww), k, b, conv(3, 0));
            } else {
                x = sd.cnn().conv2d(x, k, b, conv(3, 1));
            }
            ch = c.outChannels();
            x = sd.nn().relu(x, 0.0);
            if (EncoderWeights.RELU_TAPS.contains(i)) {
                taps.add(x);
                tapChannels.add(ch);
            }
            if (EncoderWeights.POOL_AFTER.contains(i)) {
                if (hh % 2 != 0 || ww % 2 != 0) {
                    throw new IllegalStateException("odd map " + hh + "×" + ww + " before pooling in the loss graph");
                }
                x = sd.cnn().maxPooling2d(x, MAX_POOL_2X2);
                hh /= 2;
                ww /= 2;
            }
        }

        // ---- loss
        SDVariable content = sd.mean(CONTENT, sd.math().squaredDifference(taps.get(3), target));
        SDVariable style = null;
        for (int i = 0; i < taps.size(); i++) {
            SDVariable f = taps.get(i);
            long c = tapChannels.get(i);
            SDVariable mean = sd.mean(f, true, 2, 3);
            SDVariable std = sd.math().sqrt(sd.variance(f, true, true, 2, 3).add(1e-5));
            SDVariable sm = sd.placeHolder(styleMean(i), DataType.FLOAT, n, c, 1, 1);
            SDVariable ss = sd.placeHolder(styleStd(i), DataType.FLOAT, n, c, 1, 1);
            SDVariable term = sd.mean(sd.math().squaredDifference(mean, sm))
                    .add(styleTerm(i), sd.mean(sd.math().squaredDifference(std, ss)));
            style = style == null ? term : style.add(term);
        }
        content.mul(contentWeight).add(TOTAL, style.mul(styleWeight));
        sd.setLossVariables(TOTAL);
        this.paramNames = List.copyOf(names);
    }

    private static Conv2DConfig conv(int k, int zeroPad) {
        return Conv2DConfig.builder().kH(k).kW(k).sH(1).sW(1).pH(zeroPad).pW(zeroPad).dH(1).dW(1)
                .paddingMode(PaddingMode.VALID).dataFormat("NCHW").weightsFormat(WeightsFormat.YXIO).build();
    }

    /** Reflection padding of 1 without repeating the edge: rows 1 and H−2 around x, then columns 1 and W−2. */
    private SDVariable reflectPad1(SDVariable x, long c, long hh, long ww) {
        int ni = (int) n;
        int ci = (int) c;
        int hi = (int) hh;
        int wi = (int) ww;
        SDVariable top = sd.slice(x, new int[] {0, 0, 1, 0}, ni, ci, 1, wi);
        SDVariable bottom = sd.slice(x, new int[] {0, 0, hi - 2, 0}, ni, ci, 1, wi);
        SDVariable rows = sd.concat(2, top, x, bottom);
        SDVariable left = sd.slice(rows, new int[] {0, 0, 0, 1}, ni, ci, hi + 2, 1);
        SDVariable right = sd.slice(rows, new int[] {0, 0, 0, wi - 2}, ni, ci, hi + 2, 1);
        return sd.concat(3, left, rows, right);
    }

    boolean fits(long batch, long height, long width) {
        return batch == n && height == h && width == w;
    }

    /** The current array of a decoder parameter (a variable's array: updating it in place trains). */
    INDArray param(String name) {
        return sd.getArrForVarName(name);
    }

    List<String> paramNames() {
        return paramNames;
    }

    /**
     * One forward and backward pass: the loss terms ({@link #CONTENT}, {@link #styleTerm}, {@link #TOTAL}) and
     * the gradient of {@link #TOTAL} for every decoder parameter, by name.
     */
    OutAndGrad run(INDArray target, List<INDArray> styleMeans, List<INDArray> styleStds) {
        Map<String, INDArray> ph = new HashMap<>();
        ph.put(TARGET, target);
        for (int i = 0; i < styleMeans.size(); i++) {
            ph.put(styleMean(i), styleMeans.get(i));
            ph.put(styleStd(i), styleStds.get(i));
        }
        List<String> outputs = new ArrayList<>(List.of(CONTENT, TOTAL));
        for (int i = 0; i < styleMeans.size(); i++) {
            outputs.add(styleTerm(i));
        }
        return sd.calculateGradientsAndOutputs(ph, outputs, paramNames);
    }
}
