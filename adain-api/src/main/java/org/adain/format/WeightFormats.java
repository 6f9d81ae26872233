package org.adain.format;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.UUID;
import org.adain.AdainException;
import org.adain.BackendException;
import org.adain.ModelException;
import org.adain.spi.DecoderWeights;
import org.adain.spi.EncoderWeights;
import org.adain.spi.WeightsReader;
import org.adain.spi.WeightsWriter;

/**
 * The one place that finds weight-file readers and writers ({@link ServiceLoader}), tells a file's format from
 * its first bytes, and writes weight files atomically. Used by {@code StyleTransfer},
 * {@code org.adain.train.DecoderTrainer} and {@link WeightConversion}.
 *
 * <pre>{@code
 * EncoderWeights e = WeightFormats.readEncoder(Path.of("vgg_normalised.pth"), loader);
 * }</pre>
 */
public final class WeightFormats {
    private static final int HEAD = 512;

    private WeightFormats() {
    }

    /**
     * Reads an encoder with the reader that recognises the file.
     *
     * @param file   the weight file
     * @param loader where to look for readers
     * @return the validated weights
     * @throws ModelException   the file is unusable
     * @throws BackendException a reader on the classpath failed to load, or the reader failed unexpectedly (threw
     *                          something other than an {@link AdainException}, which becomes the cause)
     */
    public static EncoderWeights readEncoder(Path file, ClassLoader loader) {
        WeightsReader reader = readerFor(file, "encoder", loader);
        try {
            return reader.readEncoder(file);
        } catch (RuntimeException e) {
            throw readerFailure(reader, "encoder", file, e);
        }
    }

    /**
     * Reads a decoder with the reader that recognises the file.
     *
     * @param file   the weight file
     * @param loader where to look for readers
     * @return the validated weights
     * @throws ModelException   the file is unusable
     * @throws BackendException a reader on the classpath failed to load, or the reader failed unexpectedly (threw
     *                          something other than an {@link AdainException}, which becomes the cause)
     */
    public static DecoderWeights readDecoder(Path file, ClassLoader loader) {
        WeightsReader reader = readerFor(file, "decoder", loader);
        try {
            return reader.readDecoder(file);
        } catch (RuntimeException e) {
            throw readerFailure(reader, "decoder", file, e);
        }
    }

    /**
     * A reader's own {@link AdainException} unchanged; anything else, a bug in the reader (a bad file is a
     * ModelException), as the {@link BackendException} of an unexpected failure.
     */
    private static AdainException readerFailure(WeightsReader reader, String role, Path file, RuntimeException e) {
        if (e instanceof AdainException known) {
            return known;
        }
        return new BackendException("The " + reader.formatName() + " reader (" + reader.getClass().getName()
                + ") failed unexpectedly on the " + role + " weight file " + file + ": " + e, e);
    }

    /**
     * Every reader on the class path, highest {@link WeightsReader#priority()} first (stable on ties).
     *
     * @param loader where to look for readers
     * @return the readers, in the order they are asked
     */
    public static List<WeightsReader> readers(ClassLoader loader) {
        List<WeightsReader> list = new ArrayList<>();
        try {
            ServiceLoader.load(WeightsReader.class, loader).forEach(list::add);
        } catch (ServiceConfigurationError e) {
            throw new BackendException("A weight-file reader on the classpath failed to load: " + e.getMessage(), e);
        }
        list.sort(Comparator.comparingInt(WeightsReader::priority).reversed());
        return list;
    }

    /**
     * Every writer on the class path, highest {@link WeightsWriter#priority()} first (ties: class-path order).
     *
     * @param loader where to look for {@code META-INF/services/org.adain.spi.WeightsWriter}
     * @return the writers, possibly none
     * @throws BackendException a registered writer cannot be loaded
     */
    public static List<WeightsWriter> writers(ClassLoader loader) {
        List<WeightsWriter> list = new ArrayList<>();
        try {
            ServiceLoader.load(WeightsWriter.class, loader).forEach(list::add);
        } catch (ServiceConfigurationError e) {
            throw new BackendException("A weight-file writer on the classpath failed to load: " + e.getMessage(), e);
        }
        // a stable sort: equal priorities keep the class-path order
        list.sort(Comparator.comparingInt(WeightsWriter::priority).reversed());
        return list;
    }

    /**
     * The writer for {@code target} (by its extension) with the highest priority.
     *
     * @param target the file to be written
     * @param loader where to look for writers
     * @return the writer, or null when none writes that format
     * @throws BackendException a registered writer cannot be loaded
     */
    public static WeightsWriter writerFor(Path target, ClassLoader loader) {
        for (WeightsWriter w : writers(loader)) {
            if (w.canWrite(target)) {
                return w;
            }
        }
        return null;
    }

    /**
     * The reader for a file, judged by its first bytes after file-level checks: of the readers that accept it, the
     * one of highest priority.
     *
     * @param file   the weight file
     * @param role   "encoder", "decoder", or null when unknown; used in messages
     * @param loader where to look for readers
     * @return the reader that will read the file
     * @throws ModelException when the file is missing, unreadable or in no supported format
     */
    public static WeightsReader readerFor(Path file, String role, ClassLoader loader) {
        String what = what(role);
        byte[] head = head(file, what);
        List<WeightsReader> readers = readers(loader);
        for (WeightsReader r : readers) {
            if (r.canRead(file, head)) {
                return r;
            }
        }
        throw new ModelException("The " + what + " " + file + " is in no supported format (it starts with "
                + startOf(head) + "); supported: "
                + (readers.isEmpty() ? "none — add a backend such as org.adain:adain-dl4j"
                        : readers.stream().map(WeightsReader::formatName).distinct().toList()));
    }

    /**
     * Reads {@code file} as an encoder with exactly {@code reader}, for callers that know the format a file must
     * have (e.g. a download that must be the authors' Torch7 file): the same file-level checks as
     * {@link #readEncoder(Path, ClassLoader)}, and a file the reader does not recognise is refused, naming its
     * first bytes, instead of going to another reader.
     *
     * <pre>{@code
     * EncoderWeights e = WeightFormats.readEncoder(Path.of("vgg_normalised.t7"), new Torch7WeightsReader());
     * }</pre>
     *
     * @param file   the weight file
     * @param reader the reader the file must suit
     * @return the encoder weights, validated by the reader
     * @throws ModelException the file is missing, empty, not in the reader's format, or refused by the reader
     */
    public static EncoderWeights readEncoder(Path file, WeightsReader reader) {
        recognisedBy(file, "encoder", reader);
        try {
            return reader.readEncoder(file);
        } catch (RuntimeException e) {
            throw readerFailure(reader, "encoder", file, e);
        }
    }

    /**
     * Reads {@code file} as a decoder with exactly {@code reader}; see {@link #readEncoder(Path, WeightsReader)}.
     *
     * <pre>{@code
     * DecoderWeights d = WeightFormats.readDecoder(Path.of("decoder.pth"), new PyTorchWeightsReader());
     * }</pre>
     *
     * @param file   the weight file
     * @param reader the reader the file must suit
     * @return the decoder weights, validated by the reader
     * @throws ModelException the file is missing, empty, not in the reader's format, or refused by the reader
     */
    public static DecoderWeights readDecoder(Path file, WeightsReader reader) {
        recognisedBy(file, "decoder", reader);
        try {
            return reader.readDecoder(file);
        } catch (RuntimeException e) {
            throw readerFailure(reader, "decoder", file, e);
        }
    }

    private static void recognisedBy(Path file, String role, WeightsReader reader) {
        String what = what(role);
        byte[] head = head(file, what);
        if (!reader.canRead(file, head)) {
            throw new ModelException("The " + what + " " + file + " is not a " + reader.formatName()
                    + " file (it starts with " + startOf(head) + looksLike(head) + ")");
        }
    }

    private static String what(String role) {
        return role == null ? "weight file" : role + " weight file";
    }

    /** The file's first bytes, after the checks every caller needs (given, exists, regular, readable, not empty). */
    private static byte[] head(Path file, String what) {
        if (file == null) {
            throw new org.adain.InvalidRequestException("No " + what + " given");
        }
        if (!Files.exists(file)) {
            throw new ModelException("The " + what + " " + file + " does not exist");
        }
        if (!Files.isRegularFile(file)) {
            throw new ModelException("The " + what + " " + file + " is not a regular file");
        }
        byte[] head;
        try (InputStream in = Files.newInputStream(file)) {
            head = in.readNBytes(HEAD);
        } catch (IOException e) {
            throw new ModelException("Cannot read the " + what + " " + file + ": " + e.getMessage(), e);
        }
        if (head.length == 0) {
            throw new ModelException("The " + what + " " + file + " is empty");
        }
        return head;
    }

    private static String startOf(byte[] head) {
        StringBuilder hex = new StringBuilder();
        for (int i = 0; i < Math.min(8, head.length); i++) {
            hex.append(String.format("%02x ", head[i] & 0xff));
        }
        return hex.toString().trim();
    }

    /** A hint for the commonest wrong content of a downloaded file: a web page (an error page, a login page). */
    private static String looksLike(byte[] head) {
        String text = new String(head, 0, Math.min(head.length, 64), java.nio.charset.StandardCharsets.ISO_8859_1)
                .stripLeading().toLowerCase(java.util.Locale.ROOT);
        return text.startsWith("<!doctype html") || text.startsWith("<html") || text.startsWith("<?xml")
                ? ": a web page, not weights" : "";
    }

    /** What writes a file: the body of {@link #writeAtomically}. */
    @FunctionalInterface
    public interface FileWrite {
        /**
         * Writes the whole file.
         *
         * @param file the (temporary) file to create and fill
         * @throws IOException the write failed; the caller discards the file
         */
        void to(Path file) throws IOException;
    }

    /**
     * Runs {@code write} on a hidden temporary file next to {@code target}, then renames it over {@code target}, so
     * a failure never leaves a partial file and an existing target is replaced only by a complete one.
     *
     * <pre>{@code
     * WeightFormats.writeAtomically(Path.of("decoder.h5"), tmp -> writer.writeDecoder(weights, tmp));
     * }</pre>
     *
     * @param target the file to create or replace
     * @param write  writes the content to the path it is given
     * @throws IOException {@code write} or the final rename failed; {@code target} is then unchanged
     */
    public static void writeAtomically(Path target, FileWrite write) throws IOException {
        Path abs = target.toAbsolutePath();
        Path tmp = abs.resolveSibling("." + abs.getFileName() + "." + UUID.randomUUID().toString().substring(0, 8)
                + ".tmp");
        try {
            write.to(tmp);
            moveAtomically(tmp, abs);
        } finally {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // hidden and named as temporary
            }
        }
    }

    /**
     * Renames a complete file over {@code target} in one step where the file system can (readers see the old file
     * or the new one, never a mix); elsewhere a plain replacing move. {@code source} must be in the same directory
     * (or at least on the same file system) for the rename to be atomic.
     *
     * <pre>{@code
     * WeightFormats.moveAtomically(Path.of("decoder.t7.part"), Path.of("decoder.t7"));
     * }</pre>
     *
     * @param source the finished file
     * @param target where it belongs; replaced if it exists
     * @throws IOException the move failed; {@code target} is then unchanged
     */
    public static void moveAtomically(Path source, Path target) throws IOException {
        try {
            Files.move(source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(source, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
