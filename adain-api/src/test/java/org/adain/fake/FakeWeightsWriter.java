package org.adain.fake;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.adain.AdainException;
import org.adain.spi.DecoderWeights;
import org.adain.spi.EncoderWeights;
import org.adain.spi.WeightsWriter;

/**
 * A test writer that only takes targets in a directory named {@code export-*}, so it never changes what other tests
 * see: in {@code export-fails} it fails like a full disk, elsewhere it writes a one-line summary.
 */
public final class FakeWeightsWriter implements WeightsWriter {
    @Override
    public String formatName() {
        return "Fake test export";
    }

    @Override
    public boolean canWrite(Path target) {
        Path parent = target.toAbsolutePath().getParent();
        // the trainer writes a hidden temporary file next to the target: judge by the directory only
        return parent != null && parent.getFileName() != null && parent.getFileName().toString().startsWith("export-");
    }

    @Override
    public void writeEncoder(EncoderWeights weights, Path target) {
        throw new AdainException("Fake test export writes decoders only");
    }

    @Override
    public void writeDecoder(DecoderWeights weights, Path target) {
        if (target.toAbsolutePath().getParent().getFileName().toString().equals("export-fails")) {
            throw new AdainException("No space left on device (simulated)");
        }
        try {
            Files.writeString(target, "FAKE DECODER " + weights.convs().size() + " convs, first kernel value "
                    + weights.convs().get(0).kernelOihw()[0]);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
