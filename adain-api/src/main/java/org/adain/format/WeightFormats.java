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
import org.adain.BackendException;
import org.adain.ModelException;
import org.adain.spi.DecoderWeights;
import org.adain.spi.EncoderWeights;
import org.adain.spi.WeightsReader;
import org.adain.spi.WeightsWriter;

/**
 * The one place that finds weight-file readers and writers ({@link ServiceLoader}), tells a file's format from
 * its first bytes, and writes weight files atomically. Used by {@code StyleTransfer}, {@code DecoderTrainer} and
 * {@link WeightConversion}.
 *
 * <pre>{@code
 * EncoderWeights e = WeightFormats.readEncoder(Path.of("vgg_normalised.pth"), loader);
 * }</pre>
 */
public final class WeightFormats {
    private static final int HEAD = 512;

    private WeightFormats() {
    }

    /** Reads an encoder with the reader that recognises the file. */
    public static EncoderWeights readEncoder(Path file, ClassLoader loader) {
        return readerFor(file, "encoder", loader).readEncoder(file);
    }

    /** Reads a decoder with the reader that recognises the file. */
    public static DecoderWeights readDecoder(Path file, ClassLoader loader) {
        return readerFor(file, "decoder", loader).readDecoder(file);
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
     * Every writer on the class path, highest {@link WeightsWriter#priority()} first (stable on ties).
     *
     * @param loader where to look for writers
     * @return the writers, in the order they are asked
     */
    public static List<WeightsWriter> writers(ClassLoader loader) {
        List<WeightsWriter> list = new ArrayList<>();
        try {
            ServiceLoader.load(WeightsWriter.class, loader).forEach(list::add);
        } catch (ServiceConfigurationError e) {
            throw new BackendException("A weight-file writer on the classpath failed to load: " + e.getMessage(), e);
        }
        list.sort(Comparator.comparingInt(WeightsWriter::priority).reversed());
        return list;
    }

    /** The writer of highest priority that writes {@code target} (by its extension), or null. */
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
        String what = role == null ? "weight file" : role + " weight file";
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
        List<WeightsReader> readers = readers(loader);
        for (WeightsReader r : readers) {
            if (r.canRead(file, head)) {
                return r;
            }
        }
        StringBuilder hex = new StringBuilder();
        for (int i = 0; i < Math.min(8, head.length); i++) {
            hex.append(String.format("%02x ", head[i] & 0xff));
        }
        throw new ModelException("The " + what + " " + file + " is in no supported format (it starts with "
                + hex.toString().trim() + "); supported: "
                + (readers.isEmpty() ? "none — add a backend such as org.adain:adain-dl4j"
                        : readers.stream().map(WeightsReader::formatName).distinct().toList()));
    }

    /** What writes a file. */
    @FunctionalInterface
    public interface FileWrite {
        void to(Path file) throws IOException;
    }

    /**
     * Runs {@code write} on a hidden temporary file next to {@code target}, then renames it over {@code target}, so
     * a failure never leaves a partial file and an existing target is replaced only by a complete one.
     */
    public static void writeAtomically(Path target, FileWrite write) throws IOException {
        Path abs = target.toAbsolutePath();
        Path tmp = abs.resolveSibling("." + abs.getFileName() + "." + UUID.randomUUID().toString().substring(0, 8)
                + ".tmp");
        try {
            write.to(tmp);
            try {
                Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // hidden and named as temporary
            }
        }
    }
}
