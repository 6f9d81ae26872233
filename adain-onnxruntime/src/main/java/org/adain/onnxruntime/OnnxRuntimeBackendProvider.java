package org.adain.onnxruntime;

import ai.onnxruntime.OrtEnvironment;
import java.util.Objects;
import org.adain.BackendException;
import org.adain.spi.BackendProvider;
import org.adain.spi.DecoderWeights;
import org.adain.spi.EncoderWeights;
import org.adain.spi.StyleModel;

/**
 * The ONNX Runtime backend ("onnxruntime"), registered for {@link java.util.ServiceLoader}: inference only (no
 * training), the encoder and decoder built as ONNX graphs in memory from the weights of any format, on the CPU
 * natives that ONNX Runtime's one jar carries for Linux x64/aarch64, macOS x64/arm64 and Windows x64, or on CUDA
 * with the {@code onnxruntime_gpu} jar. Its priority (50) is below adain-dl4j's (100): with both on the class path
 * dl4j stays the default (it also trains); name this one with {@code StyleTransfer.builder().backend("onnxruntime")}
 * or {@code -Dadain.backend=onnxruntime}, or depend on adain-onnxruntime alone.
 *
 * <p>The service-loaded instance reads two system properties when a model is loaded:
 * {@value #DEVICE_PROPERTY} ({@code cpu} by default, {@code cuda}, {@code cuda:<id>} or {@code auto}: CUDA when it
 * starts, else the CPU with a logged warning) and {@value #THREADS_PROPERTY} (intra-op threads; 0 or unset:
 * {@code OMP_NUM_THREADS} when set, else the available processors). In code, {@link #builder()} sets them:
 *
 * <pre>{@code
 * StyleTransfer st = StyleTransfer.builder().encoder(enc).decoder(dec)
 *         .backend(OnnxRuntimeBackendProvider.builder().device("cuda").intraOpThreads(4).build())
 *         .build();
 * }</pre>
 */
public final class OnnxRuntimeBackendProvider implements BackendProvider {
    /** The name users select this backend by. */
    public static final String NAME = "onnxruntime";
    /** System property: the device, {@code cpu} (default), {@code cuda}, {@code cuda:<id>} or {@code auto}. */
    public static final String DEVICE_PROPERTY = "adain.onnxruntime.device";
    /**
     * System property: ONNX Runtime's intra-op threads per session; 0 or unset: {@code OMP_NUM_THREADS} when set,
     * else the available processors.
     */
    public static final String THREADS_PROPERTY = "adain.onnxruntime.threads";

    private final String device;
    private final Integer threads;

    /** For {@link java.util.ServiceLoader}: the settings come from the system properties at each {@link #load}. */
    public OnnxRuntimeBackendProvider() {
        this(null, null);
    }

    private OnnxRuntimeBackendProvider(String device, Integer threads) {
        this.device = device;
        this.threads = threads;
    }

    /**
     * Settings in code instead of system properties.
     *
     * @return a builder with the CPU and the default threads (OMP_NUM_THREADS, else the available processors)
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The backend's name.
     *
     * @return {@value #NAME}
     */
    @Override
    public String name() {
        return NAME;
    }

    /**
     * The rank among backends: below adain-dl4j's 100, so dl4j, which also trains, stays the default when both are
     * on the class path.
     *
     * @return 50
     */
    @Override
    public int priority() {
        return 50;
    }

    /**
     * Builds the ONNX graphs of both networks from the weights and starts one ONNX Runtime session for each. The
     * model is thread-safe (it declares {@code THREAD_SAFE}) and declares neither {@code TRAINING} nor
     * {@code LOSSES}.
     *
     * @param encoder the validated encoder, either flavour
     * @param decoder the validated decoder that fits it
     * @return a model owning native sessions until closed
     * @throws BackendException ONNX Runtime cannot start (its natives for this platform, or CUDA when asked for: the
     *                          message says what is missing), or a system property holds an invalid value
     */
    @Override
    public StyleModel load(EncoderWeights encoder, DecoderWeights decoder) {
        Objects.requireNonNull(encoder, "encoder");
        Objects.requireNonNull(decoder, "decoder");
        decoder.checkFits(encoder);
        return new OrtStyleModel(encoder, decoder, settings());
    }

    /**
     * ONNX Runtime's version, the execution providers of the jar on the class path, the device and threads this
     * provider would use, the processors and the Java version. Never throws: when the natives do not load it says
     * so and why.
     *
     * @return several lines for bug reports
     */
    @Override
    public String describeEnvironment() {
        StringBuilder sb = new StringBuilder();
        try {
            OrtEnvironment env = OrtEnvironment.getEnvironment();
            sb.append("ONNX Runtime ").append(env.getVersion()).append(" (")
                    .append(OrtSettings.cudaBuild() ? OrtSettings.GPU_ARTIFACT : "com.microsoft.onnxruntime:onnxruntime")
                    .append(")\nexecution providers: ").append(OrtEnvironment.getAvailableProviders());
        } catch (RuntimeException | LinkageError e) {
            sb.append("ONNX Runtime failed to start: ").append(e);
        }
        String settings;
        try {
            settings = settings().describe();
        } catch (BackendException e) {
            settings = e.getMessage();
        }
        sb.append('\n').append(settings).append("\nprocessors: ").append(Runtime.getRuntime().availableProcessors())
                .append("\njava: ").append(System.getProperty("java.version")).append(" on ")
                .append(System.getProperty("os.name")).append('/').append(System.getProperty("os.arch"));
        return sb.toString();
    }

    /** The builder's settings, else the system properties'. */
    OrtSettings settings() {
        int t;
        if (threads != null) {
            t = threads;
        } else {
            String v = System.getProperty(THREADS_PROPERTY, "0").trim();
            try {
                t = Integer.parseInt(v);
            } catch (NumberFormatException e) {
                throw new BackendException("-D" + THREADS_PROPERTY + "=" + v + " is not a number of threads", e);
            }
        }
        String d = device != null ? device : System.getProperty(DEVICE_PROPERTY, "cpu");
        String origin = device != null ? "OnnxRuntimeBackendProvider.builder().device(...)" : "-D" + DEVICE_PROPERTY;
        try {
            return OrtSettings.withDevice(d, t, origin);
        } catch (IllegalArgumentException e) {
            throw new BackendException(e.getMessage() + (threads == null && t < 0 ? " (-D" + THREADS_PROPERTY + ")"
                    : ""), e);
        }
    }

    /**
     * Settings of an {@link OnnxRuntimeBackendProvider} in code; {@link #build()} validates them.
     *
     * <pre>{@code
     * BackendProvider ort = OnnxRuntimeBackendProvider.builder().device("auto").intraOpThreads(2).build();
     * }</pre>
     */
    public static final class Builder {
        private String device = "cpu";
        private int threads;

        private Builder() {
        }

        /**
         * Where the networks run.
         *
         * @param device {@code cpu} (default); {@code cuda} or {@code cuda:<id>}, which needs the
         *               {@code onnxruntime_gpu} jar, CUDA 12, cuDNN 9 and a driver, and fails at load naming what
         *               is missing; or {@code auto}: CUDA when it starts, else the CPU with a logged warning
         * @return this builder
         */
        public Builder device(String device) {
            this.device = Objects.requireNonNull(device, "device");
            return this;
        }

        /**
         * ONNX Runtime's intra-op threads for each of the model's two sessions.
         *
         * @param threads ≥ 1, or 0 (default) for {@code OMP_NUM_THREADS} when set, else the available processors
         * @return this builder
         */
        public Builder intraOpThreads(int threads) {
            this.threads = threads;
            return this;
        }

        /**
         * A provider with these settings; pass it to {@code StyleTransfer.builder().backend(provider)}.
         *
         * @return the provider
         * @throws IllegalArgumentException an unknown device or negative threads (the message names the value)
         */
        public OnnxRuntimeBackendProvider build() {
            OrtSettings.withDevice(device, threads, "OnnxRuntimeBackendProvider.builder().device(...)");
            return new OnnxRuntimeBackendProvider(device, threads);
        }
    }
}
