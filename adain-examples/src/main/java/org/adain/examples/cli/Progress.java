package org.adain.examples.cli;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * Progress lines on stderr, "loading model ... 1.2 s (dl4j)", "[2/5] stylizing chicago.jpg ... 1.8 s": the
 * step is printed when it starts so a slow one shows what it is busy with.
 */
final class Progress {
    private final PrintWriter err;
    private final boolean enabled;
    private boolean lineOpen;
    private long start;

    Progress(PrintWriter err, boolean enabled) {
        this.err = err;
        this.enabled = enabled;
    }

    void begin(String step) {
        finishOpenLine("");
        start = System.nanoTime();
        if (enabled) {
            err.print(step + " ... ");
            err.flush();
            lineOpen = true;
        }
    }

    /** Ends the current step with its duration and an optional note, e.g. the backend's name. */
    void done(String note) {
        double seconds = (System.nanoTime() - start) / 1e9;
        finishOpenLine(String.format(Locale.ROOT, "%.1f s", seconds) + (note.isEmpty() ? "" : " (" + note + ")"));
    }

    void done() {
        done("");
    }

    /** Called when a step fails, so the error report starts on a line of its own. */
    void failed() {
        finishOpenLine("failed");
    }

    private void finishOpenLine(String text) {
        if (lineOpen) {
            err.println(text);
            err.flush();
            lineOpen = false;
        }
    }
}
