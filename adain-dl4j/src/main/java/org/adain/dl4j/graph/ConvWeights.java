package org.adain.dl4j.graph;

import java.util.Objects;
import org.adain.spi.ConvLayer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One convolution's weights in the layout ND4J's conv2d runs best with: kernel {@code [kh, kw, in, out]}
 * (YXIO, a PyTorch OIHW kernel permuted (2, 3, 1, 0)) and bias {@code [out]}, float32, converted once.
 */
public final class ConvWeights implements AutoCloseable {
    private final String name;
    private final int inChannels;
    private final int outChannels;
    private final int kernelHeight;
    private final int kernelWidth;
    private final INDArray kernelYxio;
    private final INDArray bias;

    private ConvWeights(ConvLayer layer) {
        this.name = layer.name();
        this.inChannels = layer.inChannels();
        this.outChannels = layer.outChannels();
        this.kernelHeight = layer.kernelHeight();
        this.kernelWidth = layer.kernelWidth();
        INDArray oihw = Nd4j.create(layer.kernelOihw(),
                new long[] {outChannels, inChannels, kernelHeight, kernelWidth}, DataType.FLOAT);
        // dup('c') makes the permuted view a dense array, so conv2d never sees strides.
        this.kernelYxio = oihw.permute(2, 3, 1, 0).dup('c');
        oihw.close();
        this.bias = Nd4j.create(layer.bias(), new long[] {outChannels}, DataType.FLOAT);
    }

    /** Converts a layer's OIHW weights. */
    public static ConvWeights of(ConvLayer layer) {
        return new ConvWeights(Objects.requireNonNull(layer, "layer"));
    }

    public String name() {
        return name;
    }

    public int inChannels() {
        return inChannels;
    }

    public int outChannels() {
        return outChannels;
    }

    public int kernelHeight() {
        return kernelHeight;
    }

    public int kernelWidth() {
        return kernelWidth;
    }

    /** The kernel, {@code [kh, kw, in, out]}; owned by this object. */
    public INDArray kernelYxio() {
        return kernelYxio;
    }

    /** The bias, {@code [out]}; owned by this object. */
    public INDArray bias() {
        return bias;
    }

    /** Frees the native memory. Idempotent. */
    @Override
    public void close() {
        GraphOps.release(kernelYxio, bias);
    }

    @Override
    public String toString() {
        return "ConvWeights{" + name + " " + outChannels + "x" + inChannels + "x" + kernelHeight + "x" + kernelWidth
                + "}";
    }
}
