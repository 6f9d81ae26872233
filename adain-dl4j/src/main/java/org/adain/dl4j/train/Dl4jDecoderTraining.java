package org.adain.dl4j.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import org.adain.AdainException;
import org.adain.BackendException;
import org.adain.InvalidRequestException;
import org.adain.Semantics;
import org.adain.dl4j.graph.BufferPool;
import org.adain.dl4j.graph.ConvWeights;
import org.adain.dl4j.graph.GraphOps;
import org.adain.dl4j.graph.VggEncoder;
import org.adain.dl4j.ops.AdainOps;
import org.adain.spi.ConvLayer;
import org.adain.spi.DecoderTraining;
import org.adain.spi.DecoderWeights;
import org.adain.spi.EncoderKind;
import org.adain.spi.EncoderWeights;
import org.adain.spi.LossTerms;
import org.adain.spi.StyleModel;
import org.adain.spi.Tensor;
import org.adain.spi.TrainingConfig;
import org.adain.spi.TrainingState;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Decoder training on ND4J (SEMANTICS §9.1, port semantics, or §9.2 with {@link TrainingConfig#semantics()}
 * {@link Semantics#TORCH7}: Torch7 AdaIN target and style loss, torch7's Adam), made by
 * {@code Dl4jBackendProvider.train(encoder, decoder, config)}.
 *
 * <p>A step has two halves:
 * <ol>
 *   <li>without gradients, as eager ops with the inference encoder ({@link VggEncoder}, both flavours exactly as
 *   at inference): {@code t = AdaIN(relu4_1(c), relu4_1(s))} and the style statistics μ, σ of relu1_1 … relu4_1
 *   of s;</li>
 *   <li>{@link LossBackprop}: {@code g = decoder(t)}, the frozen encoder on g, the loss
 *   {@code contentWeight · Lc + styleWeight · Ls} and, by a hand-written backward pass, its gradient w.r.t. the
 *   decoder convs.</li>
 * </ol>
 * The update is PyTorch's Adam ({@link TorchAdam}: ε after the bias correction; torch7's, ε before it, under Torch7
 * semantics) at
 * {@code config.learningRateAt(iteration)}. Everything is float32.
 *
 * <p>Not thread-safe; {@link #close()} frees the native memory.
 */
public final class Dl4jDecoderTraining implements DecoderTraining {
    private final EncoderKind kind;
    private final TrainingConfig config;
    private final VggEncoder encoder;
    private final List<ConvWeights> encoderConvs;
    private final ConvWeights preprocess;
    private final List<ConvLayer> initialLayers;
    private final String source;
    private final LossBackprop backprop;
    /** Intermediates of the encoder and the loss pass, reused from step to step (same shapes every step). */
    private final BufferPool pool;
    /** Decoder parameters: per conv the kernel (YXIO, {@code [3, 3, in, out]}) and the bias. */
    private final List<INDArray> params = new ArrayList<>();
    /** Adam's moments, one per parameter, same shapes. */
    private final List<INDArray> firstMoments = new ArrayList<>();
    private final List<INDArray> secondMoments = new ArrayList<>();
    private long iteration;
    private boolean closed;

    /**
     * Converts the weights; the ND4J runtime must be started (the provider does that).
     *
     * @throws org.adain.ModelException when the decoder does not fit the encoder
     */
    public Dl4jDecoderTraining(EncoderWeights encoder, DecoderWeights initial, TrainingConfig config) {
        this(encoder, initial, config, 0);
    }

    /**
     * As {@link #Dl4jDecoderTraining(EncoderWeights, DecoderWeights, TrainingConfig)}, keeping up to
     * {@code bufferPoolBytes} of intermediates between steps for reuse (0: none).
     */
    public Dl4jDecoderTraining(EncoderWeights encoder, DecoderWeights initial, TrainingConfig config,
            long bufferPoolBytes) {
        Objects.requireNonNull(encoder, "encoder");
        Objects.requireNonNull(initial, "initial");
        this.config = Objects.requireNonNull(config, "config");
        initial.checkFits(encoder);
        this.kind = encoder.kind();
        this.initialLayers = initial.convs();
        this.source = initial.source();
        List<AutoCloseable> made = new ArrayList<>();
        this.pool = track(made, new BufferPool(bufferPoolBytes));
        try {
            this.encoder = track(made, new VggEncoder(encoder, pool));
            List<ConvWeights> convs = new ArrayList<>();
            for (ConvLayer c : encoder.convs()) {
                convs.add(track(made, ConvWeights.of(c)));
            }
            this.encoderConvs = List.copyOf(convs);
            this.preprocess = track(made, ConvWeights.of(kind == EncoderKind.NORMALISED_VGG19
                    ? encoder.preprocess() : caffePreprocessing()));
            this.backprop = track(made, new LossBackprop(kind, preprocess, encoderConvs, pool));
            for (ConvLayer c : initialLayers) {
                try (ConvWeights cw = ConvWeights.of(c)) {
                    params.add(cw.kernelYxio().dup('c'));
                    params.add(cw.bias().dup());
                }
            }
            for (INDArray p : params) {
                firstMoments.add(Nd4j.zeros(DataType.FLOAT, p.shape()));
                secondMoments.add(Nd4j.zeros(DataType.FLOAT, p.shape()));
            }
        } catch (RuntimeException | Error e) {
            made.forEach(Dl4jDecoderTraining::closeQuietly);
            params.forEach(GraphOps::release);
            firstMoments.forEach(GraphOps::release);
            secondMoments.forEach(GraphOps::release);
            throw e;
        }
    }

    /**
     * The Keras-applications preprocessing (RGB [0,1] → BGR ×255 minus the Caffe mean) as a 1×1 conv, so that
     * both encoder flavours start the loss graph the same way.
     */
    static ConvLayer caffePreprocessing() {
        float[] k = new float[9];
        for (int o = 0; o < 3; o++) {
            k[o * 3 + (2 - o)] = 255f;
        }
        float[] b = new float[3];
        for (int o = 0; o < 3; o++) {
            b[o] = -EncoderKind.CAFFE_BGR_MEAN[o];
        }
        return new ConvLayer("caffe_preprocessing", 3, 3, 1, 1, k, b);
    }

    private static <T extends AutoCloseable> T track(List<AutoCloseable> made, T x) {
        made.add(x);
        return x;
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // best effort while failing
        }
    }

    // ---------------------------------------------------------------- DecoderTraining

    @Override
    public LossTerms step(Tensor contents, Tensor styles) {
        checkOpen();
        checkBatch(contents, styles);
        return guarded("a training step on contents " + Arrays.toString(contents.shape()) + " and styles "
                + Arrays.toString(styles.shape()), () -> {
            LossBackprop.Result pass = forwardBackward(contents, styles);
            LossTerms losses = pass.losses();
            double total = losses.total(config.contentWeight(), config.styleWeight());
            if (!Double.isFinite(total)) {
                pass.gradients().forEach(GraphOps::release);
                throw new BackendException("Training diverged at iteration " + iteration + ": the loss is " + total
                        + " (" + losses + "); the weights were not updated. Lower the learning rate or check the "
                        + "inputs");
            }
            double lr = config.learningRateAt(iteration);
            boolean torch = config.semantics() == Semantics.TORCH7;
            for (int p = 0; p < params.size(); p++) {
                if (torch) {
                    TorchAdam.updateTorch7(params.get(p), pass.gradients().get(p), firstMoments.get(p),
                            secondMoments.get(p), lr, config.beta1(), config.beta2(), config.epsilon(), iteration + 1);
                } else {
                    TorchAdam.update(params.get(p), pass.gradients().get(p), firstMoments.get(p),
                            secondMoments.get(p), lr, config.beta1(), config.beta2(), config.epsilon(), iteration + 1);
                }
            }
            pass.gradients().forEach(GraphOps::release);
            iteration++;
            return losses;
        });
    }

    @Override
    public List<Tensor[]> gradients(Tensor contents, Tensor styles) {
        checkOpen();
        checkBatch(contents, styles);
        return guarded("the gradients for contents " + Arrays.toString(contents.shape()), () -> {
            LossBackprop.Result pass = forwardBackward(contents, styles);
            List<Tensor[]> out = new ArrayList<>(DecoderWeights.CONV_COUNT);
            for (int i = 0; i < DecoderWeights.CONV_COUNT; i++) {
                out.add(new Tensor[] {kernelToOihw(pass.gradients().get(2 * i)),
                        toTensor(pass.gradients().get(2 * i + 1))});
            }
            pass.gradients().forEach(GraphOps::release);
            return List.copyOf(out);
        });
    }

    @Override
    public DecoderWeights weights() {
        checkOpen();
        List<ConvLayer> convs = new ArrayList<>(DecoderWeights.CONV_COUNT);
        for (int i = 0; i < DecoderWeights.CONV_COUNT; i++) {
            ConvLayer c = initialLayers.get(i);
            convs.add(new ConvLayer(c.name(), c.outChannels(), c.inChannels(), c.kernelHeight(), c.kernelWidth(),
                    kernelToOihw(param(2 * i)).toArray(), toTensor(param(2 * i + 1)).toArray()));
        }
        return new DecoderWeights(convs, source + " (trained " + iteration + " iterations)");
    }

    @Override
    public long iteration() {
        return iteration;
    }

    @Override
    public TrainingState state() {
        checkOpen();
        return new TrainingState(iteration, weights(), moments(firstMoments), moments(secondMoments));
    }

    private List<Tensor[]> moments(List<INDArray> ms) {
        List<Tensor[]> out = new ArrayList<>(DecoderWeights.CONV_COUNT);
        for (int i = 0; i < DecoderWeights.CONV_COUNT; i++) {
            out.add(new Tensor[] {kernelToOihw(ms.get(2 * i)), toTensor(ms.get(2 * i + 1))});
        }
        return out;
    }

    @Override
    public void restore(TrainingState state) {
        checkOpen();
        Objects.requireNonNull(state, "state");
        List<ConvLayer> convs = state.weights().convs();
        for (int i = 0; i < DecoderWeights.CONV_COUNT; i++) {
            ConvLayer mine = initialLayers.get(i);
            ConvLayer theirs = convs.get(i);
            if (!mine.shapeString().equals(theirs.shapeString())) {
                throw new InvalidRequestException("Cannot restore: decoder conv " + i + " of the state has shape "
                        + theirs.shapeString() + ", this session's has " + mine.shapeString());
            }
            int[] k = {mine.outChannels(), mine.inChannels(), mine.kernelHeight(), mine.kernelWidth()};
            int[] b = {mine.outChannels()};
            checkMoment(state.firstMoments().get(i), k, b, "first", i);
            checkMoment(state.secondMoments().get(i), k, b, "second", i);
        }
        guarded("restoring a training state", () -> {
            for (int i = 0; i < DecoderWeights.CONV_COUNT; i++) {
                ConvLayer c = convs.get(i);
                int[] k = {c.outChannels(), c.inChannels(), c.kernelHeight(), c.kernelWidth()};
                assignKernel(param(2 * i), Tensor.wrap(c.kernelOihw(), k));
                assign(param(2 * i + 1), Tensor.wrap(c.bias(), c.outChannels()));
                assignKernel(firstMoments.get(2 * i), state.firstMoments().get(i)[0]);
                assign(firstMoments.get(2 * i + 1), state.firstMoments().get(i)[1]);
                assignKernel(secondMoments.get(2 * i), state.secondMoments().get(i)[0]);
                assign(secondMoments.get(2 * i + 1), state.secondMoments().get(i)[1]);
            }
            return null;
        });
        iteration = state.iteration();
    }

    private static void checkMoment(Tensor[] pair, int[] kernel, int[] bias, String which, int conv) {
        if (pair == null || pair.length != 2 || pair[0] == null || pair[1] == null
                || !Arrays.equals(pair[0].shape(), kernel) || !Arrays.equals(pair[1].shape(), bias)) {
            throw new InvalidRequestException("Cannot restore: the " + which + " Adam moments of decoder conv " + conv
                    + " must be [kernel " + Arrays.toString(kernel) + ", bias " + Arrays.toString(bias) + "], got "
                    + (pair == null ? "null" : Arrays.toString(Arrays.stream(pair)
                            .map(t -> t == null ? "null" : Arrays.toString(t.shape())).toArray())));
        }
        for (Tensor t : pair) {
            int bad = t.firstNonFinite();
            if (bad >= 0) {
                throw new InvalidRequestException("Cannot restore: the " + which + " Adam moments of decoder conv "
                        + conv + " hold a non-finite value at " + bad);
            }
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        encoder.close();
        encoderConvs.forEach(ConvWeights::close);
        preprocess.close();
        backprop.close();
        pool.close();
        params.forEach(GraphOps::release);
        firstMoments.forEach(GraphOps::release);
        secondMoments.forEach(GraphOps::release);
    }

    @Override
    public String toString() {
        return "Dl4jDecoderTraining{" + kind + ", iteration " + iteration + ", " + config + "}";
    }

    // ---------------------------------------------------------------- the pass

    /** The target and the style statistics (no gradient), then {@link LossBackprop}'s forward and backward pass. */
    private LossBackprop.Result forwardBackward(Tensor contents, Tensor styles) {
        List<INDArray> owned = new ArrayList<>();
        try {
            INDArray c = own(owned, toArray(contents));
            INDArray s = own(owned, toArray(styles));
            INDArray fc = own(owned, encoder.encode(c));
            List<INDArray> fs = encoder.encodeTaps(s);
            owned.addAll(fs);
            GraphOps.release(c, s);
            Semantics semantics = config.semantics();
            INDArray t = own(owned, AdainOps.adain(fc, fs.get(3), semantics));
            GraphOps.release(fc);
            List<INDArray> means = new ArrayList<>(4);
            List<INDArray> stds = new ArrayList<>(4);
            for (INDArray f : fs) {
                means.add(own(owned, AdainOps.mean(f)));
                stds.add(own(owned, AdainOps.std(f, semantics)));
                GraphOps.release(f);
            }
            return backprop.run(t, means, stds, params, config.contentWeight(), config.styleWeight(), semantics);
        } finally {
            owned.forEach(GraphOps::release);
        }
    }

    /** Decoder parameter p (2·conv for the kernel YXIO, 2·conv + 1 for the bias). */
    private INDArray param(int p) {
        return params.get(p);
    }

    // ---------------------------------------------------------------- checks and conversions

    private void checkBatch(Tensor contents, Tensor styles) {
        checkImages(contents, "Training contents");
        checkImages(styles, "Training styles");
        if (contents.dim(0) != styles.dim(0)) {
            throw new InvalidRequestException("Training needs as many styles as contents (pairs), got "
                    + contents.dim(0) + " contents and " + styles.dim(0) + " styles");
        }
    }

    private static void checkImages(Tensor images, String role) {
        StyleModel.checkImages(images, role);
        int bad = images.firstNonFinite();
        if (bad >= 0) {
            throw new InvalidRequestException(role + " hold a non-finite value at flat index " + bad);
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("This dl4j training session was closed");
        }
    }

    private static INDArray own(List<INDArray> owned, INDArray a) {
        owned.add(a);
        return a;
    }

    static INDArray toArray(Tensor t) {
        long[] shape = Arrays.stream(t.shape()).asLongStream().toArray();
        return Nd4j.create(t.toArray(), shape, DataType.FLOAT);
    }

    static Tensor toTensor(INDArray a) {
        INDArray dense = a.dup('c');
        try {
            return Tensor.wrap(dense.data().asFloat(), Arrays.stream(a.shape()).mapToInt(Math::toIntExact).toArray());
        } finally {
            dense.close();
        }
    }

    /** A YXIO kernel {@code [kh, kw, in, out]} as an OIHW tensor {@code [out, in, kh, kw]}. */
    static Tensor kernelToOihw(INDArray yxio) {
        return toTensor(yxio.permute(3, 2, 0, 1));
    }

    private static void assignKernel(INDArray yxio, Tensor oihw) {
        INDArray a = toArray(oihw);
        yxio.assign(a.permute(2, 3, 1, 0));
        a.close();
    }

    private static void assign(INDArray target, Tensor values) {
        INDArray a = toArray(values);
        target.assign(a);
        a.close();
    }

    private static <T> T guarded(String what, Supplier<T> work) {
        try {
            return work.get();
        } catch (AdainException | IllegalArgumentException e) {
            throw e;
        } catch (RuntimeException | OutOfMemoryError e) {
            throw new BackendException("ND4J failed during " + what + ": " + e, e);
        }
    }
}
