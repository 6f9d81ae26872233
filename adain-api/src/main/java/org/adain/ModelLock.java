package org.adain;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.adain.format.WeightFormats;

/**
 * The lock file of a {@link ModelStore}: the SHA-256 of each model file as first downloaded and verified (trust on
 * first use). Written in {@code sha256sum}'s format, so {@code sha256sum -c models.lock} in the directory checks the
 * files by hand; lines starting with {@code #} are comments. Rewritten atomically.
 */
final class ModelLock {
    private static final Pattern LINE = Pattern.compile("([0-9a-f]{64}) [ *](\\S.*)");
    private static final List<String> HEADER = List.of(
            "# adain models: the SHA-256 of each file when it was first downloaded and verified (trust on first use).",
            "# adain refuses a later download or cached copy whose hash differs. To accept a changed file on purpose,",
            "# delete its line (or this file) and fetch again. To check the files by hand: sha256sum -c models.lock");

    private final Path file;
    private final Map<String, String> pins;

    private ModelLock(Path file, Map<String, String> pins) {
        this.file = file;
        this.pins = pins;
    }

    /** Reads the lock file; a missing one is empty. */
    static ModelLock read(Path file) {
        Map<String, String> pins = new TreeMap<>();
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return new ModelLock(file, pins);
        } catch (IOException e) {
            throw new ModelException("Cannot read the model lock file " + file + ": " + e.getMessage(), e);
        }
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            Matcher m = LINE.matcher(line);
            if (!m.matches()) {
                throw new ModelException("The model lock file " + file + " has a malformed line " + (i + 1) + " ('"
                        + line + "'); each line must be '<64 lowercase hex digits>  <file name>'. Fix or delete the "
                        + "line (the file is then downloaded and pinned anew)");
            }
            if (pins.put(m.group(2), m.group(1)) != null) {
                throw new ModelException("The model lock file " + file + " pins " + m.group(2) + " twice (line "
                        + (i + 1) + "); delete the wrong line");
            }
        }
        return new ModelLock(file, pins);
    }

    /** The pinned SHA-256 of a file name, or null. */
    String pin(String name) {
        return pins.get(name);
    }

    /** Pins a file's hash and writes the lock file. */
    void pinAndWrite(String name, String sha256) {
        pins.put(name, sha256);
        StringBuilder text = new StringBuilder();
        HEADER.forEach(l -> text.append(l).append('\n'));
        pins.forEach((n, h) -> text.append(h).append("  ").append(n).append('\n'));
        try {
            WeightFormats.writeAtomically(file, tmp -> Files.writeString(tmp, text, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new ModelException("Cannot write the model lock file " + file + ": " + e.getMessage(), e);
        }
    }

    Path file() {
        return file;
    }
}
