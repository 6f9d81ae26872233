package org.adain.dl4j;

import java.util.Optional;
import org.adain.dl4j.modelimport.SameDiffWeightsWriter;
import org.adain.dl4j.train.Dl4jDecoderTraining;
import org.adain.spi.BackendProvider;
import org.adain.spi.DecoderTraining;
import org.adain.spi.DecoderWeights;
import org.adain.spi.EncoderWeights;
import org.adain.spi.StyleModel;
import org.adain.spi.TrainingConfig;

/**
 * The Deeplearning4j/ND4J backend ("dl4j"), registered for {@link java.util.ServiceLoader}. Construction is
 * cheap; the native runtime starts on the first {@link #load} or {@link #describeEnvironment()}.
 *
 * <pre>{@code
 * StyleModel m = new Dl4jBackendProvider().load(encoderWeights, decoderWeights);
 * }</pre>
 */
public final class Dl4jBackendProvider implements BackendProvider {
    /** The name users select this backend by. */
    public static final String NAME = "dl4j";

    public Dl4jBackendProvider() {
        // ServiceLoader needs a public no-arg constructor; ND4J starts lazily.
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int priority() {
        return 100;
    }

    /** @throws org.adain.BackendException when ND4J's natives cannot load (names the expected native jar) */
    @Override
    public StyleModel load(EncoderWeights encoder, DecoderWeights decoder) {
        Nd4jRuntime.start();
        return new Dl4jStyleModel(encoder, decoder);
    }

    /**
     * Decoder training: eager ND4J ops with a hand-written backward pass and PyTorch's Adam
     * ({@link Dl4jDecoderTraining}), both encoder flavours.
     *
     * @throws org.adain.BackendException when ND4J's natives cannot load
     */
    @Override
    public DecoderTraining train(EncoderWeights encoder, DecoderWeights initial, TrainingConfig config) {
        Nd4jRuntime.start();
        return new Dl4jDecoderTraining(encoder, initial, config, Nd4jRuntime.bufferPoolBytes("this training session"));
    }

    /**
     * {@code "fb"}: DL4J's native graph format, a SameDiff FlatBuffers file
     * ({@link org.adain.dl4j.modelimport.SameDiffWeightsWriter}) that {@code SameDiff.load(file, false)} runs.
     */
    @Override
    public Optional<String> nativeDecoderExtension() {
        return Optional.of(SameDiffWeightsWriter.EXTENSION);
    }

    @Override
    public String describeEnvironment() {
        return Nd4jRuntime.describeEnvironment();
    }
}
