package org.adain.examples.cli;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * The progress of {@code adain batch} on stderr: images done of the total, skipped and failed counts, images/s
 * over the images actually processed, and the ETA. On a terminal one line redrawn in place (at most 5 times a
 * second); otherwise (a log file, CI) a plain line every {@link #LOG_INTERVAL_NANOS}, and always a final one.
 */
final class BatchProgress {
    /** How often a line is printed when stderr is not a terminal: 10 s. */
    static final long LOG_INTERVAL_NANOS = 10_000_000_000L;
    private static final long REDRAW_NANOS = 200_000_000L;
    private static final int BAR_WIDTH = 24;

    /** How progress is shown. */
    enum Mode { BAR, LOG, NONE }

    private final PrintWriter err;
    private final Mode mode;
    private final int total;
    private long start = System.nanoTime();
    private long lastPrint = Long.MIN_VALUE / 2;
    private int processed;
    private int skipped;
    private int failed;
    private boolean lineOpen;

    BatchProgress(PrintWriter err, Mode mode, int total) {
        this.err = err;
        this.mode = mode;
        this.total = total;
    }

    /** Starts the clock: the rate and ETA count from here (after the model has loaded and the styles are encoded). */
    void start() {
        start = System.nanoTime();
    }

    void processed() {
        processed++;
        show(false);
    }

    void skipped() {
        skipped++;
        show(false);
    }

    void failed() {
        failed++;
        show(false);
    }

    /** The final line; ends a redrawn line. */
    void finish() {
        show(true);
        if (lineOpen) {
            err.println();
            err.flush();
            lineOpen = false;
        }
    }

    /** Before another message, so it starts on a line of its own. */
    void interrupt() {
        if (lineOpen) {
            err.println();
            err.flush();
            lineOpen = false;
        }
    }

    String line() {
        int done = processed + skipped + failed;
        double seconds = (System.nanoTime() - start) / 1e9;
        double rate = seconds > 0 ? processed / seconds : 0;
        int remaining = total - done;
        String eta = rate > 0 ? duration(remaining / rate) : "--:--";
        int filled = total == 0 ? BAR_WIDTH : (int) ((long) BAR_WIDTH * done / total);
        String bar = mode == Mode.BAR ? "[" + "#".repeat(filled) + " ".repeat(BAR_WIDTH - filled) + "] " : "";
        return String.format(Locale.ROOT, "%s%d/%d images (%d skipped, %d failed), %.2f images/s, elapsed %s, "
                + "ETA %s", bar, done, total, skipped, failed, rate, duration(seconds), eta);
    }

    private void show(boolean last) {
        if (mode == Mode.NONE) {
            return;
        }
        long now = System.nanoTime();
        long interval = mode == Mode.BAR ? REDRAW_NANOS : LOG_INTERVAL_NANOS;
        if (!last && now - lastPrint < interval) {
            return;
        }
        lastPrint = now;
        if (mode == Mode.BAR) {
            err.print("\r" + line() + "\u001b[K"); // erase what a longer previous line left
            lineOpen = true;
        } else {
            err.println(line());
        }
        err.flush();
    }

    static String duration(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
