package org.adain.dl4j.modelimport;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import org.adain.AdainException;
import org.adain.BackendException;
import org.adain.ModelException;
import org.adain.format.SafeText;
import org.adain.spi.DecoderWeights;
import org.adain.spi.EncoderWeights;
import org.adain.spi.WeightsReader;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * Reads back the decoders {@link SameDiffWeightsWriter} writes ({@code .fb}, DL4J's SameDiff FlatBuffers graph), so
 * a decoder exported that way works wherever a decoder file is taken. FlatBuffers files carry no signature, so this
 * reader, unlike the others, goes by the {@code .fb} extension; the file must then hold the graph layout adain writes
 * (a version marker and the nine convolutions by name). Registered in
 * {@code META-INF/services/org.adain.spi.WeightsReader}; thread-safe.
 *
 * <pre>{@code
 * DecoderWeights d = new SameDiffWeightsReader().readDecoder(Path.of("runs/x/decoder.fb"));
 * }</pre>
 */
public final class SameDiffWeightsReader implements WeightsReader {

    /** Creates a reader; loads no native code until a file is read. */
    public SameDiffWeightsReader() {
    }

    @Override
    public String formatName() {
        return "SameDiff FlatBuffers (DL4J)";
    }

    /** Named {@code .fb}, and the first four bytes are a plausible FlatBuffers root offset. */
    @Override
    public boolean canRead(Path file, byte[] head) {
        return SameDiffWeightsWriter.hasExtension(file) && head != null && head.length >= 8
                && plausibleRoot(ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN).getInt(0), Long.MAX_VALUE);
    }

    private static boolean plausibleRoot(int rootOffset, long size) {
        return rootOffset >= 4 && rootOffset % 4 == 0 && rootOffset < size;
    }

    /** @throws ModelException always: the format holds decoders only */
    @Override
    public EncoderWeights readEncoder(Path file) {
        throw new ModelException(name(file) + ": a SameDiff (.fb) file holds a decoder, not an encoder");
    }

    @Override
    public DecoderWeights readDecoder(Path file) {
        Objects.requireNonNull(file, "file");
        String name = name(file);
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new ModelException(name + ": cannot read the file (" + e + ")", e);
        }
        if (bytes.length < 8 || !plausibleRoot(ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getInt(0),
                bytes.length)) {
            throw new ModelException(name + ": not a SameDiff FlatBuffers file (" + bytes.length + " bytes, no valid "
                    + "root table)");
        }
        FlatBufferBounds.check(bytes, name);   // its ModelException names the array and field: not wrapped again
        SameDiff sd;
        try {
            sd = SameDiff.fromFlatBuffers(ByteBuffer.wrap(bytes), false);
        } catch (LinkageError e) {
            throw new BackendException("Cannot read " + name + ": the ND4J native library failed to load (" + e + ")",
                    e);
        } catch (RuntimeException | IOException e) {
            throw new ModelException(name + ": not a readable SameDiff FlatBuffers file (truncated or corrupt: "
                    + SafeText.of(e.toString()) + ")", e);
        }
        try {
            return SameDiffDecoderGraph.weights(sd, name);
        } catch (ModelException e) {
            // a layer's own check (a NaN weight, a shape) does not know the file
            String m = String.valueOf(e.getMessage());
            throw m.startsWith(name + ":") ? e : new ModelException(name + ": " + m, e);
        } catch (AdainException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new ModelException(name + ": cannot take the decoder weights from the graph ("
                    + SafeText.of(e.toString()) + ")", e);
        }
    }

    private static String name(Path file) {
        Path n = file.getFileName();
        return n == null ? file.toString() : n.toString();
    }
}
