package org.adain.examples.cli;

import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.adain.format.SafeText;

/**
 * {@code failures.csv} of {@code adain batch}: one row per content that could not be stylised, {@code path,error}
 * under that header, RFC 4180 quoting, UTF-8. The path is written as given (so the row can be fed back to
 * {@code --list}); the error is made printable and bounded by {@link SafeText}, since it can quote bytes of the
 * broken file. Created on the first failure, each row flushed at once, so a killed run keeps what it found; a
 * new run replaces the file of the previous one (it retries those images).
 */
final class FailureLog implements Closeable {
    /** Longest error message kept, in characters. */
    static final int MAX_ERROR = 500;

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
            out.write("path,error\r\n");
        }
        out.write(field(content.toString()) + "," + field(SafeText.of(error, MAX_ERROR)) + "\r\n");
        out.flush();
        rows++;
    }

    int rows() {
        return rows;
    }

    Path file() {
        return file;
    }

    /** RFC 4180: a field holding a comma, quote, CR or LF goes in quotes, with its quotes doubled. */
    static String field(String value) {
        if (value.indexOf(',') < 0 && value.indexOf('"') < 0 && value.indexOf('\n') < 0 && value.indexOf('\r') < 0) {
            return value;
        }
        return '"' + value.replace("\"", "\"\"") + '"';
    }

    @Override
    public void close() throws IOException {
        if (out != null) {
            out.close();
        }
    }
}
