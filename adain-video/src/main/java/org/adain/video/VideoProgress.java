package org.adain.video;

/**
 * Receives progress from {@link VideoStylizer#stylize}, after each stylised frame, on the stylising thread.
 *
 * <pre>{@code
 * VideoProgress p = (done, total, fps, eta) ->
 *         System.err.printf("\r%d/%d frames, %.1f frames/s, ETA %.0f s", done, total, fps, eta);
 * }</pre>
 */
@FunctionalInterface
public interface VideoProgress {
    /**
     * One more frame is stylised.
     *
     * @param done            frames stylised so far
     * @param total           frames the input says it has, or -1 if it does not say
     * @param framesPerSecond frames stylised per second of wall time since the start
     * @param etaSeconds      estimated seconds until the last frame, or NaN if the total is unknown
     */
    void update(long done, long total, double framesPerSecond, double etaSeconds);
}
