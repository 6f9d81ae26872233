package org.adain.spi;

import java.nio.file.Path;

/**
 * Writes {@link EncoderWeights} / {@link DecoderWeights} in one weight-file format: the other half of
 * {@link WeightsReader}, used by {@code org.adain.format.WeightConversion} ({@code adain convert IN OUT}). Writers are
 * found with {@link java.util.ServiceLoader}: a jar registers its implementations in
 * {@code META-INF/services/org.adain.spi.WeightsWriter}. Of the writers whose {@link #canWrite} accepts the target
 * path, the one with the highest {@link #priority()} is used (ties: class-path order), so the output format follows
 * the target's extension.
 *
 * <pre>{@code
 * public final class MyWriter implements WeightsWriter {
 *     public String formatName() { return "My format"; }
 *     public boolean canWrite(Path target) { return target.toString().endsWith(".my"); }
 *     public void writeEncoder(EncoderWeights w, Path target) { ... }
 *     public void writeDecoder(DecoderWeights w, Path target) { ... }
 * }
 * }</pre>
 *
 * A writer writes exactly the given path (creating or truncating it; the caller writes to a temporary file and
 * renames it), throws {@link org.adain.ModelException} when the weights cannot be expressed in its format and
 * {@link org.adain.AdainException} when the file cannot be written, and must be safe to call from several threads.
 * What it writes must read back, with the format's reader, to weights equal to the ones given.
 */
public interface WeightsWriter {
    /**
     * A human-readable format name, e.g. "Keras HDF5".
     *
     * @return the name
     */
    String formatName();

    /**
     * Whether this writer produces the format the target's name asks for (normally judged by its extension).
     *
     * @param target the file to be written
     * @return true when this writer writes that format
     */
    boolean canWrite(Path target);

    /**
     * Precedence over other writers that accept the same target: the highest wins. Writers of different formats
     * never compete, so this only matters when two implementations of one format are on the class path.
     *
     * @return the priority, 0 unless overridden
     */
    default int priority() {
        return 0;
    }

    /**
     * Writes an encoder.
     *
     * @param weights the encoder
     * @param target  the file to create or truncate
     * @throws org.adain.ModelException the weights cannot be expressed in this format
     * @throws org.adain.AdainException the file cannot be written
     */
    void writeEncoder(EncoderWeights weights, Path target);

    /**
     * Writes a decoder.
     *
     * @param weights the decoder
     * @param target  the file to create or truncate
     * @throws org.adain.ModelException the weights cannot be expressed in this format
     * @throws org.adain.AdainException the file cannot be written
     */
    void writeDecoder(DecoderWeights weights, Path target);
}
