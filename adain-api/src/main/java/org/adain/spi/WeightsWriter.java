package org.adain.spi;

import java.nio.file.Path;

/**
 * Writes {@link EncoderWeights} / {@link DecoderWeights} in one weight-file format: the other half of
 * {@link WeightsReader}, used by {@code org.adain.format.WeightConversion} ({@code adain convert IN OUT}). Writers are
 * found with {@link java.util.ServiceLoader}: a jar registers its implementations in
 * {@code META-INF/services/org.adain.spi.WeightsWriter}. Of the writers whose {@link #canWrite} accepts the
 * target path, the one of highest {@link #priority()} is used (the first found on a tie), so the output format
 * follows the target's extension.
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
    /** A human-readable format name, e.g. "Keras HDF5". */
    String formatName();

    /** Whether this writer produces the format the target's name asks for (normally judged by its extension). */
    boolean canWrite(Path target);

    /**
     * Which writer wins when several accept the same target: the highest. This decides between two writers of
     * one format (a native one and a plain-Java one).
     *
     * @return the priority; 0 unless overridden
     */
    default int priority() {
        return 0;
    }

    void writeEncoder(EncoderWeights weights, Path target);

    void writeDecoder(DecoderWeights weights, Path target);
}
