package org.adain.examples.cli;

import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.adain.BatchLayout;

/**
 * {@code failures.csv} of {@code adain batch}, in {@link BatchLayout}'s format (UTF-8, CRLF): one row per content
 * that could not be stylised. The path is written as given (so the row can be fed back to {@code --list}). Created on the first failure, each row flushed at once, so a killed run keeps what it found; a
 * new run replaces the file of the previous one (it retries those images).
 */
final class FailureLog implements Closeable {
    private final Path file;
    private BufferedWriter out;
    private int rows;

    FailureLog(Path file) {
        this.file = file;
    }

    /** Removes the previous run's file: its images are tried again. */
    void reset() throws IOException {
        Files.deleteIfExists(file);
    }

    void add(Path content, String error) throws IOException {
        if (out == null) {
            out = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
            out.write(BatchLayout.FAILURES_HEADER + "\r\n");
        }
        out.write(BatchLayout.failureRow(content.toString(), error) + "\r\n");
        out.flush();
        rows++;
    }

    int rows() {
        return rows;
    }

    Path file() {
        return file;
    }

    @Override
    public void close() throws IOException {
        if (out != null) {
            out.close();
        }
    }
}
