package org.adain.onnxruntime;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.lang.System.Logger.Level;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.adain.BackendException;
import org.adain.InvalidRequestException;
import org.adain.onnxruntime.graph.AdainGraphs;
import org.adain.onnxruntime.ops.AdainMath;
import org.adain.spi.DecoderWeights;
import org.adain.spi.EncoderKind;
import org.adain.spi.EncoderWeights;
import org.adain.spi.FeatureMap;
import org.adain.spi.StyleModel;
import org.adain.spi.Tensor;
import org.adain.spi.TransferPlan;

/**
 * The ONNX Runtime style model: one session for the encoder graph and one for the decoder graph
 * ({@link AdainGraphs}), AdaIN and statistics in Java ({@link AdainMath}), colour preservation by the API's
 * double-precision CORAL. Thread-safe: ORT sessions run concurrently, and closing waits for runs in progress.
 */
final class OrtStyleModel implements StyleModel {
    private static final String RELU4_1 = EncoderWeights.TAP_NAMES.get(EncoderWeights.TAP_NAMES.size() - 1);

    private final OrtEnvironment env;
    private final OrtSession encoder;
    private final OrtSession decoder;
    private final EncoderKind kind;
    private final int featureChannels;
    private final String description;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private boolean closed;

    OrtStyleModel(EncoderWeights encoderWeights, DecoderWeights decoderWeights, OrtSettings settings) {
        try {
            this.env = OrtEnvironment.getEnvironment();
        } catch (RuntimeException | LinkageError e) {
            throw new BackendException("ONNX Runtime's natives did not load on " + System.getProperty("os.name") + "/"
                    + System.getProperty("os.arch") + " (the onnxruntime jar has linux-x64, linux-aarch64, osx-x64, "
                    + "osx-aarch64 and win-x64): " + e, e);
        }
        this.kind = encoderWeights.kind();
        this.featureChannels = encoderWeights.featureChannels();
        // The decoder's graph and session are built on a second thread while this one builds the encoder's: both
        // builds (protobuf, graph optimisation, weight prepacking) are mostly single-threaded, 0.3-0.7 s each.
        FutureTask<OrtSettings.Started> decoderStart = new FutureTask<>(() -> settings.start(env,
                AdainGraphs.decoder(decoderWeights, settings.padding()), "decoder from " + decoderWeights.source()));
        Thread builder = new Thread(decoderStart, "adain-ort-decoder-session");
        builder.setDaemon(true);
        builder.start();
        OrtSettings.Started enc = null;
        OrtSettings.Started dec = null;
        Throwable failure = null;
        try {
            enc = settings.start(env, AdainGraphs.encoder(encoderWeights, settings.padding()),
                    "encoder from " + encoderWeights.source());
        } catch (RuntimeException | Error e) {
            failure = e;
        }
        try {
            dec = awaitUninterruptibly(decoderStart);
        } catch (RuntimeException | Error e) {
            if (failure == null) {
                failure = e;
            } else {
                failure.addSuppressed(e);
            }
        }
        if (failure != null) {
            if (enc != null) {
                closeQuietly(enc.session());
            }
            if (dec != null) {
                closeQuietly(dec.session());
            }
            if (failure instanceof Error err) {
                throw err;
            }
            throw (RuntimeException) failure;
        }
        this.encoder = enc.session();
        this.decoder = dec.session();
        this.description = "onnxruntime " + env.getVersion() + ", " + settings.describe() + ", running on "
                + (enc.device().equals(dec.device()) ? enc.device() : "encoder " + enc.device() + ", decoder "
                + dec.device()) + ", encoder " + kind + ", precision float32";
        OrtLog.LOGGER.log(Level.DEBUG, () -> "Loaded " + description);
    }

    @Override
    public Set<Capability> capabilities() {
        return EnumSet.of(Capability.THREAD_SAFE);
    }

    @Override
    public FeatureMap encode(Tensor images) {
        checkImages(images);
        Tensor relu41 = runEncoder(images, Set.of(RELU4_1)).get(RELU4_1);
        return new OrtFeatureMap(this, relu41.toArray(), relu41.shape());
    }

    @Override
    public List<Tensor> encodeLayers(Tensor images) {
        checkImages(images);
        Map<String, Tensor> out = runEncoder(images, new LinkedHashSet<>(EncoderWeights.TAP_NAMES));
        return EncoderWeights.TAP_NAMES.stream().map(out::get).toList();
    }

    private static int padTo8(int n) {
        return (8 - n % 8) % 8;
    }

    private Map<String, Tensor> runEncoder(Tensor images, Set<String> outputs) {
        String what = "encoding images of shape " + Arrays.toString(images.shape());
        Map<String, OnnxTensor> inputs = new HashMap<>();
        return run(encoder, what, () -> {
            inputs.put(AdainGraphs.IMAGES, tensor(images));
            if (kind == EncoderKind.KERAS_APPLICATIONS_VGG19) {
                long[] pads = {0, 0, 0, 0, 0, 0, padTo8(images.dim(2)), padTo8(images.dim(3))};
                inputs.put(AdainGraphs.PADS, OnnxTensor.createTensor(env, LongBuffer.wrap(pads), new long[] {8}));
            }
            return inputs;
        }, outputs);
    }

    @Override
    public FeatureMap transfer(TransferPlan plan) {
        checkOpen();
        Objects.requireNonNull(plan, "plan");
        OrtFeatureMap content = own(plan.content(), "content");
        List<float[]> styles = new ArrayList<>();
        List<int[]> shapes = new ArrayList<>();
        for (int k = 0; k < plan.styles().size(); k++) {
            OrtFeatureMap s = own(plan.styles().get(k), "style " + k);
            styles.add(s.values());
            shapes.add(s.shape());
        }
        try {
            float[] t = AdainMath.transfer(content.values(), content.shape(), styles, shapes, plan.weights(),
                    plan.alpha(), plan.regions());
            return new OrtFeatureMap(this, t, content.shape());
        } catch (IllegalArgumentException e) {
            // AdainMath validates its arrays; through the SPI that is a bad request (StyleModel#transfer)
            throw new InvalidRequestException(e.getMessage(), e);
        }
    }

    @Override
    public Tensor decode(FeatureMap features) {
        checkOpen();
        OrtFeatureMap f = own(features, "features");
        int[] shape = f.shape();
        if (shape[2] < 2 || shape[3] < 2) {
            throw new InvalidRequestException("The decoder needs feature maps of at least 2×2, got shape "
                    + Arrays.toString(shape));
        }
        float[] values = f.values();
        Map<String, OnnxTensor> inputs = new HashMap<>();
        Map<String, Tensor> out = run(decoder, "decoding features of shape " + Arrays.toString(shape), () -> {
            inputs.put(AdainGraphs.FEATURES, OnnxTensor.createTensor(env, FloatBuffer.wrap(values), longs(shape)));
            return inputs;
        }, Set.of(AdainGraphs.IMAGE));
        return out.get(AdainGraphs.IMAGE);
    }

    @Override
    public FeatureMap upload(Tensor features) {
        checkOpen();
        Objects.requireNonNull(features, "features");
        if (features.rank() != 4 || features.dim(1) != featureChannels) {
            throw new InvalidRequestException("Features must be N×" + featureChannels + "×h×w for this model, got "
                    + "shape " + Arrays.toString(features.shape()));
        }
        if (features.dim(0) < 1 || features.dim(2) < 1 || features.dim(3) < 1) {
            throw new InvalidRequestException("Features of shape " + Arrays.toString(features.shape()) + " are empty");
        }
        return new OrtFeatureMap(this, features.toArray(), features.shape());
    }

    @Override
    public Tensor mean(Tensor features) {
        checkOpen();
        return statistic(features, "mean");
    }

    @Override
    public Tensor std(Tensor features) {
        checkOpen();
        return statistic(features, "std");
    }

    private static Tensor statistic(Tensor features, String what) {
        Objects.requireNonNull(features, "features");
        if (features.rank() != 4) {
            throw new InvalidRequestException("The " + what + " needs N×C×H×W features, got shape "
                    + Arrays.toString(features.shape()));
        }
        int[] s = features.shape();
        if (what.equals("std") && (long) s[2] * s[3] < 2) {
            throw new InvalidRequestException("The std of a feature map with one position is undefined (unbiased "
                    + "variance divides by H·W − 1 = 0): shape " + Arrays.toString(s));
        }
        float[] x = features.toArray();
        float[] r = what.equals("mean") ? AdainMath.mean(x, s) : AdainMath.std(x, s);
        return Tensor.wrap(r, s[0], s[1], 1, 1);
    }

    @Override
    public String describe() {
        return description;
    }

    /** Waits for runs in progress, then closes both sessions. Idempotent. */
    @Override
    public void close() {
        lock.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            closeQuietly(encoder);
            closeQuietly(decoder);
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** The task's result once its thread has ended; an interrupt is kept for later (a build is bounded). */
    private static <T> T awaitUninterruptibly(FutureTask<T> task) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return task.get();
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof RuntimeException r) {
                        throw r;
                    }
                    if (e.getCause() instanceof Error err) {
                        throw err;
                    }
                    throw new BackendException("Building the decoder's session failed: " + e.getCause(), e.getCause());
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void closeQuietly(OrtSession session) {
        try {
            session.close();
        } catch (OrtException e) {
            OrtLog.LOGGER.log(Level.WARNING, "Closing an ONNX Runtime session failed", e);
        }
    }

    private void checkOpen() {
        lock.readLock().lock();
        try {
            if (closed) {
                throw new IllegalStateException("This onnxruntime style model was closed");
            }
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Inputs made under the read lock, so a concurrent close cannot free the session under them. */
    private interface Inputs {
        Map<String, OnnxTensor> make() throws OrtException;
    }

    /**
     * Runs a session under the read lock and copies the requested outputs to the heap; the input tensors are closed
     * whatever happens. ORT's failures (out of memory, a failing kernel) become a {@link BackendException} naming
     * the work.
     */
    private Map<String, Tensor> run(OrtSession session, String what, Inputs inputs, Set<String> outputs) {
        lock.readLock().lock();
        Map<String, OnnxTensor> made = null;
        try {
            if (closed) {
                throw new IllegalStateException("This onnxruntime style model was closed");
            }
            made = inputs.make();
            try (OrtSession.Result result = session.run(made, outputs)) {
                Map<String, Tensor> out = new HashMap<>();
                for (String name : outputs) {
                    OnnxTensor v = (OnnxTensor) result.get(name).orElseThrow();
                    FloatBuffer fb = v.getFloatBuffer();
                    float[] a = new float[fb.remaining()];
                    fb.get(a);
                    out.put(name, Tensor.wrap(a, Arrays.stream(v.getInfo().getShape()).mapToInt(Math::toIntExact)
                            .toArray()));
                }
                return out;
            }
        } catch (OrtException | RuntimeException | OutOfMemoryError e) {
            if (e instanceof IllegalStateException || e instanceof InvalidRequestException) {
                throw (RuntimeException) e;
            }
            throw new BackendException("ONNX Runtime failed while " + what + ": " + e.getMessage(), e);
        } finally {
            if (made != null) {
                made.values().forEach(OnnxTensor::close);
            }
            lock.readLock().unlock();
        }
    }

    private OnnxTensor tensor(Tensor t) throws OrtException {
        float[] a = new float[t.size()];
        t.copyTo(a, 0);
        return OnnxTensor.createTensor(env, FloatBuffer.wrap(a), longs(t.shape()));
    }

    private static long[] longs(int[] shape) {
        return Arrays.stream(shape).asLongStream().toArray();
    }

    /** The map behind a handle this model made. */
    private OrtFeatureMap own(FeatureMap map, String role) {
        Objects.requireNonNull(map, role);
        if (!(map instanceof OrtFeatureMap m) || m.owner() != this) {
            throw new IllegalArgumentException("The " + role + " feature map " + map
                    + " was not made by this model; feature maps only work with the model that made them");
        }
        return m;
    }

    private void checkImages(Tensor images) {
        checkOpen();
        StyleModel.checkImages(images);
    }
}
