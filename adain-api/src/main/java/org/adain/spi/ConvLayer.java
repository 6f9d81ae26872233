package org.adain.spi;

import java.util.Objects;
import org.adain.ModelException;

/**
 * The weights of one 2-D convolution in PyTorch's layout: kernel {@code [out][in][kh][kw]} (OIHW),
 * bias {@code [out]}. Readers of every weight format convert to this layout, so backends see one.
 * Construction rejects wrong lengths and NaN/Inf values, naming the layer and its source.
 *
 * <pre>{@code
 * ConvLayer c = new ConvLayer("block1_conv1", 64, 3, 3, 3, kernelOihw, bias);
 * }</pre>
 */
public final class ConvLayer {
    private final String name;
    private final int outChannels;
    private final int inChannels;
    private final int kernelHeight;
    private final int kernelWidth;
    private final float[] kernel;
    private final float[] bias;

    /**
     * Checks and copies a convolution's weights.
     *
     * @param name         the layer's name in its source (e.g. {@code block1_conv1} in a Keras file,
     *                     {@code module 2} in a PyTorch state dict), for messages only: layers are identified by
     *                     their order
     * @param outChannels  output channels (filters), ≥ 1
     * @param inChannels   input channels, ≥ 1
     * @param kernelHeight kernel rows, ≥ 1
     * @param kernelWidth  kernel columns, ≥ 1
     * @param kernelOihw   {@code outChannels·inChannels·kernelHeight·kernelWidth} values in OIHW order (copied)
     * @param bias         {@code outChannels} values (copied)
     * @throws org.adain.ModelException a dimension is not positive, an array has the wrong length, or a value is
     *                                  NaN or infinite (the message names the layer and the value's index)
     */
    public ConvLayer(String name, int outChannels, int inChannels, int kernelHeight, int kernelWidth,
            float[] kernelOihw, float[] bias) {
        this.name = Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kernelOihw, "kernel");
        Objects.requireNonNull(bias, "bias");
        if (outChannels <= 0 || inChannels <= 0 || kernelHeight <= 0 || kernelWidth <= 0) {
            throw new ModelException("Layer '" + name + "': invalid kernel shape [" + outChannels + ", "
                    + inChannels + ", " + kernelHeight + ", " + kernelWidth + "]");
        }
        long expected = (long) outChannels * inChannels * kernelHeight * kernelWidth;
        if (kernelOihw.length != expected) {
            throw new ModelException("Layer '" + name + "': kernel has " + kernelOihw.length
                    + " values, shape [" + outChannels + ", " + inChannels + ", " + kernelHeight + ", "
                    + kernelWidth + "] needs " + expected);
        }
        if (bias.length != outChannels) {
            throw new ModelException("Layer '" + name + "': bias has " + bias.length + " values, expected "
                    + outChannels);
        }
        checkFinite(name, "kernel", kernelOihw);
        checkFinite(name, "bias", bias);
        this.outChannels = outChannels;
        this.inChannels = inChannels;
        this.kernelHeight = kernelHeight;
        this.kernelWidth = kernelWidth;
        this.kernel = kernelOihw.clone();
        this.bias = bias.clone();
    }

    private static void checkFinite(String layer, String what, float[] values) {
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                throw new ModelException("Layer '" + layer + "': " + what + " value " + i + " is " + values[i]
                        + "; the weights are corrupt (NaN/Inf are never valid weights)");
            }
        }
    }

    /**
     * The layer's name in its source file, for messages.
     *
     * @return the name given at construction
     */
    public String name() {
        return name;
    }

    /**
     * Output channels (the number of filters).
     *
     * @return O of OIHW, ≥ 1
     */
    public int outChannels() {
        return outChannels;
    }

    /**
     * Input channels.
     *
     * @return I of OIHW, ≥ 1
     */
    public int inChannels() {
        return inChannels;
    }

    /**
     * Kernel rows.
     *
     * @return H of OIHW: 3 for the VGG and decoder convolutions, 1 for the preprocessing conv
     */
    public int kernelHeight() {
        return kernelHeight;
    }

    /**
     * Kernel columns.
     *
     * @return W of OIHW: 3 for the VGG and decoder convolutions, 1 for the preprocessing conv
     */
    public int kernelWidth() {
        return kernelWidth;
    }

    /**
     * The kernel, with element {@code [o][i][y][x]} at {@code ((o·I + i)·H + y)·W + x}.
     *
     * @return a copy of the kernel in OIHW order, all values finite
     */
    public float[] kernelOihw() {
        return kernel.clone();
    }

    /**
     * The bias, one value per output channel.
     *
     * @return a copy of the bias, {@link #outChannels()} finite values
     */
    public float[] bias() {
        return bias.clone();
    }

    /**
     * The kernel shape for messages.
     *
     * @return {@code "[out, in, kh, kw]"} with the numbers filled in, e.g. {@code "[64, 3, 3, 3]"}
     */
    public String shapeString() {
        return "[" + outChannels + ", " + inChannels + ", " + kernelHeight + ", " + kernelWidth + "]";
    }

    @Override
    public String toString() {
        return "ConvLayer{" + name + " " + shapeString() + "}";
    }
}
