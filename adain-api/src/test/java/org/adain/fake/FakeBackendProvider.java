package org.adain.fake;

import java.util.Optional;
import org.adain.Precision;
import org.adain.spi.BackendProvider;
import org.adain.spi.DecoderTraining;
import org.adain.spi.DecoderWeights;
import org.adain.spi.EncoderWeights;
import org.adain.spi.StyleModel;
import org.adain.spi.TrainingConfig;

/** A pure-Java stand-in backend so the API's orchestration can be tested without native code. */
public final class FakeBackendProvider implements BackendProvider {
    /** The precision besides float32 this instance implements, or null (the ServiceLoader's: float32 only). */
    private final Precision implemented;
    /** What its models report for {@link #implemented}: the same for a correct backend. */
    private final Precision reported;

    /** The registered fake: float32 only, the SPI's default three-argument load. */
    public FakeBackendProvider() {
        this(null, null);
    }

    private FakeBackendProvider(Precision implemented, Precision reported) {
        this.implemented = implemented;
        this.reported = reported;
    }

    /**
     * A fake that also loads at {@code implemented}, its models then reporting {@code reported} from
     * {@link StyleModel#precision()}: equal for a correct backend, different for a buggy one.
     */
    public static FakeBackendProvider withPrecision(Precision implemented, Precision reported) {
        return new FakeBackendProvider(implemented, reported);
    }

    @Override
    public StyleModel load(EncoderWeights encoder, DecoderWeights decoder, Precision precision) {
        if (implemented == null || precision != implemented) {
            return BackendProvider.super.load(encoder, decoder, precision);
        }
        FakeStyleModel m = new FakeStyleModel();
        m.precision = reported;
        return m;
    }

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
