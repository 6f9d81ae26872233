package org.adain.dl4j.modelimport;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.adain.ModelException;
import org.adain.dl4j.graph.ConvWeights;
import org.adain.spi.ConvLayer;
import org.adain.spi.DecoderWeights;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.enums.PadMode;
import org.nd4j.enums.WeightsFormat;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;

/**
 * The one place that knows the layout of the decoder as a SameDiff graph (DL4J's native graph format): names,
 * shapes and ops shared by {@link SameDiffWeightsWriter} and {@link SameDiffWeightsReader}.
 *
 * <p>Placeholder {@value #INPUT}: float32 {@code [N, C, h, w]} (NCHW, any N, h, w ≥ 2); output {@value #OUTPUT}:
 * {@code [N, 3, 8h, 8w]}, not clamped. Per conv {@code i}: {@code reflect pad 1 → conv 3×3 (kernel
 * "conv<i>_kernel" [3, 3, in, out], bias "conv<i>_bias" [out]) → relu} (none after the last), nearest ×2
 * upsampling after convs 0, 4 and 6 (SEMANTICS §7). The ND4J reflect pad is used because its forward pass is
 * exact; its backward pass is not (ND4J-NOTES), so a file is for inference, not for training in SameDiff.
 */
final class SameDiffDecoderGraph {
    /** Name of the feature placeholder. */
    static final String INPUT = "features";
    /** Name of the image output. */
    static final String OUTPUT = "image";
    /** A constant every file we write carries; its value is the layout version. */
    static final String MARKER = "adain_decoder_format";
    static final int VERSION = 1;

    private SameDiffDecoderGraph() {
    }

    static String kernelName(int conv) {
        return "conv" + conv + "_kernel";
    }

    static String biasName(int conv) {
        return "conv" + conv + "_bias";
    }

    /** The decoder as a SameDiff graph whose variables hold copies of the weights. */
    static SameDiff build(DecoderWeights weights) {
        SameDiff sd = SameDiff.create();
        sd.constant(MARKER, Nd4j.scalar(VERSION));
        SDVariable x = sd.placeHolder(INPUT, DataType.FLOAT, -1, weights.inputChannels(), -1, -1);
        SDVariable pads = sd.constant("reflect_pad_1", Nd4j.createFromArray(new int[][] {{0, 0}, {0, 0}, {1, 1},
                {1, 1}}));
        Conv2DConfig conv = Conv2DConfig.builder().kH(3).kW(3).sH(1).sW(1).pH(0).pW(0).dH(1).dW(1)
                .paddingMode(PaddingMode.VALID).dataFormat("NCHW").weightsFormat(WeightsFormat.YXIO).build();
        int last = DecoderWeights.CONV_COUNT - 1;
        for (int i = 0; i <= last; i++) {
            try (ConvWeights c = ConvWeights.of(weights.convs().get(i))) {
                SDVariable k = sd.var(kernelName(i), c.kernelYxio().dup());
                SDVariable b = sd.var(biasName(i), c.bias().dup());
                x = sd.cnn().conv2d(sd.nn().pad(x, pads, PadMode.REFLECT, 0.0), k, b, conv);
            }
            if (i != last) {
                x = sd.nn().relu(x, 0.0);
            }
            if (DecoderWeights.UPSAMPLE_AFTER.contains(i)) {
                x = sd.cnn().upsampling2d(x, 2, 2, true);
            }
        }
        sd.identity(OUTPUT, x);
        return sd;
    }

    /**
     * The weights of a graph written by {@link #build}; a {@link ModelException} naming {@code file} and the
     * variable when it is not one.
     */
    static DecoderWeights weights(SameDiff sd, String file) {
        if (!sd.hasVariable(MARKER)) {
            throw new ModelException(file + ": is a SameDiff graph but not an AdaIN decoder written by adain (no "
                    + "variable '" + MARKER + "'); only decoders exported by adain are read, since the layer order of "
                    + "other graphs is unknown. Convert the decoder from its original file instead");
        }
        INDArray marker = sd.getArrForVarName(MARKER);
        if (marker == null || marker.length() != 1 || marker.getInt(0) != VERSION) {
            throw new ModelException(file + ": has decoder layout version " + (marker == null ? "none"
                    : marker.toString()) + ", this version of adain reads version " + VERSION);
        }
        List<ConvLayer> convs = new ArrayList<>(DecoderWeights.CONV_COUNT);
        for (int i = 0; i < DecoderWeights.CONV_COUNT; i++) {
            INDArray k = array(sd, kernelName(i), file);
            INDArray b = array(sd, biasName(i), file);
            long[] ks = k.shape();
            if (k.rank() != 4 || b.rank() != 1 || ks[3] != b.length()) {
                throw new ModelException(file + ": variable '" + kernelName(i) + "' has shape " + Arrays.toString(ks)
                        + " and '" + biasName(i) + "' " + Arrays.toString(b.shape())
                        + "; expected [kh, kw, in, out] and [out]");
            }
            // YXIO → OIHW, as every reader hands weights over
            float[] oihw = k.castTo(DataType.FLOAT).permute(3, 2, 0, 1).dup('c').data().asFloat();
            float[] bias = b.castTo(DataType.FLOAT).dup('c').data().asFloat();
            convs.add(new ConvLayer(kernelName(i), (int) ks[3], (int) ks[2], (int) ks[0], (int) ks[1], oihw, bias));
        }
        return new DecoderWeights(convs, file);
    }

    private static INDArray array(SameDiff sd, String name, String file) {
        INDArray a = sd.hasVariable(name) ? sd.getArrForVarName(name) : null;
        if (a == null) {
            throw new ModelException(file + ": the decoder graph lacks the variable '" + name + "'");
        }
        return a;
    }
}
