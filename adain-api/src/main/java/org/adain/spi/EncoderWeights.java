package org.adain.spi;

import java.util.List;
import java.util.Objects;
import org.adain.ModelException;

/**
 * The VGG-19 encoder up to relu4_1, as weights: nine 3×3 convolutions (conv1_1 … conv4_1) and, for
 * {@link EncoderKind#NORMALISED_VGG19}, the leading 1×1 preprocessing conv. The constructor checks the
 * topology (kernel sizes and how channels chain) and names the first layer at fault.
 *
 * <pre>{@code
 * EncoderWeights w = new EncoderWeights(EncoderKind.NORMALISED_VGG19, pre, convs, "vgg.h5");
 * int featureChannels = w.featureChannels(); // 512 for the real model
 * }</pre>
 */
public final class EncoderWeights {
    /** Names of the nine 3×3 convolutions, in order. */
    public static final List<String> CONV_NAMES = List.of("conv1_1", "conv1_2", "conv2_1", "conv2_2",
            "conv3_1", "conv3_2", "conv3_3", "conv3_4", "conv4_1");

    /** Indices into {@link #convs()} after whose ReLU the outputs relu1_1, relu2_1, relu3_1, relu4_1 are taken. */
    public static final List<Integer> RELU_TAPS = List.of(0, 2, 4, 8);

    /** Indices into {@link #convs()} after whose ReLU a 2×2/2 max-pool follows. */
    public static final List<Integer> POOL_AFTER = List.of(1, 3, 7);

    /** The names of the four feature taps, for messages and reference data. */
    public static final List<String> TAP_NAMES = List.of("relu1_1", "relu2_1", "relu3_1", "relu4_1");

    private final EncoderKind kind;
    private final ConvLayer preprocess;
    private final List<ConvLayer> convs;
    private final String source;

    /**
     * Checks the topology: the preprocessing conv present (1×1, 3→3) exactly for the normalised flavour, nine
     * 3×3 convolutions taking 3 channels first and then what the one before gives, and the width kept inside each
     * VGG block.
     *
     * @param kind       which VGG-19 flavour the weights are
     * @param preprocess the 1×1 conv 3→3, required for NORMALISED_VGG19 and null for KERAS_APPLICATIONS_VGG19
     * @param convs      the 3×3 convolutions conv1_1 … conv4_1 (9 layers)
     * @param source     where the weights came from (a file name), for messages
     * @throws ModelException the topology is wrong; the message names the source, the first layer at fault, its
     *                        role (e.g. conv3_1) and its shape
     */
    public EncoderWeights(EncoderKind kind, ConvLayer preprocess, List<ConvLayer> convs, String source) {
        this.kind = Objects.requireNonNull(kind, "kind");
        this.source = Objects.requireNonNull(source, "source");
        this.convs = List.copyOf(Objects.requireNonNull(convs, "convs"));
        this.preprocess = preprocess;
        validate();
    }

    private void validate() {
        if (kind == EncoderKind.NORMALISED_VGG19) {
            if (preprocess == null) {
                throw fail("the normalised VGG-19 needs its leading 1×1 preprocessing conv, none was found");
            }
            if (preprocess.kernelHeight() != 1 || preprocess.kernelWidth() != 1 || preprocess.inChannels() != 3
                    || preprocess.outChannels() != 3) {
                throw fail("layer '" + preprocess.name() + "' (preprocessing) has kernel shape "
                        + preprocess.shapeString() + ", expected [3, 3, 1, 1]");
            }
        } else if (preprocess != null) {
            throw fail("the Keras-applications VGG-19 has no preprocessing conv, but '" + preprocess.name()
                    + "' was given");
        }
        if (convs.size() != CONV_NAMES.size()) {
            throw fail("expected " + CONV_NAMES.size() + " 3×3 convolutions up to conv4_1 (" + CONV_NAMES
                    + "), found " + convs.size());
        }
        int in = 3;
        for (int i = 0; i < convs.size(); i++) {
            ConvLayer c = convs.get(i);
            String expectedRole = CONV_NAMES.get(i);
            if (c.kernelHeight() != 3 || c.kernelWidth() != 3) {
                throw fail("layer '" + c.name() + "' (" + expectedRole + ") has kernel shape " + c.shapeString()
                        + ", expected a 3×3 kernel");
            }
            if (c.inChannels() != in) {
                throw fail("layer '" + c.name() + "' (" + expectedRole + ") takes " + c.inChannels()
                        + " input channels, but the previous layer gives " + in);
            }
            boolean sameWidth = i == 1 || i == 3 || (i >= 5 && i <= 7);
            if (sameWidth && c.outChannels() != c.inChannels()) {
                throw fail("layer '" + c.name() + "' (" + expectedRole + ") maps " + c.inChannels() + "→"
                        + c.outChannels() + " channels; VGG-19 keeps the width inside a block");
            }
            in = c.outChannels();
        }
    }

    private ModelException fail(String what) {
        return new ModelException("Encoder weights from " + source + ": " + what);
    }

    /**
     * The VGG-19 flavour, which fixes padding, pooling and preprocessing.
     *
     * @return the kind given at construction
     */
    public EncoderKind kind() {
        return kind;
    }

    /**
     * The normalised flavour's leading conv. In the authors' model it turns RGB in [0, 1] into the
     * mean-subtracted BGR ×255 that VGG was trained on; a backend applies the stored weights, never constants.
     *
     * @return the 1×1 preprocessing conv, or null for the Keras-applications flavour
     */
    public ConvLayer preprocess() {
        return preprocess;
    }

    /**
     * The 3×3 convolutions.
     *
     * @return conv1_1 … conv4_1 (see {@link #CONV_NAMES}) in network order, unmodifiable
     */
    public List<ConvLayer> convs() {
        return convs;
    }

    /**
     * Where the weights came from.
     *
     * @return the source given at construction (a file name), for messages
     */
    public String source() {
        return source;
    }

    /**
     * Channels of the relu4_1 features the decoder takes.
     *
     * @return the output channels of conv4_1: 512 for the real VGG-19
     */
    public int featureChannels() {
        return convs.get(convs.size() - 1).outChannels();
    }

    /**
     * Channels of each feature tap.
     *
     * @return four numbers for relu1_1, relu2_1, relu3_1, relu4_1 (64, 128, 256, 512 for the real VGG-19); a new
     *         array each call
     */
    public int[] tapChannels() {
        return RELU_TAPS.stream().mapToInt(i -> convs.get(i).outChannels()).toArray();
    }
}
