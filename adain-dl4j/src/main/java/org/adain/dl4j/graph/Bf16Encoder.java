package org.adain.dl4j.graph;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.adain.dl4j.graph.Bf16Chain.Conv;
import org.adain.dl4j.graph.Bf16Chain.Pad;
import org.adain.dl4j.graph.Bf16Chain.Pool;
import org.adain.dl4j.graph.Bf16Chain.Step;
import org.adain.spi.ConvLayer;
import org.adain.spi.EncoderKind;
import org.adain.spi.EncoderWeights;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@link VggEncoder}'s network (to relu4_1, both {@link EncoderKind}s, the same shapes and input checks) with
 * bfloat16 convolutions through oneDNN ({@link Dnnl}): the image is converted to bf16 NHWC once, every layer keeps
 * bf16 NHWC maps, bias and ReLU are fused into each convolution, max-pooling is oneDNN's (ceil mode for the
 * normalised encoder, floor for Keras), reflection padding is a row copy ({@link Bf16Ops}). The Keras flavour's
 * padding to a multiple of 8 and Caffe preprocessing run in float32 first, exactly as in {@link VggEncoder}.
 * relu4_1 comes back as float32 NCHW. Inference only: for training and the loss taps use {@link VggEncoder}.
 *
 * <p>Primitives are kept for the last few input shapes ({@link #DEFAULT_SHAPES}); {@link #close()} frees all
 * native memory. Not thread-safe. Needs a CPU with AVX-512 ({@link Dnnl#bf16Support()}): the constructor throws
 * {@link IllegalStateException} naming the CPU's ISA otherwise.
 *
 * <pre>{@code
 * try (Bf16Encoder enc = new Bf16Encoder(weights)) {
 *     INDArray relu41 = enc.encode(images);
 * }
 * }</pre>
 */
public final class Bf16Encoder implements AutoCloseable {
    /** Input shapes whose primitives are kept by default. */
    public static final int DEFAULT_SHAPES = 4;

    private final EncoderKind kind;
    private final int featureChannels;
    private final INDArray caffeMean;
    private final Bf16Chain chain;

    /**
     * Converts the weights to bf16 once, keeping the primitives of {@link #DEFAULT_SHAPES} input shapes and the map
     * buffers of the largest input seen.
     */
    public Bf16Encoder(EncoderWeights weights) {
        this(weights, DEFAULT_SHAPES, Long.MAX_VALUE);
    }

    /**
     * As {@link #Bf16Encoder(EncoderWeights)}, keeping at most {@code keepBytes} of map buffers between calls (a
     * larger input's are freed after its call).
     */
    public Bf16Encoder(EncoderWeights weights, long keepBytes) {
        this(weights, DEFAULT_SHAPES, keepBytes);
    }

    Bf16Encoder(EncoderWeights weights, int maxShapes, long keepBytes) {
        Objects.requireNonNull(weights, "weights");
        this.kind = weights.kind();
        int last = EncoderWeights.RELU_TAPS.get(EncoderWeights.RELU_TAPS.size() - 1);
        List<ConvLayer> layers = new ArrayList<>();
        List<Step> steps = new ArrayList<>();
        boolean normalised = kind == EncoderKind.NORMALISED_VGG19;
        if (normalised) {
            layers.add(weights.preprocess());
            steps.add(new Conv(0, 0, false, false));
        }
        for (int i = 0; i <= last; i++) {
            int layer = layers.size();
            layers.add(weights.convs().get(i));
            if (normalised) {
                steps.add(new Pad(false));
                steps.add(new Conv(layer, 0, true, false));
            } else {
                steps.add(new Conv(layer, 1, true, false));
            }
            if (EncoderWeights.POOL_AFTER.contains(i)) {
                steps.add(new Pool(normalised));
            }
        }
        this.featureChannels = weights.convs().get(last).outChannels();
        this.caffeMean = normalised ? null
                : Nd4j.create(EncoderKind.CAFFE_BGR_MEAN, new long[] {1, 3, 1, 1}, DataType.FLOAT);
        try {
            this.chain = new Bf16Chain(layers, steps, maxShapes, keepBytes);
        } catch (RuntimeException | Error e) {
            GraphOps.release(caffeMean);
            throw e;
        }
    }

    public EncoderKind kind() {
        return kind;
    }

    /** Channels of relu4_1. */
    public int featureChannels() {
        return featureChannels;
    }

    /** relu4_1 of the float32 N×3×H×W images, N×C×ceil(H/8)×ceil(W/8) float32; the images are not modified. */
    public INDArray encode(INDArray images) {
        VggEncoder.requireImages(images);
        chain.requireOpen();
        if (kind == EncoderKind.NORMALISED_VGG19) {
            return chain.run(images);
        }
        INDArray x = VggEncoder.kerasInput(images, caffeMean);
        try {
            return chain.run(x);
        } finally {
            GraphOps.release(x);
        }
    }

    /** The input shapes whose primitives are kept, least recently used first. */
    List<List<Long>> cachedShapes() {
        return chain.cachedShapes();
    }

    /** Shapes whose primitives were built (cache misses). */
    long plansBuilt() {
        return chain.plansBuilt();
    }

    /** Frees the kept map buffers; the next encode allocates them again. */
    public void releaseBuffers() {
        chain.releaseBuffers();
    }

    /** Frees the weights, primitives and buffers. Idempotent. */
    @Override
    public void close() {
        chain.close();
        GraphOps.release(caffeMean);
    }
}
