package org.adain.dl4j.graph;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.adain.dl4j.graph.GraphOps.Layout;
import org.adain.spi.ConvLayer;
import org.adain.spi.DecoderWeights;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The AdaIN decoder as eager ND4J ops (SEMANTICS §7): nine times reflection pad 1 + 3×3 conv, ReLU after all
 * but the last conv, nearest ×2 upsampling after the convs in {@link DecoderWeights#UPSAMPLE_AFTER}. An h×w
 * feature map gives an 8h×8w image, not clamped. Input N×C×h×w float32 (h, w ≥ 2), never modified.
 *
 * <pre>{@code
 * try (AdainDecoder dec = new AdainDecoder(weights)) {
 *     INDArray image = dec.decode(features);
 * }
 * }</pre>
 */
public final class AdainDecoder implements AutoCloseable {
    private final List<ConvWeights> convs;
    private final BufferPool pool;

    /** Converts the weights to ND4J arrays once; allocates every intermediate anew. */
    public AdainDecoder(DecoderWeights weights) {
        this(weights, BufferPool.NONE);
    }

    /**
     * Converts the weights to ND4J arrays once; intermediates come from and go back to {@code pool}, which the
     * caller owns and which must not be used by another thread during {@link #decode}.
     */
    public AdainDecoder(DecoderWeights weights, BufferPool pool) {
        Objects.requireNonNull(weights, "weights");
        this.pool = Objects.requireNonNull(pool, "pool");
        List<ConvWeights> list = new ArrayList<>();
        try {
            for (ConvLayer c : weights.convs()) {
                list.add(ConvWeights.of(c));
            }
        } catch (RuntimeException | Error e) {
            list.forEach(ConvWeights::close);
            throw e;
        }
        this.convs = List.copyOf(list);
    }

    /** Channels the decoder takes. */
    public int inputChannels() {
        return convs.get(0).inChannels();
    }

    /** The image, N×3×8h×8w. */
    public INDArray decode(INDArray features) {
        requireFeatures(features, inputChannels());
        // NHWC inside (oneDNN's convolutions are faster there); the input features and the 3-channel output are
        // converted. Each conv's input is padded as it is made: an upsampled map goes straight into the interior of
        // its padded array (GraphOps.upsampleNearest2ReflectPad1), which saves a full-size intermediate per stage.
        INDArray nhwc = GraphOps.toLayout(features, Layout.NCHW, Layout.NHWC);
        INDArray x;
        try {
            x = GraphOps.reflectPad1(nhwc, Layout.NHWC, pool);
        } finally {
            pool.give(nhwc);
        }
        int last = convs.size() - 1;
        try {
            for (int i = 0; i < last; i++) {
                INDArray y = GraphOps.conv2d(x, convs.get(i), 0, true, Layout.NHWC, pool);
                pool.give(x);
                x = y;
                INDArray padded = DecoderWeights.UPSAMPLE_AFTER.contains(i)
                        ? GraphOps.upsampleNearest2ReflectPad1(x, Layout.NHWC, pool)
                        : GraphOps.reflectPad1(x, Layout.NHWC, pool);
                pool.give(x);
                x = padded;
            }
            INDArray y = GraphOps.conv2d(x, convs.get(last), 0, false, Layout.NHWC, pool);
            pool.give(x);
            x = y;
            // a new array: the caller keeps it, so it never comes from the pool
            INDArray out = GraphOps.toLayout(x, Layout.NHWC, Layout.NCHW);
            pool.give(x);
            return out;
        } catch (RuntimeException | Error e) {
            pool.give(x);
            throw e;
        }
    }

    /** The decoders' input check ({@link Bf16Decoder} too): N×channels×h×w, h and w at least 2. */
    static void requireFeatures(INDArray features, int channels) {
        Objects.requireNonNull(features, "features");
        if (features.rank() != 4 || features.size(1) != channels) {
            throw new IllegalArgumentException("The decoder takes N×" + channels + "×h×w features, got shape "
                    + Arrays.toString(features.shape()));
        }
        if (features.size(2) < 2 || features.size(3) < 2) {
            throw new IllegalArgumentException("The decoder needs feature maps of at least 2×2 (reflection "
                    + "padding), got shape " + Arrays.toString(features.shape()));
        }
    }

    /** Frees the weights. Idempotent. */
    @Override
    public void close() {
        convs.forEach(ConvWeights::close);
    }
}
