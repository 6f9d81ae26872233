package org.adain.examples.cli;

import org.adain.spi.BackendProvider;
import org.adain.spi.DecoderWeights;
import org.adain.spi.EncoderWeights;
import org.adain.spi.StyleModel;

/**
 * Test-only backend "faulty", lowest priority so it is used only when named: lets the internal-error tests
 * reach {@link FaultyWeightsReader} whether or not a real backend is on the classpath.
 */
public final class FaultyBackend implements BackendProvider {
    @Override
    public String name() {
        return "faulty";
    }

    @Override
    public int priority() {
        return Integer.MIN_VALUE;
    }

    @Override
    public StyleModel load(EncoderWeights encoder, DecoderWeights decoder) {
        throw new UnsupportedOperationException("the test backend 'faulty' runs no models");
    }
}
