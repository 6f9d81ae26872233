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

    /** Copies both arrays. */
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

    public String name() {
        return name;
    }

    public int outChannels() {
        return outChannels;
    }

    public int inChannels() {
        return inChannels;
    }

    public int kernelHeight() {
        return kernelHeight;
    }

    public int kernelWidth() {
        return kernelWidth;
    }

    /** A copy of the kernel, OIHW. */
    public float[] kernelOihw() {
        return kernel.clone();
    }

    /** A copy of the bias. */
    public float[] bias() {
        return bias.clone();
    }

    /** "[out, in, kh, kw]", for messages. */
    public String shapeString() {
        return "[" + outChannels + ", " + inChannels + ", " + kernelHeight + ", " + kernelWidth + "]";
    }

    @Override
    public String toString() {
        return "ConvLayer{" + name + " " + shapeString() + "}";
    }
}
