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
 * {@code [N, 3, 8h, 8w]}, not clamped. Inside, the map is NHWC (permuted in and out); per conv {@code i}:
 * {@code reflect pad 1 → conv 3×3 (kernel "conv<i>_kernel" [3, 3, in, out], bias "conv<i>_bias" [out]) → relu}
 * (none after the last), nearest ×2 upsampling after convs 0, 4 and 6 (SEMANTICS §7).
 *
 * <p>Measured here at 64×64×512 → 512×512 on 2 threads: 0.9–1.0 s per decode (the backend's eager decoder 1.1 s,
 * bit-identical output), where the same graph in NCHW with ND4J's REFLECT pad took 5–6 s.
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
        SDVariable input = sd.placeHolder(INPUT, DataType.FLOAT, -1, weights.inputChannels(), -1, -1);
        // NHWC inside, as the backend's own decoder: oneDNN's convolutions run several times faster there
        SDVariable x = sd.permute(input, 0, 2, 3, 1);
        Conv2DConfig conv = Conv2DConfig.builder().kH(3).kW(3).sH(1).sW(1).pH(0).pW(0).dH(1).dW(1)
                .paddingMode(PaddingMode.VALID).dataFormat("NHWC").weightsFormat(WeightsFormat.YXIO).build();
        int last = DecoderWeights.CONV_COUNT - 1;
        for (int i = 0; i <= last; i++) {
            try (ConvWeights c = ConvWeights.of(weights.convs().get(i))) {
                SDVariable k = sd.var(kernelName(i), c.kernelYxio().dup());
                SDVariable b = sd.var(biasName(i), c.bias().dup());
                x = sd.cnn().conv2d(reflectPad1Nhwc(sd, x), k, b, conv);
            }
            if (i != last) {
                x = sd.nn().relu(x, 0.0);
            }
            if (DecoderWeights.UPSAMPLE_AFTER.contains(i)) {
                x = sd.cnn().upsampling2d(x, 2, 2, false);
            }
        }
        sd.permute(OUTPUT, x, 0, 3, 1, 2);
        return sd;
    }

    /**
     * Reflection padding of 1 on H and W of an NHWC map of any size (≥ 2×2): rows 1 and H−2 around it, then columns
     * 1 and W−2, by strided slices whose masked dimensions take the whole extent. ND4J's REFLECT pad gives the same
     * values but is several times slower.
     */
    private static SDVariable reflectPad1Nhwc(SameDiff sd, SDVariable x) {
        long[] one = {1, 1, 1, 1};
        int allButH = 1 | 4 | 8;
        int allButW = 1 | 2 | 8;
        SDVariable top = sd.stridedSlice(x, new long[] {0, 1, 0, 0}, new long[] {0, 2, 0, 0}, one, allButH, allButH,
                0, 0, 0);
        SDVariable bottom = sd.stridedSlice(x, new long[] {0, -2, 0, 0}, new long[] {0, -1, 0, 0}, one, allButH,
                allButH, 0, 0, 0);
        SDVariable rows = sd.concat(1, top, x, bottom);
        SDVariable left = sd.stridedSlice(rows, new long[] {0, 0, 1, 0}, new long[] {0, 0, 2, 0}, one, allButW,
                allButW, 0, 0, 0);
        SDVariable right = sd.stridedSlice(rows, new long[] {0, 0, -2, 0}, new long[] {0, 0, -1, 0}, one, allButW,
                allButW, 0, 0, 0);
        return sd.concat(2, left, rows, right);
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
