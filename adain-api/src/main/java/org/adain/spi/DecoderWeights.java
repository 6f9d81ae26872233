package org.adain.spi;

import java.util.List;
import java.util.Objects;
import org.adain.ModelException;

/**
 * The AdaIN decoder as weights: nine 3×3 convolutions mirroring the encoder, each preceded by reflection
 * padding of 1, with ReLU after all but the last, and a nearest ×2 upsampling after convs 0, 4 and 6.
 * Layer names carry no meaning: the topology is checked by order and shape.
 *
 * <pre>{@code
 * DecoderWeights d = new DecoderWeights(convs, "decoder.h5");
 * d.checkFits(encoderWeights); // decoder input channels == relu4_1 channels
 * }</pre>
 */
public final class DecoderWeights {
    /** Number of 3×3 convolutions. */
    public static final int CONV_COUNT = 9;

    /** Indices into {@link #convs()} after whose ReLU a nearest ×2 upsampling follows. */
    public static final List<Integer> UPSAMPLE_AFTER = List.of(0, 4, 6);

    private final List<ConvLayer> convs;
    private final String source;

    /**
     * Checks the topology: {@value #CONV_COUNT} convolutions with 3×3 kernels, each taking the channels the one
     * before gives, the last giving 3 (RGB).
     *
     * @param convs  the convolutions in network order, from the relu4_1 features to the image (copied)
     * @param source where the weights came from (a file name), for messages
     * @throws ModelException the topology is wrong; the message names the source, the first conv at fault and
     *                        its shape
     */
    public DecoderWeights(List<ConvLayer> convs, String source) {
        this.convs = List.copyOf(Objects.requireNonNull(convs, "convs"));
        this.source = Objects.requireNonNull(source, "source");
        validate();
    }

    private void validate() {
        if (convs.size() != CONV_COUNT) {
            throw fail("expected " + CONV_COUNT + " 3×3 convolutions, found " + convs.size());
        }
        for (int i = 0; i < convs.size(); i++) {
            ConvLayer c = convs.get(i);
            if (c.kernelHeight() != 3 || c.kernelWidth() != 3) {
                throw fail("conv " + i + " ('" + c.name() + "') has kernel shape " + c.shapeString()
                        + ", expected a 3×3 kernel");
            }
            if (i > 0 && c.inChannels() != convs.get(i - 1).outChannels()) {
                throw fail("conv " + i + " ('" + c.name() + "') takes " + c.inChannels()
                        + " input channels, but the previous conv gives " + convs.get(i - 1).outChannels());
            }
        }
        ConvLayer last = convs.get(CONV_COUNT - 1);
        if (last.outChannels() != 3) {
            throw fail("the last conv ('" + last.name() + "') gives " + last.outChannels()
                    + " channels, an RGB decoder must give 3");
        }
    }

    private ModelException fail(String what) {
        return new ModelException("Decoder weights from " + source + ": " + what);
    }

    /**
     * The convolutions, each preceded by reflection padding of 1 (see the class description).
     *
     * @return the {@value #CONV_COUNT} layers in network order, unmodifiable
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
     * Channels the decoder takes.
     *
     * @return the input channels of the first conv: 512 for the real model
     */
    public int inputChannels() {
        return convs.get(0).inChannels();
    }

    /**
     * Checks that this decoder can decode the encoder's relu4_1 features.
     *
     * @param encoder the encoder whose features this decoder is meant to decode
     * @throws ModelException the decoder takes another number of channels than the encoder gives at relu4_1 (the
     *                        message names both files and both numbers)
     */
    public void checkFits(EncoderWeights encoder) {
        if (inputChannels() != encoder.featureChannels()) {
            throw new ModelException("Decoder " + source + " takes " + inputChannels()
                    + " feature channels but encoder " + encoder.source() + " gives " + encoder.featureChannels()
                    + " at relu4_1; use the decoder trained for this encoder");
        }
    }
}
