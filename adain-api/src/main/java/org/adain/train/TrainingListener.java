package org.adain.train;

import java.nio.file.Path;
import org.adain.spi.LossTerms;

/**
 * What a {@link DecoderTrainer} reports while it runs: progress after every iteration, images it skipped,
 * checkpoints and samples it wrote, and warnings. The API has no logging dependency; a command-line tool prints
 * these, an application forwards them to its logger. Every method has an empty default, so implement only what
 * you need.
 *
 * <p>All calls come from the thread that runs {@link DecoderTrainer#run()}, in iteration order (skips are
 * reported just before the step that would have used the image). A listener may call
 * {@link DecoderTrainer#stop()}; an exception thrown by a listener ends the run like any other failure (the last
 * checkpoint stays).
 *
 * <pre>{@code
 * TrainingListener printer = new TrainingListener() {
 *     public void progress(Progress p) {
 *         System.err.printf("%d/%d loss %.4f%n", p.iteration(), p.totalIterations(), p.totalLoss());
 *     }
 *     public void skipped(Path file, String reason, int skippedSoFar) {
 *         System.err.println("warning: skipped " + file + ": " + reason);
 *     }
 * };
 * }</pre>
 */
public interface TrainingListener {

    /**
     * The run starts (or resumes): {@code iteration} iterations are already done.
     *
     * @param iteration       iterations already done, 0 for a fresh start
     * @param totalIterations the number the run goes to
     * @param resumedFrom     the checkpoint it resumed from, or null for a fresh start
     */
    default void started(long iteration, long totalIterations, Path resumedFrom) {
    }

    /**
     * After each iteration.
     *
     * @param progress the state after the iteration
     */
    default void progress(Progress progress) {
    }

    /**
     * An image file could not be read or converted and is left out of training from now on. Never fatal on its
     * own; the run fails only when a whole directory has no readable image.
     *
     * @param file         the image file left out
     * @param reason       why it cannot be used (the reader's message)
     * @param skippedSoFar distinct files of this run skipped so far, this one included (contents and styles)
     */
    default void skipped(Path file, String reason, int skippedSoFar) {
    }

    /**
     * A checkpoint was written (atomically; older ones beyond the number kept are deleted). The loss log holds the
     * rows up to {@code iteration} by then, so this is the moment to redraw a plot of it ({@code adain train}
     * redraws {@code losses.png} here).
     *
     * @param file      the checkpoint file
     * @param iteration the iteration it holds
     */
    default void checkpointWritten(Path file, long iteration) {
    }

    /**
     * A grid of sample stylisations of the fixed validation pairs was written.
     *
     * @param file      the PNG file, {@code OUT/samples/iteration_NNNNNNNNN.png}
     * @param iteration the iteration whose decoder made it
     */
    default void samplesWritten(Path file, long iteration) {
    }

    /**
     * Something the user should know that does not stop the run, e.g. a setting ignored on resume.
     *
     * @param message the warning, one sentence or more
     */
    default void warning(String message) {
    }

    /**
     * The state after one iteration.
     *
     * @param iteration          iterations completed, 1 after the first step
     * @param totalIterations    the number the run goes to
     * @param losses             the terms of the step's forward pass (before its update), unweighted
     * @param totalLoss          {@code contentWeight · content + styleWeight · style}
     * @param learningRate       the learning rate the step used
     * @param iterationsPerSecond recent speed (over the last iterations of this session), 0 when unknown
     * @param etaSeconds         estimated time to {@code totalIterations} at that speed, NaN when unknown
     * @param elapsedSeconds     wall-clock time of the whole run, across resumes
     */
    record Progress(long iteration, long totalIterations, LossTerms losses, double totalLoss, double learningRate,
            double iterationsPerSecond, double etaSeconds, double elapsedSeconds) {
    }
}
