package org.adain.format;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import org.adain.AdainException;
import org.adain.InvalidRequestException;
import org.adain.ModelException;
import org.adain.spi.DecoderWeights;
import org.adain.spi.EncoderKind;
import org.adain.spi.EncoderWeights;
import org.adain.spi.WeightsReader;
import org.adain.spi.WeightsWriter;

/**
 * Converts a weight file from any readable format to a writable one ({@code adain convert IN OUT}): the input
 * format is told by content, the output format by the output's extension ({@code .h5} / {@code .hdf5}: Keras HDF5,
 * written by {@link KerasHdf5WeightsWriter} in plain Java, or by a higher-priority writer such as
 * {@code org.adain:adain-dl4j}'s when one is on the classpath). Whether the input is an encoder or a decoder is
 * found by reading it as an encoder first, then as a decoder.
 *
 * <pre>{@code
 * String summary = WeightConversion.convert(Path.of("vgg_normalised.pth"), Path.of("vgg_normalised.h5"));
 * // "vgg_normalised.pth (PyTorch state dict (.pth)) → vgg_normalised.h5 (Keras HDF5): normalised VGG-19 …"
 * }</pre>
 *
 * The output is written to a temporary file next to it and renamed over it only when complete, so a failed
 * conversion never leaves a partial file, and an existing output is replaced only by a finished one. The output
 * may not be the input.
 */
public final class WeightConversion {
    private WeightConversion() {
    }

    /**
     * Converts with the readers and writers visible to this library's class loader; see
     * {@link #convert(Path, Path, ClassLoader)}.
     *
     * @param in  the weight file to read, of any format a registered reader recognises by content
     * @param out the file to write; its extension chooses the format (e.g. {@code .h5})
     * @return a one-line summary: both files with their formats, and what the weights are
     * @throws InvalidRequestException the output is the input, a directory, in a missing directory, or of a format
     *                                 no writer on the class path produces
     * @throws ModelException          the input is missing, unreadable, of an unknown format, or neither an AdaIN
     *                                 encoder nor a decoder
     * @throws AdainException          the output cannot be written
     */
    public static String convert(Path in, Path out) {
        return convert(in, out, WeightConversion.class.getClassLoader());
    }

    /**
     * Converts {@code in} to {@code out} and returns a one-line summary.
     *
     * @param in     the weight file to read, of any format a reader found through {@code loader} recognises by
     *               content
     * @param out    the file to write, replaced atomically when it exists; its extension chooses the writer
     * @param loader the class loader whose {@code META-INF/services} registrations of {@link WeightsReader} and
     *               {@link WeightsWriter} are used
     * @return a one-line summary: both file names with their formats, and what the weights are (flavour, number of
     *         convolutions, channels), e.g. {@code "vgg.pth (PyTorch state dict (.pth)) → vgg.h5 (Keras HDF5):
     *         normalised VGG-19 encoder, …"}
     * @throws InvalidRequestException the output is the input, a directory, in a missing directory, or of a format
     *                                 no writer on the class path produces
     * @throws ModelException          the input is missing, unreadable, of an unknown format, or neither an AdaIN
     *                                 encoder nor a decoder (both reasons are given)
     * @throws AdainException          the output cannot be written
     */
    public static String convert(Path in, Path out, ClassLoader loader) {
        Objects.requireNonNull(in, "in");
        Objects.requireNonNull(out, "out");
        checkOutput(in, out);
        WeightsWriter writer = writerFor(out, loader);
        WeightsReader reader = WeightFormats.readerFor(in, null, loader);
        EncoderWeights encoder = null;
        DecoderWeights decoder = null;
        try {
            encoder = reader.readEncoder(in);
        } catch (ModelException asEncoder) {
            try {
                decoder = reader.readDecoder(in);
            } catch (ModelException asDecoder) {
                if (asDecoder.getMessage().equals(asEncoder.getMessage())) {
                    throw asEncoder;
                }
                throw new ModelException(Torch7WeightsReader.fileName(in) + " is neither an AdaIN encoder nor a decoder"
                        + " (" + reader.formatName() + "). As an encoder: " + asEncoder.getMessage()
                        + ". As a decoder: " + asDecoder.getMessage(), asDecoder);
            }
        }
        EncoderWeights enc = encoder;
        DecoderWeights dec = decoder;
        try {
            WeightFormats.writeAtomically(out, tmp -> {
                if (enc != null) {
                    writer.writeEncoder(enc, tmp);
                } else {
                    writer.writeDecoder(dec, tmp);
                }
            });
        } catch (IOException e) {
            throw new AdainException("Cannot write " + out + ": " + e.getMessage(), e);
        }
        return Torch7WeightsReader.fileName(in) + " (" + reader.formatName() + ") → "
                + Torch7WeightsReader.fileName(out) + " (" + writer.formatName() + "): "
                + (encoder != null ? describe(encoder) : describe(decoder));
    }

    private static String describe(EncoderWeights e) {
        return (e.kind() == EncoderKind.NORMALISED_VGG19 ? "normalised VGG-19 encoder, 1×1 preprocessing conv + "
                : "Keras-applications VGG-19 encoder, ") + e.convs().size() + " 3×3 convs up to relu4_1 ("
                + e.featureChannels() + " channels)";
    }

    private static String describe(DecoderWeights d) {
        return "AdaIN decoder, " + d.convs().size() + " 3×3 convs, " + d.inputChannels() + " → 3 channels";
    }

    private static void checkOutput(Path in, Path out) {
        if (Files.isDirectory(out)) {
            throw new InvalidRequestException("The output " + out + " is a directory; give a file name such as "
                    + out.resolve("model.h5"));
        }
        Path parent = out.toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            throw new InvalidRequestException("The output directory " + parent + " does not exist");
        }
        boolean same;
        try {
            same = Files.exists(out) && Files.exists(in) && Files.isSameFile(in, out);
        } catch (IOException e) {
            same = false;
        }
        if (same || in.toAbsolutePath().normalize().equals(out.toAbsolutePath().normalize())) {
            throw new InvalidRequestException("The output " + out + " is the input file; write to another file");
        }
    }

    private static WeightsWriter writerFor(Path out, ClassLoader loader) {
        WeightsWriter w = WeightFormats.writerFor(out, loader);
        if (w != null) {
            return w;
        }
        List<WeightsWriter> writers = WeightFormats.writers(loader);
        throw new InvalidRequestException("No weight-file writer for " + out + (writers.isEmpty()
                ? ": none is on the classpath (adain-api registers its Keras HDF5 writer in META-INF/services/"
                        + "org.adain.spi.WeightsWriter; a repackaged jar may have dropped that file)"
                : "; writable formats: " + writers.stream().map(WeightsWriter::formatName).distinct().toList()
                        + " (the extension decides, e.g. .h5)"));
    }
}
