package org.adain.video;

import java.util.Locale;

/**
 * How {@link VideoStylizer} reduces flicker between frames (see docs/VIDEO.md for the measurements).
 *
 * <pre>{@code
 * VideoStylizer.builder().transfer(transfer).style(starry).stabilization(Stabilization.STATISTICS).build();
 * }</pre>
 */
public enum Stabilization {
    /** Each frame stylised on its own, exactly as {@code StyleTransfer.stylize} would: the default. */
    OFF,
    /**
     * The content's relu4_1 mean and std, which AdaIN normalises with, smoothed over time by an exponential moving
     * average; a scene cut (a jump of the statistics) restarts the average. Exact for a static camera (the
     * statistics of a static scene are the same in every frame up to noise); lags behind fast changes of lighting
     * or framing. No extra network pass: costs one feature read-back per frame.
     */
    STATISTICS,
    /**
     * Each output pixel blended with the previous output where the input did not change there: the weight of the new
     * frame grows from {@code 1 − memory} where the input is still to 1 where it changed by a quarter of the 8-bit
     * range or more, so static areas are averaged over time (noise, and the flicker AdaIN adds to it, fade) and
     * moving edges are not smeared. A scene cut (a large mean change) restarts it. Smears slow motion of flat
     * areas a little; needs no motion estimation.
     */
    BLEND;

    /**
     * The name used on the command line.
     *
     * @return e.g. "statistics"
     */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses a command-line name.
     *
     * @param name "off", "statistics" or "blend" (any case)
     * @return the method
     * @throws IllegalArgumentException naming the value and the choices
     */
    public static Stabilization parse(String name) {
        for (Stabilization s : values()) {
            if (s.cliName().equalsIgnoreCase(name.trim())) {
                return s;
            }
        }
        throw new IllegalArgumentException("Unknown stabilisation method '" + name + "'; choose one of off, statistics, blend");
    }
}
