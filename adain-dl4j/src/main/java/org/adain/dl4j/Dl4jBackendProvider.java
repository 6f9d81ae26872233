package org.adain.dl4j;

import java.util.Objects;
import java.util.Optional;
import org.adain.BackendException;
import org.adain.Precision;
import org.adain.dl4j.graph.Dnnl;
import org.adain.dl4j.modelimport.SameDiffWeightsWriter;
import org.adain.dl4j.train.Dl4jDecoderTraining;
import org.adain.spi.BackendProvider;
import org.adain.spi.DecoderTraining;
import org.adain.spi.DecoderWeights;
import org.adain.spi.EncoderWeights;
import org.adain.spi.StyleModel;
import org.adain.spi.TrainingConfig;

/**
 * The Deeplearning4j/ND4J backend ("dl4j"), registered for {@link java.util.ServiceLoader}: with
 * {@code adain-dl4j} on the class path, {@code StyleTransfer} uses it without naming it. Construction is cheap;
 * the native runtime starts on the first {@link #load}, {@link #train} or {@link #describeEnvironment()}.
 * Models run eager ND4J ops in float32 on the CPU natives of the platform Maven resolved (oneDNN builds on
 * x86-64), or on CUDA with {@code adain-dl4j-cuda}; with {@link Precision#BF16} on a CPU with avx512_bf16 or AMX,
 * the encoder's and decoder's convolutions run in bfloat16 on oneDNN 2.5 called directly
 * ({@link #load(EncoderWeights, DecoderWeights, Precision)}).
 *
 * <pre>{@code
 * StyleModel m = new Dl4jBackendProvider().load(encoderWeights, decoderWeights);
 * }</pre>
 */
public final class Dl4jBackendProvider implements BackendProvider {
    /** The name users select this backend by. */
    public static final String NAME = "dl4j";
    /**
     * Set to {@code true} to run {@link Precision#BF16} where oneDNN only emulates it (AVX-512 without avx512_bf16:
     * slower than float32).
     */
    public static final String ALLOW_EMULATED_BF16_PROPERTY = "adain.dl4j.bf16.allowEmulated";

    /** For {@link java.util.ServiceLoader}; starts nothing (ND4J starts on first use). */
    public Dl4jBackendProvider() {
        // ServiceLoader needs a public no-arg constructor; ND4J starts lazily.
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
     * The default rank among backends.
     *
     * @return 100
     */
    @Override
    public int priority() {
        return 100;
    }

    /**
     * Starts ND4J if needed and converts the weights to native float32 arrays. The model is not thread-safe (it
     * does not declare {@code THREAD_SAFE}, so the API serialises calls) and declares {@code TRAINING} and
     * {@code LOSSES}.
     *
     * @param encoder the validated encoder, either flavour
     * @param decoder the validated decoder that fits it
     * @return a model owning native memory until closed
     * @throws org.adain.BackendException ND4J's natives cannot load (the message names the native jar expected for
     *                                    this platform), or converting the weights fails in ND4J
     */
    @Override
    public StyleModel load(EncoderWeights encoder, DecoderWeights decoder) {
        Nd4jRuntime.start();
        return new Dl4jStyleModel(encoder, decoder);
    }

    /**
     * {@link Precision#FLOAT32} as {@link #load(EncoderWeights, DecoderWeights)}; {@link Precision#BF16} runs the
     * encoder's and decoder's convolutions in bfloat16 through oneDNN 2.5 called directly (the statistics, AdaIN,
     * CORAL, the output, the loss taps and training stay float32 ND4J). BF16 needs the CPU natives of x86-64 and a
     * CPU that multiplies bfloat16 natively (avx512_bf16, e.g. Intel Cooper Lake and later or AMD Zen 4, or AMX).
     * On AVX-512 without it oneDNN only emulates bf16, slower than float32: refused unless
     * {@code -D}{@value #ALLOW_EMULATED_BF16_PROPERTY}{@code =true} asks for it (to check the output on such a
     * machine, say). Without AVX-512, on ARM64, without oneDNN's natives or on CUDA: refused.
     *
     * <pre>{@code
     * StyleModel m = new Dl4jBackendProvider().load(encoderWeights, decoderWeights, Precision.BF16);
     * }</pre>
     *
     * @param encoder   the validated encoder, either flavour
     * @param decoder   the validated decoder that fits it
     * @param precision FLOAT32 or BF16
     * @return a model owning native memory until closed, whose {@code precision()} is {@code precision}
     * @throws org.adain.BackendException ND4J's natives cannot load, or BF16 cannot run here (the message names the
     *                                    CPU's oneDNN ISA and what would run it)
     */
    @Override
    public StyleModel load(EncoderWeights encoder, DecoderWeights decoder, Precision precision) {
        Objects.requireNonNull(precision, "precision");
        if (precision == Precision.FLOAT32) {
            return load(encoder, decoder);
        }
        Nd4jRuntime.start();
        checkBf16(Nd4jRuntime.isCpu(), Dnnl.bf16Support(), Boolean.getBoolean(ALLOW_EMULATED_BF16_PROPERTY));
        return new Dl4jStyleModel(encoder, decoder, true);
    }

    /** The BF16 policy: native runs, emulated only when allowed, the rest is refused with the reason. */
    static void checkBf16(boolean cpu, Dnnl.Bf16Support support, boolean allowEmulated) {
        if (!cpu) {
            throw new BackendException("Backend 'dl4j' runs precision BF16 on the CPU natives only, not on CUDA "
                    + "(adain-dl4j-cuda): use Precision.FLOAT32 there");
        }
        switch (support.level()) {
            case NATIVE -> {
                return;
            }
            case EMULATED -> {
                if (allowEmulated) {
                    Dl4jLog.LOGGER.log(System.Logger.Level.WARNING, () -> "Running precision BF16 although "
                            + support.message() + " (-D" + ALLOW_EMULATED_BF16_PROPERTY + "=true)");
                    return;
                }
                throw new BackendException("Backend 'dl4j' refuses precision BF16 here: " + support.message()
                        + ". Use Precision.FLOAT32, or set -D" + ALLOW_EMULATED_BF16_PROPERTY + "=true to run it "
                        + "anyway");
            }
            default -> throw new BackendException("Backend 'dl4j' cannot run precision BF16 here: "
                    + support.message() + ". Use Precision.FLOAT32");
        }
    }

    /**
     * Decoder training with eager ND4J ops, a hand-written backward pass and PyTorch's Adam, for both encoder
     * flavours.
     *
     * @param encoder the frozen encoder
     * @param initial the decoder to start from
     * @param config  the optimiser's settings and loss weights
     * @return a session at iteration 0; not thread-safe, holds native memory until closed
     * @throws org.adain.BackendException ND4J's natives cannot load
     * @throws org.adain.ModelException   the decoder does not fit the encoder
     */
    @Override
    public DecoderTraining train(EncoderWeights encoder, DecoderWeights initial, TrainingConfig config) {
        Nd4jRuntime.start();
        return new Dl4jDecoderTraining(encoder, initial, config, Nd4jRuntime.bufferPoolBytes("this training session"));
    }

    /**
     * DL4J's native graph format: a trained decoder is also written as a SameDiff FlatBuffers file that
     * {@code SameDiff.load(file, false)} runs without adain.
     *
     * @return {@code "fb"}
     */
    @Override
    public Optional<String> nativeDecoderExtension() {
        return Optional.of(SameDiffWeightsWriter.EXTENSION);
    }

    /**
     * ND4J's version and backend, the native library and where it was loaded from, oneDNN, BLAS, threads,
     * off-heap limits, the buffer reuse limit and the Java version. Never throws: when the natives do not load,
     * it says so and why.
     *
     * @return several lines for bug reports
     */
    @Override
    public String describeEnvironment() {
        return Nd4jRuntime.describeEnvironment();
    }
}
