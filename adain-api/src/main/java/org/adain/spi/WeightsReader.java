package org.adain.spi;

import java.nio.file.Path;

/**
 * Reads one weight-file format into the neutral {@link EncoderWeights} / {@link DecoderWeights}. Readers are
 * found with {@link java.util.ServiceLoader}: a jar registers its implementations in
 * {@code META-INF/services/org.adain.spi.WeightsReader}. The API picks, among the readers whose
 * {@link #canRead} accepts a file's leading bytes, the one of highest {@link #priority()} (the first found on a
 * tie), so the format is known from content, not the extension.
 *
 * <pre>{@code
 * public final class MyReader implements WeightsReader {
 *     public String formatName() { return "My format"; }
 *     public boolean canRead(Path file, byte[] head) { return head.length > 4 && head[0] == 'M'; }
 *     public EncoderWeights readEncoder(Path file) { ... }
 *     public DecoderWeights readDecoder(Path file) { ... }
 * }
 * }</pre>
 *
 * Implementations throw {@link org.adain.ModelException} naming the file and layer for anything wrong, and
 * must be safe to call from several threads.
 */
public interface WeightsReader {
    /**
     * A human-readable format name, e.g. "Keras HDF5".
     *
     * @return the format's name
     */
    String formatName();

    /**
     * Whether this reader understands the file, judged by its first bytes.
     *
     * @param file the file (some formats look further into it, or at its name)
     * @param head up to the first 512 bytes of the file
     * @return true when this reader should read the file
     */
    boolean canRead(Path file, byte[] head);

    /**
     * Which reader wins when several accept the same file: the highest. Readers of different formats never
     * compete; this decides between two readers of one format (a native one and a plain-Java one).
     *
     * @return the priority; 0 unless overridden
     */
    default int priority() {
        return 0;
    }

    /**
     * Reads the file as an encoder.
     *
     * @param file a file {@link #canRead} accepted
     * @return the encoder's weights
     * @throws org.adain.ModelException naming the file and what is wrong with it
     */
    EncoderWeights readEncoder(Path file);

    /**
     * Reads the file as a decoder.
     *
     * @param file a file {@link #canRead} accepted
     * @return the decoder's weights
     * @throws org.adain.ModelException naming the file and what is wrong with it
     */
    DecoderWeights readDecoder(Path file);
}
