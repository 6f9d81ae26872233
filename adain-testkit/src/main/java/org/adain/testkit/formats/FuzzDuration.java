package org.adain.testkit.formats;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Sets the libFuzzer arguments of a Jazzer fuzzing run that a build cannot give through the {@code @FuzzTest}
 * annotation: the time limit from {@code -Dfuzz.minutes=N} ({@code -max_total_time} in seconds), and where libFuzzer
 * writes the input of a crash, timeout or out-of-memory ({@code -artifact_prefix}: {@link #FINDINGS}, under the
 * module's {@code target/}). Jazzer's JUnit integration would otherwise write those into the fuzz test's committed
 * {@code <Class>Inputs/<method>/} directory in {@code src/test/resources}, where a native crash left its input
 * unreviewed. Jazzer reads the arguments from the configuration parameters {@code jazzer.internal.arg.N} (argument
 * 0 is the program name) and appends them after its own, so they take precedence. A fuzz test class calls
 * {@link #apply()} in a {@code @BeforeAll} method, which JUnit runs before Jazzer reads them; outside fuzzing mode
 * Jazzer does not read them.
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

    /**
     * Where libFuzzer writes its findings ({@code crash-<sha1>}, {@code timeout-<sha1>}...), relative to the working
     * directory (the module's): the directory of {@link FuzzFindings}, which keeps the inputs of broken assertions.
     */
    public static final Path FINDINGS = FuzzFindings.DIRECTORY;

    private static final String ARG = "jazzer.internal.arg.";

    private FuzzDuration() {
    }

    /**
     * Sets the libFuzzer time limit from {@value #PROPERTY}, when given, and the directory of findings
     * ({@link #FINDINGS}, created here, since libFuzzer does not create it).
     *
     * @throws IllegalArgumentException when the property is not a positive number
     * @throws UncheckedIOException     when the findings directory cannot be created
     */
    public static void apply() {
        List<String> args = new ArrayList<>(List.of("jazzer"));
        String minutes = System.getProperty(PROPERTY);
        if (minutes != null && !minutes.isBlank()) {
            double m;
            try {
                m = Double.parseDouble(minutes.strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(PROPERTY + " must be a number of minutes, was '" + minutes + "'",
                        e);
            }
            if (!(m > 0)) {
                throw new IllegalArgumentException(PROPERTY + " must be positive, was " + minutes);
            }
            args.add("-max_total_time=" + Math.max(1, Math.round(m * 60)));
        }
        Path findings = FINDINGS.toAbsolutePath();
        try {
            Files.createDirectories(findings);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the fuzz findings directory " + findings, e);
        }
        // a prefix, not a directory: libFuzzer appends "crash-<sha1>" to it
        args.add("-artifact_prefix=" + findings + File.separator);
        for (int i = 0; i < args.size(); i++) {
            System.setProperty(ARG + i, args.get(i));
        }
    }
}
