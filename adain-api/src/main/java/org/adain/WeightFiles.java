package org.adain;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import org.adain.spi.DecoderWeights;
import org.adain.spi.EncoderWeights;
import org.adain.spi.WeightsReader;

/** Finds the reader for a weight file by its first bytes and reads it, with file-level checks first. */
final class WeightFiles {
    private static final int HEAD = 512;

    private WeightFiles() {
    }

    static EncoderWeights readEncoder(Path file, ClassLoader loader) {
        return readerFor(file, "encoder", loader).readEncoder(file);
    }

    static DecoderWeights readDecoder(Path file, ClassLoader loader) {
        return readerFor(file, "decoder", loader).readDecoder(file);
    }

    static List<WeightsReader> readers(ClassLoader loader) {
        List<WeightsReader> list = new ArrayList<>();
        try {
            ServiceLoader.load(WeightsReader.class, loader).forEach(list::add);
        } catch (ServiceConfigurationError e) {
            throw new BackendException("A weight-file reader on the classpath failed to load: " + e.getMessage(), e);
        }
        return list;
    }

    private static WeightsReader readerFor(Path file, String role, ClassLoader loader) {
        if (file == null) {
            throw new InvalidRequestException("No " + role + " weight file given");
        }
        if (!Files.exists(file)) {
            throw new ModelException("The " + role + " weight file " + file + " does not exist");
        }
        if (!Files.isRegularFile(file)) {
            throw new ModelException("The " + role + " weight file " + file + " is not a regular file");
        }
        byte[] head;
        try (InputStream in = Files.newInputStream(file)) {
            head = in.readNBytes(HEAD);
        } catch (IOException e) {
            throw new ModelException("Cannot read the " + role + " weight file " + file + ": " + e.getMessage(), e);
        }
        if (head.length == 0) {
            throw new ModelException("The " + role + " weight file " + file + " is empty");
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
        throw new ModelException("The " + role + " weight file " + file + " is in no supported format (it starts with "
                + hex.toString().trim() + "); supported: "
                + (readers.isEmpty() ? "none — add a backend such as org.adain:adain-dl4j"
                        : readers.stream().map(WeightsReader::formatName).toList()));
    }
}
