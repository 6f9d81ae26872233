package org.adain.spi;

/**
 * Entry point of a backend, found with {@link java.util.ServiceLoader} like a JDBC driver: a backend jar
 * lists its implementation in {@code META-INF/services/org.adain.spi.BackendProvider}. With several on the
 * classpath the highest {@link #priority()} wins unless the caller names one
 * ({@code StyleTransfer.builder().backend("dl4j")}) or the system property {@code adain.backend} does.
 *
 * <p>Precision: {@code StyleTransfer.builder().precision(..)} loads through
 * {@link #load(EncoderWeights, DecoderWeights, org.adain.Precision)}, whose default runs
 * {@link org.adain.Precision#FLOAT32} and refuses anything else; a float32-only backend implements just the
 * two-argument {@link #load(EncoderWeights, DecoderWeights)}. A backend with a reduced precision overrides the
 * three-argument method, converts the weights there, once, and returns a model whose
 * {@link StyleModel#precision()} says what it runs. It keeps the statistics, AdaIN, CORAL and its output in
 * float32, refuses a precision the machine cannot run fast (say so in the message, and how to force it if it
 * offers that), and checks itself with the conformance kit's reduced-precision mode, with tolerances it states.
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
    /**
     * The name users select this backend by, in code or with the system property {@code adain.backend}; the
     * selection ignores case.
     *
     * @return a short lowercase name, e.g. {@code "dl4j"}, unique among the backends on a class path and the same
     *         in every release (it appears in users' code and configuration)
     */
    String name();

    /**
     * Rank among the backends on the class path when no backend is named: the highest wins, ties go to the
     * name that sorts first. Keep the provider's construction cheap: every provider found is instantiated to read
     * it.
     *
     * @return the priority; {@code adain-dl4j} uses 100, so a specialised backend that should win by default
     *         returns more
     */
    int priority();

    /**
     * Builds the networks from validated weights: both constructors have checked the topology, and
     * {@code decoder.checkFits(encoder)} has passed. The weights are immutable, so the model may keep them.
     *
     * @param encoder the VGG-19 encoder up to relu4_1, of either {@link EncoderKind}
     * @param decoder the decoder whose input channels equal the encoder's relu4_1 channels
     * @return a new model owning its native memory until {@link StyleModel#close()}
     * @throws org.adain.BackendException the native runtime cannot start or cannot hold the weights; the message
     *                                    says what is missing (e.g. the native jar for this platform)
     */
    StyleModel load(EncoderWeights encoder, DecoderWeights decoder);

    /**
     * Builds the networks to run at a precision; {@code StyleTransfer.builder().build()} always calls this. The
     * default runs {@link org.adain.Precision#FLOAT32} with {@link #load(EncoderWeights, DecoderWeights)} and
     * refuses any other precision. A backend that implements another one overrides this, converts the weights
     * once here, and returns a model whose {@link StyleModel#precision()} is {@code precision}; the statistics,
     * AdaIN, CORAL and the decoded output stay float32.
     *
     * <pre>{@code
     * public StyleModel load(EncoderWeights e, DecoderWeights d, Precision precision) {
     *     if (precision == Precision.FLOAT32) {
     *         return load(e, d);
     *     }
     *     return new MyBf16Model(e, d);     // its precision() returns BF16
     * }
     * }</pre>
     *
     * @param encoder   as for {@link #load(EncoderWeights, DecoderWeights)}
     * @param decoder   as for {@link #load(EncoderWeights, DecoderWeights)}
     * @param precision the arithmetic of the encoder's and decoder's convolutions
     * @return a new model running at {@code precision}, owning its native memory until {@link StyleModel#close()}
     * @throws org.adain.BackendException the backend does not implement {@code precision} (this default, for all
     *                                    but {@code FLOAT32}; the message names the backend and the precision), the
     *                                    machine cannot run it, or as for
     *                                    {@link #load(EncoderWeights, DecoderWeights)}
     * @throws NullPointerException       {@code precision} is null
     */
    default StyleModel load(EncoderWeights encoder, DecoderWeights decoder, org.adain.Precision precision) {
        java.util.Objects.requireNonNull(precision, "precision");
        if (precision == org.adain.Precision.FLOAT32) {
            return load(encoder, decoder);
        }
        throw new org.adain.BackendException("Backend '" + name() + "' does not implement precision " + precision
                + ": it runs float32 only; use Precision.FLOAT32, or a backend that implements " + precision);
    }

    /**
     * Starts decoder training from {@code initial} with the encoder frozen. Backends that cannot train keep this
     * default, and their {@link StyleModel#capabilities()} lack {@link StyleModel.Capability#TRAINING}.
     *
     * @param encoder the frozen encoder whose features define the loss
     * @param initial the decoder to start from (a fresh one or a trained one); {@code initial.checkFits(encoder)}
     *                has passed
     * @param config  the optimiser's hyper-parameters and loss weights
     * @return a session at iteration 0 with {@code initial}'s weights; the caller closes it
     * @throws org.adain.BackendException always in this default; in a training backend, when its runtime cannot
     *                                    start
     */
    default DecoderTraining train(EncoderWeights encoder, DecoderWeights initial, TrainingConfig config) {
        throw new org.adain.BackendException("Backend '" + name() + "' cannot train decoders");
    }

    /**
     * The file name extension (without the dot) of the backend's own model format for decoders, e.g. {@code "fb"}
     * for DL4J's SameDiff graphs, or empty when it has none. A backend that names one registers a
     * {@link WeightsWriter} for it; {@code org.adain.train.DecoderTrainer} then writes {@code OUT/decoder.<ext>}
     * next to {@code decoder.h5}, so the trained decoder also runs on the backend's runtime without adain.
     *
     * @return the extension, e.g. {@code "fb"}, or empty (this default) when the backend has no format of its own
     */
    default java.util.Optional<String> nativeDecoderExtension() {
        return java.util.Optional.empty();
    }

    /**
     * Describes the runtime for bug reports; {@link org.adain.StyleTransfer#debugEnvironment()} prints it indented
     * under the backend's name. It may start the native runtime; an exception it throws is reported in that
     * printout as "failed to start", so its message should say why.
     *
     * @return one or more lines separated by {@code \n} (native library and its version, device, threads, memory
     *         limits); this default gives just {@link #name()}
     */
    default String describeEnvironment() {
        return name();
    }
}
