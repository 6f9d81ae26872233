package org.adain.dl4j.graph;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.adain.dl4j.graph.Bf16Chain.Conv;
import org.adain.dl4j.graph.Bf16Chain.Pad;
import org.adain.dl4j.graph.Bf16Chain.Step;
import org.adain.spi.DecoderWeights;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@link AdainDecoder}'s network (the same shapes and input checks) with bfloat16 convolutions through oneDNN
 * ({@link Dnnl}): the features are converted to bf16 NHWC once, each reflection-padded map is a row copy (the
 * upsampled ones written straight into their padded map, {@link Bf16Ops}), bias and ReLU are fused into each
 * convolution, and the last convolution writes float32, returned as an N×3×8h×8w NCHW image (not clamped).
 *
 * <p>Primitives are kept for the last few input shapes ({@link Bf16Encoder#DEFAULT_SHAPES}); {@link #close()} frees
 * all native memory. Not thread-safe. Needs a CPU with AVX-512 ({@link Dnnl#bf16Support()}): the constructor throws
 * {@link IllegalStateException} naming the CPU's ISA otherwise.
 *
 * <pre>{@code
 * try (Bf16Decoder dec = new Bf16Decoder(weights)) {
 *     INDArray image = dec.decode(features);
 * }
 * }</pre>
 */
public final class Bf16Decoder implements AutoCloseable {
    private final int inputChannels;
    private final Bf16Chain chain;

    /**
     * Converts the weights to bf16 once, keeping the primitives of {@link Bf16Encoder#DEFAULT_SHAPES} input shapes and
     * the map buffers of the largest input seen.
     */
    public Bf16Decoder(DecoderWeights weights) {
        this(weights, Bf16Encoder.DEFAULT_SHAPES, Long.MAX_VALUE);
    }

    /**
     * As {@link #Bf16Decoder(DecoderWeights)}, keeping at most {@code keepBytes} of map buffers between calls (a
     * larger input's are freed after its call).
     */
    public Bf16Decoder(DecoderWeights weights, long keepBytes) {
        this(weights, Bf16Encoder.DEFAULT_SHAPES, keepBytes);
    }

    Bf16Decoder(DecoderWeights weights, int maxShapes, long keepBytes) {
        Objects.requireNonNull(weights, "weights");
        int last = weights.convs().size() - 1;
        List<Step> steps = new ArrayList<>();
        steps.add(new Pad(false));
        for (int i = 0; i < last; i++) {
            steps.add(new Conv(i, 0, true, false));
            steps.add(new Pad(DecoderWeights.UPSAMPLE_AFTER.contains(i)));
        }
        steps.add(new Conv(last, 0, false, true));
        this.inputChannels = weights.convs().get(0).inChannels();
        this.chain = new Bf16Chain(weights.convs(), steps, maxShapes, keepBytes);
    }

    /** Channels the decoder takes. */
    public int inputChannels() {
        return inputChannels;
    }

    /** The float32 image, N×3×8h×8w, of float32 N×C×h×w features; the features are not modified. */
    public INDArray decode(INDArray features) {
        AdainDecoder.requireFeatures(features, inputChannels);
        return chain.run(features);
    }

    /** The input shapes whose primitives are kept, least recently used first. */
    List<List<Long>> cachedShapes() {
        return chain.cachedShapes();
    }

    /** Shapes whose primitives were built (cache misses). */
    long plansBuilt() {
        return chain.plansBuilt();
    }

    /** Bytes of map buffers kept between calls. */
    long bufferBytes() {
        return chain.bufferBytes();
    }

    /** Frees the kept map buffers; the next decode allocates them again. */
    public void releaseBuffers() {
        chain.releaseBuffers();
    }

    /** Frees the weights, primitives and buffers. Idempotent. */
    @Override
    public void close() {
        chain.close();
    }
}
