package org.adain.dl4j.modelimport;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import org.adain.AdainException;
import org.adain.BackendException;
import org.adain.ModelException;
import org.adain.spi.DecoderWeights;
import org.adain.spi.EncoderWeights;
import org.adain.spi.WeightsWriter;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * Writes a decoder in DL4J's native graph format: a SameDiff graph saved as FlatBuffers ({@code .fb}), which any
 * ND4J program runs without adain:
 *
 * <pre>{@code
 * SameDiff decoder = SameDiff.load(new File("decoder.fb"), false);
 * INDArray image = decoder.outputSingle(Map.of("features", features), "image");   // N×C×h×w → N×3×8h×8w
 * }</pre>
 *
 * The layout (names, shapes, ops) is described in docs/FORMATS.md; {@link SameDiffWeightsReader} reads the weights
 * back. Decoders only: an encoder stays in its own format, since its input handling (preprocessing conv, ceil-mode
 * pooling, the Keras-applications variant) is part of the library rather than of a portable graph. Registered in
 * {@code META-INF/services/org.adain.spi.WeightsWriter} for targets named {@code .fb}. Thread-safe (no shared state).
 */
public final class SameDiffWeightsWriter implements WeightsWriter {
    /** The file name extension of the format, without the dot. */
    public static final String EXTENSION = "fb";

    /** Creates a writer; loads no native code until a file is written. */
    public SameDiffWeightsWriter() {
    }

    @Override
    public String formatName() {
        return "SameDiff FlatBuffers (DL4J)";
    }

    @Override
    public boolean canWrite(Path target) {
        return hasExtension(target);
    }

    static boolean hasExtension(Path file) {
        Path name = file == null ? null : file.getFileName();
        return name != null && name.toString().toLowerCase(Locale.ROOT).endsWith("." + EXTENSION);
    }

    /** @throws ModelException always: the format holds decoders only */
    @Override
    public void writeEncoder(EncoderWeights weights, Path target) {
        throw new ModelException(target.getFileName() + ": the SameDiff (.fb) export holds decoders only; keep the "
                + "encoder in its own format, or convert it to Keras HDF5 (.h5)");
    }

    @Override
    public void writeDecoder(DecoderWeights weights, Path target) {
        Objects.requireNonNull(weights, "weights");
        Objects.requireNonNull(target, "target");
        SameDiff sd;
        try {
            sd = SameDiffDecoderGraph.build(weights);
        } catch (LinkageError e) {
            throw new BackendException("Cannot write " + target + ": the ND4J native library failed to load (" + e
                    + ")", e);
        }
        try {
            sd.save(target.toFile(), false);
        } catch (RuntimeException e) {
            throw new AdainException("Cannot write the SameDiff file " + target + ": " + e.getMessage(), e);
        }
    }
}
