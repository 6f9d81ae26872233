package org.adain.fake;

import java.util.Optional;
import org.adain.spi.BackendProvider;
import org.adain.spi.DecoderTraining;
import org.adain.spi.DecoderWeights;
import org.adain.spi.EncoderWeights;
import org.adain.spi.StyleModel;
import org.adain.spi.TrainingConfig;

/** A pure-Java stand-in backend so the API's orchestration can be tested without native code. */
public final class FakeBackendProvider implements BackendProvider {
    @Override
    public String name() {
        return "fake";
    }

    @Override
    public int priority() {
        return 1;
    }

    @Override
    public StyleModel load(EncoderWeights encoder, DecoderWeights decoder) {
        return new FakeStyleModel();
    }

    /** A deterministic toy optimisation ({@link FakeDecoderTraining}). */
    @Override
    public DecoderTraining train(EncoderWeights encoder, DecoderWeights initial, TrainingConfig config) {
        initial.checkFits(encoder);
        return new FakeDecoderTraining(initial, config);
    }

    /** Makes the trainer export {@code decoder.fake} too, written by {@link FakeWeightsWriter}. */
    @Override
    public Optional<String> nativeDecoderExtension() {
        return Optional.of("fake");
    }

    @Override
    public String describeEnvironment() {
        return "fake backend, pure Java";
    }
}
