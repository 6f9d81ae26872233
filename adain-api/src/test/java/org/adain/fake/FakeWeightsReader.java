package org.adain.fake;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.adain.spi.ConvLayer;
import org.adain.spi.DecoderWeights;
import org.adain.spi.EncoderKind;
import org.adain.spi.EncoderWeights;
import org.adain.spi.WeightsReader;

/**
 * Accepts files starting with "FAKEWEIGHTS" and returns a tiny valid topology; a file that goes on with {@link #BUG}
 * makes it throw as a buggy reader would.
 */
public final class FakeWeightsReader implements WeightsReader {
    public static final byte[] MAGIC = "FAKEWEIGHTS".getBytes(StandardCharsets.US_ASCII);
    /** After the magic: the reader throws an IllegalArgumentException, not an AdainException. */
    public static final String BUG = "!BUG";

    @Override
    public String formatName() {
        return "Fake test weights";
    }

    @Override
    public boolean canRead(Path file, byte[] head) {
        if (head.length < MAGIC.length) {
            return false;
        }
        for (int i = 0; i < MAGIC.length; i++) {
            if (head[i] != MAGIC[i]) {
                return false;
            }
        }
        return true;
    }

    static ConvLayer conv(String name, int out, int in, int k) {
        return new ConvLayer(name, out, in, k, k, new float[out * in * k * k], new float[out]);
    }

    private static void failIfBuggy(Path file) {
        if (!Files.isRegularFile(file)) {
            return; // tests call the reader directly with names only
        }
        try {
            if (new String(Files.readAllBytes(file), StandardCharsets.US_ASCII).contains(BUG)) {
                throw new IllegalArgumentException("index 11 out of range in " + file.getFileName());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public EncoderWeights readEncoder(Path file) {
        failIfBuggy(file);
        int[][] io = {{3, 2}, {2, 2}, {2, 3}, {3, 3}, {3, 4}, {4, 4}, {4, 4}, {4, 4}, {4, 3}};
        List<ConvLayer> convs = new ArrayList<>();
        for (int i = 0; i < io.length; i++) {
            convs.add(conv(EncoderWeights.CONV_NAMES.get(i), io[i][1], io[i][0], 3));
        }
        return new EncoderWeights(EncoderKind.NORMALISED_VGG19, conv("pre", 3, 3, 1), convs, file.toString());
    }

    @Override
    public DecoderWeights readDecoder(Path file) {
        failIfBuggy(file);
        int[][] io = {{3, 4}, {4, 4}, {4, 4}, {4, 4}, {4, 3}, {3, 3}, {3, 2}, {2, 2}, {2, 3}};
        List<ConvLayer> convs = new ArrayList<>();
        for (int i = 0; i < io.length; i++) {
            convs.add(conv("d" + i, io[i][1], io[i][0], 3));
        }
        return new DecoderWeights(convs, file.toString());
    }
}
