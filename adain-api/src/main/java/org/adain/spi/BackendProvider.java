package org.adain.spi;

/**
 * Entry point of a backend, found with {@link java.util.ServiceLoader} like a JDBC driver: a backend jar
 * lists its implementation in {@code META-INF/services/org.adain.spi.BackendProvider}. With several on the
 * classpath the highest {@link #priority()} wins unless the caller names one
 * ({@code StyleTransfer.builder().backend("dl4j")}) or the system property {@code adain.backend} does.
 *
 * <pre>{@code
 * public final class MyProvider implements BackendProvider {
 *     public String name() { return "mine"; }
 *     public int priority() { return 10; }
 *     public StyleModel load(EncoderWeights e, DecoderWeights d) { return new MyModel(e, d); }
 * }
 * }</pre>
 */
public interface BackendProvider {
    /** Short lowercase name users select it by, e.g. "dl4j". */
    String name();

    /** Higher wins when no backend is named. */
    int priority();

    /**
     * Builds the networks from validated weights ({@code decoder.checkFits(encoder)} has passed).
     * Throws {@link org.adain.BackendException} when the native runtime cannot start.
     */
    StyleModel load(EncoderWeights encoder, DecoderWeights decoder);

    /**
     * Starts decoder training from {@code initial} with the encoder frozen. Backends that cannot train keep this
     * default, and their {@link StyleModel#capabilities()} lack {@link StyleModel.Capability#TRAINING}.
     */
    default DecoderTraining train(EncoderWeights encoder, DecoderWeights initial, TrainingConfig config) {
        throw new org.adain.BackendException("Backend '" + name() + "' cannot train decoders");
    }

    /**
     * The file name extension (without the dot) of the backend's own model format for decoders, e.g. {@code "fb"}
     * for DL4J's SameDiff graphs, or empty when it has none. A backend that names one registers a
     * {@link WeightsWriter} for it; {@code org.adain.train.DecoderTrainer} then writes {@code OUT/decoder.<ext>}
     * next to {@code decoder.h5}, so the trained decoder also runs on the backend's runtime without adain.
     */
    default java.util.Optional<String> nativeDecoderExtension() {
        return java.util.Optional.empty();
    }

    /** Multi-line description of the runtime (native library, device, threads, memory) for bug reports. */
    default String describeEnvironment() {
        return name();
    }
}
