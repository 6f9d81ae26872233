package org.adain.dl4j;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;
import org.adain.AdainException;
import org.adain.BackendException;
import org.adain.InvalidRequestException;
import org.adain.Precision;
import org.adain.Semantics;
import org.adain.dl4j.graph.AdainDecoder;
import org.adain.dl4j.graph.Bf16Decoder;
import org.adain.dl4j.graph.Bf16Encoder;
import org.adain.dl4j.graph.BufferPool;
import org.adain.dl4j.graph.Dnnl;
import org.adain.dl4j.graph.GraphOps;
import org.adain.dl4j.graph.VggEncoder;
import org.adain.dl4j.ops.AdainOps;
import org.adain.spi.DecoderWeights;
import org.adain.spi.EncoderWeights;
import org.adain.spi.FeatureMap;
import org.adain.spi.LossTerms;
import org.adain.spi.StyleModel;
import org.adain.spi.Tensor;
import org.adain.spi.TransferPlan;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The ND4J style model: the encoder and decoder weights converted once to native float32 arrays, and eager
 * ND4J forward passes. Not thread-safe (the API serialises calls). Feature maps it returns are
 * {@link Dl4jFeatureMap}s and work only with this model.
 *
 * <p>With bf16 networks ({@link #Dl4jStyleModel(EncoderWeights, DecoderWeights, boolean)}), {@link #encode} and
 * {@link #decode} run {@link Bf16Encoder}/{@link Bf16Decoder} (oneDNN bfloat16 convolutions); the transfer, the
 * statistics, {@link #encodeLayers}, {@link #losses} and training stay float32 on the ND4J networks, which such a
 * model also holds: the loss taps and gradients are not what bf16 is for.
 */
final class Dl4jStyleModel implements StyleModel {
    /** Who runs the bf16 networks, as failure messages name it: oneDNN called directly, fed by ND4J arrays. */
    private static final String BF16_ENGINE = "oneDNN (bf16, with ND4J)";
    private final VggEncoder encoder;
    private final AdainDecoder decoder;
    /** Null unless the model runs bf16 networks for encode and decode. */
    private final Bf16Encoder bf16Encoder;
    private final Bf16Decoder bf16Decoder;
    private final BufferPool pool;
    private final int featureChannels;
    private volatile boolean closed;

    Dl4jStyleModel(EncoderWeights encoderWeights, DecoderWeights decoderWeights) {
        this(encoderWeights, decoderWeights, false);
    }

    /**
     * A model whose {@link #encode} and {@link #decode} run in bfloat16 when {@code bf16}. Refuses, with a
     * {@link BackendException} naming the CPU's oneDNN ISA, where oneDNN has no bf16 convolution (no AVX-512, or no
     * oneDNN natives for this platform); an emulated bf16 CPU is accepted here (the caller decides, from
     * {@link Dnnl#bf16Support()}). Each bf16 network keeps at most the model's buffer budget of map buffers between
     * calls, as the float32 pool does.
     */
    Dl4jStyleModel(EncoderWeights encoderWeights, DecoderWeights decoderWeights, boolean bf16) {
        Objects.requireNonNull(encoderWeights, "encoder");
        Objects.requireNonNull(decoderWeights, "decoder");
        decoderWeights.checkFits(encoderWeights);
        // one pool for both networks: the API calls a model from one thread at a time
        long keepBytes = Nd4jRuntime.bufferPoolBytes("this model");
        this.pool = new BufferPool(keepBytes);
        VggEncoder enc = guarded("converting the encoder weights from " + encoderWeights.source(),
                () -> new VggEncoder(encoderWeights, pool));
        try {
            this.decoder = guarded("converting the decoder weights from " + decoderWeights.source(),
                    () -> new AdainDecoder(decoderWeights, pool));
        } catch (RuntimeException e) {
            enc.close();
            throw e;
        }
        Bf16Encoder be = null;
        Bf16Decoder bd = null;
        if (bf16) {
            Dnnl.Bf16Support support = Dnnl.bf16Support();
            try {
                if (support.level() == Dnnl.Bf16Level.UNAVAILABLE) {
                    throw new BackendException("The dl4j backend cannot run bfloat16 here: " + support.message());
                }
                be = guarded(BF16_ENGINE, "converting the encoder weights from " + encoderWeights.source() + " to bf16",
                        () -> new Bf16Encoder(encoderWeights, keepBytes));
                bd = guarded(BF16_ENGINE, "converting the decoder weights from " + decoderWeights.source() + " to bf16",
                        () -> new Bf16Decoder(decoderWeights, keepBytes));
            } catch (RuntimeException e) {
                if (be != null) {
                    be.close();
                }
                enc.close();
                this.decoder.close();
                throw e;
            }
        }
        this.bf16Encoder = be;
        this.bf16Decoder = bd;
        this.encoder = enc;
        this.featureChannels = encoderWeights.featureChannels();
    }

    @Override
    public Set<Capability> capabilities() {
        return EnumSet.of(Capability.TRAINING, Capability.LOSSES, Capability.TORCH7_SEMANTICS);
    }

    @Override
    public FeatureMap encode(Tensor images) {
        checkOpen();
        checkImages(images);
        return guarded(engine(), "encoding images of shape " + Arrays.toString(images.shape()), () -> {
            INDArray x = Nd4jTensors.toArray(images);
            try {
                return new Dl4jFeatureMap(this, bf16Encoder != null ? bf16Encoder.encode(x) : encoder.encode(x));
            } finally {
                GraphOps.release(x);
            }
        });
    }

    /** Always float32 (VggEncoder), bf16 networks or not: the taps feed losses and training. */
    @Override
    public List<Tensor> encodeLayers(Tensor images) {
        checkOpen();
        checkImages(images);
        return guarded("encoding images of shape " + Arrays.toString(images.shape()), () -> {
            INDArray x = Nd4jTensors.toArray(images);
            List<INDArray> taps = null;
            try {
                taps = encoder.encodeTaps(x);
                List<Tensor> out = new ArrayList<>(taps.size());
                for (INDArray t : taps) {
                    out.add(Nd4jTensors.toTensor(t));
                }
                return List.copyOf(out);
            } finally {
                GraphOps.release(x);
                if (taps != null) {
                    taps.forEach(GraphOps::release);
                }
            }
        });
    }

    @Override
    public FeatureMap transfer(TransferPlan plan) {
        checkOpen();
        Objects.requireNonNull(plan, "plan");
        INDArray content = own(plan.content(), "content");
        List<INDArray> styles = new ArrayList<>(plan.styles().size());
        for (int k = 0; k < plan.styles().size(); k++) {
            styles.add(own(plan.styles().get(k), "style " + k));
        }
        try {
            return guarded("the transfer of content features " + Arrays.toString(content.shape()),
                    () -> new Dl4jFeatureMap(this,
                            AdainOps.transfer(content, styles, plan.weights(), plan.alpha(), plan.regions(),
                                    plan.semantics())));
        } catch (IllegalArgumentException e) {
            // AdainOps validates its arrays; through the SPI that is a bad request (StyleModel#transfer)
            throw new InvalidRequestException(e.getMessage(), e);
        }
    }

    @Override
    public Tensor decode(FeatureMap features) {
        checkOpen();
        INDArray f = own(features, "features");
        if (f.size(2) < 2 || f.size(3) < 2) {
            throw new InvalidRequestException("The decoder needs feature maps of at least 2×2, got shape "
                    + Arrays.toString(f.shape()));
        }
        Tensor out = guarded(engine(), "decoding features of shape " + Arrays.toString(f.shape()), () -> {
            INDArray image = bf16Decoder != null ? bf16Decoder.decode(f) : decoder.decode(f);
            try {
                return Nd4jTensors.toTensor(image);
            } finally {
                GraphOps.release(image);
            }
        });
        // a decode ends a stylisation: give what ND4J freed back to the OS now and then, or glibc keeps it
        NativeMemory.releaseNowAndThen();
        return out;
    }

    @Override
    public FeatureMap upload(Tensor features) {
        checkOpen();
        Objects.requireNonNull(features, "features");
        if (features.rank() != 4 || features.dim(1) != featureChannels) {
            throw new InvalidRequestException("Features must be N×" + featureChannels + "×h×w for this model, got shape "
                    + Arrays.toString(features.shape()));
        }
        if (features.dim(0) < 1 || features.dim(2) < 1 || features.dim(3) < 1) {
            throw new InvalidRequestException("Features of shape " + Arrays.toString(features.shape()) + " are empty");
        }
        return guarded("uploading features of shape " + Arrays.toString(features.shape()),
                () -> new Dl4jFeatureMap(this, Nd4jTensors.toArray(features)));
    }

    @Override
    public Tensor mean(Tensor features) {
        checkOpen();
        return statistic(features, "mean", AdainOps::mean);
    }

    @Override
    public Tensor std(Tensor features) {
        checkOpen();
        return statistic(features, "std", AdainOps::std);
    }

    @Override
    public Tensor std(Tensor features, Semantics semantics) {
        checkOpen();
        Objects.requireNonNull(semantics, "semantics");
        if (semantics == Semantics.PYTORCH_PORT) {
            return std(features);
        }
        return statistic(features, "Torch7 std", AdainOps::stdTorch7);
    }

    private static Tensor statistic(Tensor features, String what, java.util.function.UnaryOperator<INDArray> op) {
        Objects.requireNonNull(features, "features");
        if (features.rank() != 4) {
            throw new InvalidRequestException("The " + what + " needs N×C×H×W features, got shape "
                    + Arrays.toString(features.shape()));
        }
        if (what.equals("std") && features.dim(2) * features.dim(3) < 2) {
            throw new InvalidRequestException("The std of a feature map with one position is undefined (unbiased "
                    + "variance divides by H·W − 1 = 0): shape " + Arrays.toString(features.shape()));
        }
        return guarded("the " + what + " of shape " + Arrays.toString(features.shape()), () -> {
            INDArray x = Nd4jTensors.toArray(features);
            INDArray r = op.apply(x);
            try {
                return Nd4jTensors.toTensor(r);
            } finally {
                GraphOps.release(x, r);
            }
        });
    }

    @Override
    public LossTerms losses(Tensor contents, Tensor styles) {
        return losses(contents, styles, Semantics.PYTORCH_PORT);
    }

    /**
     * The loss terms of SEMANTICS §9.1 (port) or §9.2 (Torch7: the Torch7 AdaIN target, and per layer
     * {@code (Σ_{n,c} (μ_g − μ_s)² + Σ_{n,c} (σ_g − σ_s)²) / N} with {@code σ_g = sqrt(biased var + 1e-6)} and
     * {@code σ_s = sqrt(biased var)}).
     */
    @Override
    public LossTerms losses(Tensor contents, Tensor styles, Semantics semantics) {
        checkOpen();
        // float32 networks throughout, even in a bf16 model: a loss compares layers of one precision
        Objects.requireNonNull(semantics, "semantics");
        boolean torch = semantics == Semantics.TORCH7;
        checkImages(contents);
        checkImages(styles);
        if (contents.dim(0) != styles.dim(0)) {
            throw new InvalidRequestException("Losses need as many styles as contents (pairs), got "
                    + contents.dim(0) + " contents and " + styles.dim(0) + " styles");
        }
        return guarded("the losses of contents " + Arrays.toString(contents.shape()), () -> {
            List<INDArray> owned = new ArrayList<>();
            try {
                INDArray c = track(owned, Nd4jTensors.toArray(contents));
                INDArray s = track(owned, Nd4jTensors.toArray(styles));
                INDArray fc = track(owned, encoder.encode(c));
                List<INDArray> fs = encoder.encodeTaps(s);
                owned.addAll(fs);
                INDArray t = track(owned, AdainOps.adain(fc, fs.get(3), semantics));
                INDArray g = track(owned, decoder.decode(t));
                List<INDArray> fg = encoder.encodeTaps(g);
                owned.addAll(fg);
                double content = fg.get(3).squaredDistance(t) / t.length();
                double[] style = new double[4];
                for (int i = 0; i < 4; i++) {
                    if (torch) {
                        // StyleINLossModule.lua:83-90: sums over channels (sizeAverage false), divided by N
                        long n = fg.get(i).size(0);
                        style[i] = (squaredError(owned, AdainOps.mean(fg.get(i)), AdainOps.mean(fs.get(i)))
                                + squaredError(owned, AdainOps.biasedRoot(fg.get(i), LUA_SQRT_EPS),
                                        AdainOps.stdTorch7(fs.get(i)))) / n;
                    } else {
                        style[i] = meanSquaredError(owned, AdainOps.mean(fg.get(i)), AdainOps.mean(fs.get(i)))
                                + meanSquaredError(owned, AdainOps.std(fg.get(i)), AdainOps.std(fs.get(i)));
                    }
                }
                return new LossTerms(content, style);
            } finally {
                owned.forEach(GraphOps::release);
            }
        });
    }

    /** {@code nn.Sqrt(1e-6)} of the Lua style loss, as the CUDA kernel applies it (SEMANTICS §9.2). */
    static final double LUA_SQRT_EPS = 1e-6;

    private static double squaredError(List<INDArray> owned, INDArray a, INDArray b) {
        track(owned, a);
        track(owned, b);
        return a.squaredDistance(b);
    }

    private static double meanSquaredError(List<INDArray> owned, INDArray a, INDArray b) {
        track(owned, a);
        track(owned, b);
        return a.squaredDistance(b) / a.length();
    }

    private static INDArray track(List<INDArray> owned, INDArray a) {
        owned.add(a);
        return a;
    }

    @Override
    public Precision precision() {
        return bf16Encoder != null ? Precision.BF16 : Precision.FLOAT32;
    }

    @Override
    public String describe() {
        String line = Nd4jRuntime.describeLine() + ", encoder " + encoder.kind();
        return bf16Encoder == null ? line
                : line + ", bf16 encode/decode on oneDNN 2.5.2 (ISA " + Dnnl.bf16Support().isa() + ")";
    }

    /**
     * Frees the reusable intermediates ({@link BufferPool}) and returns freed native memory to the OS
     * ({@link NativeMemory}); the next passes allocate and keep them again.
     */
    @Override
    public void trimMemory() {
        checkOpen();
        pool.close();
        if (bf16Encoder != null) {
            bf16Encoder.releaseBuffers();
            bf16Decoder.releaseBuffers();
        }
        NativeMemory.release();
    }

    /** Bytes of intermediates kept for reuse now. */
    long heldBufferBytes() {
        return pool.heldBytes();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        encoder.close();
        decoder.close();
        if (bf16Encoder != null) {
            bf16Encoder.close();
            bf16Decoder.close();
        }
        pool.close();
        NativeMemory.release();
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("This dl4j style model was closed");
        }
    }

    /** The array behind a feature map this model made. */
    private INDArray own(FeatureMap map, String role) {
        Objects.requireNonNull(map, role);
        if (!(map instanceof Dl4jFeatureMap d) || d.owner() != this) {
            throw new IllegalArgumentException("The " + role + " feature map " + map
                    + " was not made by this model; feature maps only work with the model that made them");
        }
        return d.array();
    }

    private static void checkImages(Tensor images) {
        StyleModel.checkImages(images);
    }

    /** What runs {@code encode}/{@code decode}, for {@link #guarded(String, String, Supplier)}'s message. */
    private String engine() {
        return bf16Encoder != null ? BF16_ENGINE : "ND4J";
    }

    /**
     * Runs ND4J work, turning native failures (out of memory, a failing op) into a {@link BackendException} that
     * names the work and its shape; our own argument errors pass through.
     */
    static <T> T guarded(String what, Supplier<T> work) {
        return guarded("ND4J", what, work);
    }

    /** {@link #guarded(String, Supplier)} for work that {@code engine} runs, which the message names. */
    static <T> T guarded(String engine, String what, Supplier<T> work) {
        try {
            return work.get();
        } catch (AdainException | IllegalArgumentException e) {
            throw e;
        } catch (RuntimeException | OutOfMemoryError e) {
            // JavaCPP reports an exhausted off-heap limit as OutOfMemoryError; ND4J ops fail with RuntimeExceptions.
            throw new BackendException(engine + " failed while " + what + ": " + e, e);
        }
    }
}
