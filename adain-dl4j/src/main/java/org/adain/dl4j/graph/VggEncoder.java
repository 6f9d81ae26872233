package org.adain.dl4j.graph;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.adain.dl4j.graph.GraphOps.Layout;
import org.adain.spi.ConvLayer;
import org.adain.spi.EncoderKind;
import org.adain.spi.EncoderWeights;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.indexing.SpecifiedIndex;

/**
 * The VGG-19 encoder up to relu4_1 as eager ND4J ops (SEMANTICS §6), for both {@link EncoderKind}s:
 * <ul>
 *   <li>{@code NORMALISED_VGG19}: the stored 1×1 preprocessing conv, reflection padding of 1 before every 3×3
 *   conv, ReLU, 2×2/2 max-pooling in ceil mode;</li>
 *   <li>{@code KERAS_APPLICATIONS_VGG19}: the input is first reflection-padded at the bottom/right to a multiple
 *   of 8, then RGB [0,1] → BGR ×255 minus {@link EncoderKind#CAFFE_BGR_MEAN}; zero padding of 1, ReLU,
 *   floor pooling.</li>
 * </ul>
 * Either way an H×W image gives relu4_1 of ceil(H/8)×ceil(W/8). Input N×3×H×W float32, never modified.
 * Forward passes keep no state between calls; {@link #close()} must not race one.
 *
 * <pre>{@code
 * try (VggEncoder enc = new VggEncoder(weights)) {
 *     INDArray relu41 = enc.encode(images);
 * }
 * }</pre>
 */
public final class VggEncoder implements AutoCloseable {
    private final EncoderKind kind;
    private final ConvWeights preprocess;
    private final List<ConvWeights> convs;
    private final INDArray caffeMean;
    private final BufferPool pool;

    /** Converts the weights to ND4J arrays once; allocates every intermediate anew. */
    public VggEncoder(EncoderWeights weights) {
        this(weights, BufferPool.NONE);
    }

    /**
     * Converts the weights to ND4J arrays once; intermediates come from and go back to {@code pool}, which the
     * caller owns and which must not be used by another thread during an encode.
     */
    public VggEncoder(EncoderWeights weights, BufferPool pool) {
        Objects.requireNonNull(weights, "weights");
        this.pool = Objects.requireNonNull(pool, "pool");
        this.kind = weights.kind();
        List<ConvWeights> list = new ArrayList<>();
        ConvWeights pre = null;
        try {
            pre = weights.preprocess() == null ? null : ConvWeights.of(weights.preprocess());
            for (ConvLayer c : weights.convs()) {
                list.add(ConvWeights.of(c));
            }
            this.caffeMean = kind == EncoderKind.KERAS_APPLICATIONS_VGG19
                    ? Nd4j.create(EncoderKind.CAFFE_BGR_MEAN, new long[] {1, 3, 1, 1}, DataType.FLOAT)
                    : null;
        } catch (RuntimeException | Error e) {
            list.forEach(ConvWeights::close);
            if (pre != null) {
                pre.close();
            }
            throw e;
        }
        this.preprocess = pre;
        this.convs = List.copyOf(list);
    }

    public EncoderKind kind() {
        return kind;
    }

    /** Channels of relu4_1. */
    public int featureChannels() {
        return convs.get(convs.size() - 1).outChannels();
    }

    /** relu4_1 of the images, N×C×ceil(H/8)×ceil(W/8). */
    public INDArray encode(INDArray images) {
        return run(images, false).get(0);
    }

    /** relu1_1, relu2_1, relu3_1 and relu4_1 of the images (for the Keras flavour: of the padded images). */
    public List<INDArray> encodeTaps(INDArray images) {
        return run(images, true);
    }

    private List<INDArray> run(INDArray images, boolean allTaps) {
        requireImages(images);
        List<INDArray> taps = new ArrayList<>(4);
        // The network runs in NHWC, where M2.1's oneDNN convolutions are 1.2-2.8x faster than in NCHW; only the
        // 3-channel input and the returned taps are converted (relu4_1 is 1/64 of the pixels).
        INDArray x;
        if (kind == EncoderKind.NORMALISED_VGG19) {
            INDArray nhwc = GraphOps.toLayout(images, Layout.NCHW, Layout.NHWC);
            try {
                x = GraphOps.conv2d(nhwc, preprocess, 0, false, Layout.NHWC, pool);
            } finally {
                pool.give(nhwc);
            }
        } else {
            INDArray nchw = kerasInput(images, caffeMean);
            try {
                x = GraphOps.toLayout(nchw, Layout.NCHW, Layout.NHWC);
            } finally {
                pool.give(nchw);
            }
        }
        int last = EncoderWeights.RELU_TAPS.get(EncoderWeights.RELU_TAPS.size() - 1);
        try {
            for (int i = 0; i <= last; i++) {
                INDArray y = conv3x3(x, convs.get(i));
                pool.give(x);
                x = y;
                if (EncoderWeights.RELU_TAPS.contains(i) && (allTaps || i == last)) {
                    taps.add(GraphOps.toLayout(x, Layout.NHWC, Layout.NCHW));
                }
                if (EncoderWeights.POOL_AFTER.contains(i)) {
                    INDArray pooled = kind == EncoderKind.NORMALISED_VGG19
                            ? GraphOps.maxPool2Ceil(x, Layout.NHWC) : GraphOps.maxPool2Floor(x, Layout.NHWC);
                    pool.give(x);
                    x = pooled;
                }
            }
            pool.give(x);
            // the taps are new arrays the caller keeps: never pooled
            return taps;
        } catch (RuntimeException | Error e) {
            pool.give(x);
            taps.forEach(GraphOps::release);
            throw e;
        }
    }

    /** Keras: zero-padded conv + ReLU. Normalised: reflection pad, conv, ReLU. NHWC. */
    private INDArray conv3x3(INDArray x, ConvWeights w) {
        if (kind == EncoderKind.KERAS_APPLICATIONS_VGG19) {
            return GraphOps.conv2d(x, w, 1, true, Layout.NHWC, pool);
        }
        INDArray padded = GraphOps.reflectPad1(x, Layout.NHWC, pool);
        try {
            return GraphOps.conv2d(padded, w, 0, true, Layout.NHWC, pool);
        } finally {
            pool.give(padded);
        }
    }

    /**
     * Pads to a multiple of 8 (so floor pooling keeps every pixel), then Caffe preprocessing with {@code caffeMean}
     * ({@link EncoderKind#CAFFE_BGR_MEAN} as 1×3×1×1). A new NCHW array; also {@link Bf16Encoder}'s first step.
     */
    static INDArray kerasInput(INDArray images, INDArray caffeMean) {
        long h = images.size(2);
        long w = images.size(3);
        INDArray padded = GraphOps.reflectPadBottomRight(images, padTo8(h), padTo8(w));
        INDArray bgr = padded.get(NDArrayIndex.all(), new SpecifiedIndex(2, 1, 0), NDArrayIndex.all(),
                NDArrayIndex.all());
        if (bgr.isView()) {
            bgr = bgr.dup('c');
        }
        GraphOps.release(padded);
        return bgr.muli(255f).subi(caffeMean);
    }

    /** Rows (or columns) to add so that {@code n} becomes a multiple of 8. */
    public static int padTo8(long n) {
        return (int) ((8 - n % 8) % 8);
    }

    /** The encoders' input check ({@link Bf16Encoder} too): N×3×H×W, H and W at least 9. */
    static void requireImages(INDArray images) {
        Objects.requireNonNull(images, "images");
        if (images.rank() != 4 || images.size(1) != 3) {
            throw new IllegalArgumentException("The encoder takes N×3×H×W RGB images, got shape "
                    + Arrays.toString(images.shape()));
        }
        if (images.size(2) < 9 || images.size(3) < 9) {
            throw new IllegalArgumentException("Images must be at least 9×9 so every reflection-padded map is "
                    + "at least 2×2, got shape " + Arrays.toString(images.shape()));
        }
    }

    /** Frees the weights. Idempotent. */
    @Override
    public void close() {
        if (preprocess != null) {
            preprocess.close();
        }
        convs.forEach(ConvWeights::close);
        GraphOps.release(caffeMean);
    }
}
