package org.adain.train;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.adain.AdainException;

/**
 * Writes the loss log ({@link LossLog} describes the file): opened once per {@link DecoderTrainer#run()}, one
 * {@link #append} per iteration, each row flushed as it is written so a crash loses at most the row in progress.
 */
final class LossLogWriter implements AutoCloseable {
    private final Path file;
    private BufferedWriter out;

    private LossLogWriter(Path file, BufferedWriter out) {
        this.file = file;
        this.out = out;
    }

    /**
     * Opens the log for a run that has done {@code doneIterations} steps: a fresh file when 0, otherwise the
     * existing rows up to that iteration are kept (the file is rewritten atomically without the later ones).
     */
    static LossLogWriter open(Path file, long doneIterations) {
        List<LossLog.Row> kept = new ArrayList<>();
        try {
            if (doneIterations > 0 && Files.isRegularFile(file)) {
                List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
                for (int i = 1; i < lines.size(); i++) {
                    String line = lines.get(i).strip();
                    if (line.isEmpty()) {
                        continue;
                    }
                    try {
                        LossLog.Row r = LossLog.Row.parse(line);
                        if (r.iteration() <= doneIterations) {
                            kept.add(r);
                        }
                    } catch (IllegalArgumentException e) {
                        // a row cut short by a crash: dropped
                    }
                }
            }
            Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), ".losses-", ".tmp");
            try (BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                w.write(LossLog.HEADER);
                w.newLine();
                for (LossLog.Row r : kept) {
                    w.write(r.csv());
                    w.newLine();
                }
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
            return new LossLogWriter(file, w);
        } catch (IOException e) {
            throw new AdainException("Cannot write the loss log " + file + ": " + e, e);
        }
    }

    void append(LossLog.Row r) {
        try {
            out.write(r.csv());
            out.newLine();
            out.flush();
        } catch (IOException e) {
            throw new AdainException("Cannot write the loss log " + file + ": " + e, e);
        }
    }

    @Override
    public void close() {
        if (out != null) {
            try {
                out.close();
            } catch (IOException ignored) {
                // every row was flushed when written
            }
            out = null;
        }
    }
}
