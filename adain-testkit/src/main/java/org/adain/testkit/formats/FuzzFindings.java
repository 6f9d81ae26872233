package org.adain.testkit.formats;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Keeps the input of a fuzz finding as a file, so that it can be made a regression input: Jazzer's JUnit
 * integration does not always write it (0.24 did not, on a broken assertion in fuzzing mode). A fuzz target runs
 * its body through {@link #run}; when the body throws, the input is written to
 * {@code target/fuzz-findings/<target>/finding-<sha1>} (relative to the working directory, the module's) and the
 * throwable is rethrown unchanged.
 *
 * <pre>{@code
 * @FuzzTest
 * void h5(byte[] data) {
 *     FuzzFindings.run("h5", data, () -> readBoth(new KerasWeightsReader(), data, "fuzz.h5"));
 * }
 * }</pre>
 */
public final class FuzzFindings {
    /** Where findings go, relative to the working directory. */
    public static final Path DIRECTORY = Path.of("target", "fuzz-findings");

    private FuzzFindings() {
    }

    /**
     * Runs {@code body}; keeps {@code data} when it throws.
     *
     * @param target names the fuzz target (a sub-directory)
     * @param data   the input
     * @param body   the target's work
     */
    public static void run(String target, byte[] data, Runnable body) {
        try {
            body.run();
        } catch (RuntimeException | Error e) {
            keep(target, data);
            throw e;
        }
    }

    private static void keep(String target, byte[] data) {
        try {
            String sha1 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(data));
            Path dir = Files.createDirectories(DIRECTORY.resolve(target));
            Files.write(dir.resolve("finding-" + sha1), data);
        } catch (IOException | NoSuchAlgorithmException | RuntimeException e) {
            // the finding itself is reported by the rethrown throwable; losing the copy must not hide it
            System.err.println("could not keep the fuzz finding of " + target + ": " + e);
        }
    }
}
