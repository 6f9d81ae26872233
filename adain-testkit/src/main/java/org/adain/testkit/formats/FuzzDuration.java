package org.adain.testkit.formats;

/**
 * Turns {@code -Dfuzz.minutes=N} into the time limit of a Jazzer fuzzing run: Jazzer takes a fuzz test's duration
 * from its annotation, which a build cannot change, and libFuzzer's {@code -max_total_time} in seconds from the
 * configuration parameters {@code jazzer.internal.arg.N} (argument 0 is libFuzzer's program name). A fuzz test
 * class calls {@link #apply()} in a {@code @BeforeAll} method, which JUnit runs before Jazzer reads them. Without
 * the property, or outside fuzzing mode, nothing changes.
 *
 * <pre>{@code
 * @BeforeAll
 * static void fuzzDuration() {
 *     FuzzDuration.apply();
 * }
 * }</pre>
 */
public final class FuzzDuration {
    /** The system property with the minutes each fuzz test runs in fuzzing mode. */
    public static final String PROPERTY = "fuzz.minutes";

    private FuzzDuration() {
    }

    /**
     * Sets the libFuzzer time limit from {@value #PROPERTY}, when given.
     *
     * @throws IllegalArgumentException when the property is not a positive number
     */
    public static void apply() {
        String minutes = System.getProperty(PROPERTY);
        if (minutes == null || minutes.isBlank()) {
            return;
        }
        double m;
        try {
            m = Double.parseDouble(minutes.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(PROPERTY + " must be a number of minutes, was '" + minutes + "'", e);
        }
        if (!(m > 0)) {
            throw new IllegalArgumentException(PROPERTY + " must be positive, was " + minutes);
        }
        System.setProperty("jazzer.internal.arg.0", "jazzer");
        System.setProperty("jazzer.internal.arg.1", "-max_total_time=" + Math.max(1, Math.round(m * 60)));
    }
}
