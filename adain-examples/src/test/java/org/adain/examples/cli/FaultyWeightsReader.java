package org.adain.examples.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.adain.spi.DecoderWeights;
import org.adain.spi.EncoderWeights;
import org.adain.spi.WeightsReader;

/**
 * Test-only weight "format" that simulates bugs: a file starting with {@link #MAGIC} followed by "runtime"
 * throws an IllegalStateException, followed by "error" an UnsatisfiedLinkError. Real files are never claimed.
 */
public final class FaultyWeightsReader implements WeightsReader {
    static final String MAGIC = "ADAIN-TEST-FAULT:";

    @Override
    public String formatName() {
        return "test faults";
    }

    @Override
    public boolean canRead(Path file, byte[] head) {
        return new String(head, StandardCharsets.ISO_8859_1).startsWith(MAGIC);
    }

    @Override
    public EncoderWeights readEncoder(Path file) {
        throw fault(file);
    }

    @Override
    public DecoderWeights readDecoder(Path file) {
        throw fault(file);
    }

    private static RuntimeException fault(Path file) {
        String kind;
        try {
            kind = Files.readString(file, StandardCharsets.ISO_8859_1).substring(MAGIC.length()).strip();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        if (kind.equals("error")) {
            throw new UnsatisfiedLinkError("simulated native failure");
        }
        return new IllegalStateException("simulated bug in " + file.getFileName());
    }
}
