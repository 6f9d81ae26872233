package org.adain.testkit;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.adain.spi.Tensor;
import org.adain.testkit.reference.Npy;
import org.opentest4j.AssertionFailedError;

/**
 * The one place where the kit compares a backend's numbers with the oracle's and words a failure: which case,
 * which array, where (flat and N-d index), actual, expected, |error|, tolerance and how many values are off.
 * A case collects all its comparisons, then {@link #verify()} fails with every mismatch at once.
 */
final class CaseCheck {
    private final KitReport.Group group;
    private final String caseName;
    private final List<String> failures = new ArrayList<>();

    CaseCheck(KitReport.Group group, String caseName) {
        this.group = group;
        this.caseName = caseName;
    }

    /** Compares a tensor with an expected array of exactly the same shape. */
    void close(String array, Tensor actual, Npy.Array expected, double tolerance) {
        float[] a = actual.toArray();
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i];
        }
        close(array, d, actual.shape(), expected, tolerance);
    }

    /** Compares an array computed from the backend's results (e.g. trained weights) with an expected one. */
    void close(String array, Npy.Array actual, Npy.Array expected, double tolerance) {
        close(array, actual.data(), actual.shape(), expected, tolerance);
    }

    /** Compares values of shape {@code actualShape} with an expected array of the same shape. */
    void close(String array, double[] actual, int[] actualShape, Npy.Array expected, double tolerance) {
        int[] want = expected.shape();
        if (!Arrays.equals(actualShape, want)) {
            fail(array, "shape " + Arrays.toString(actualShape) + " differs from the expected "
                    + Arrays.toString(want));
            return;
        }
        double[] e = expected.data();
        int worst = -1;
        double worstErr = -1;
        int over = 0;
        for (int i = 0; i < e.length; i++) {
            double err = Math.abs(actual[i] - e[i]);
            if (Double.isNaN(err)) {
                err = Double.POSITIVE_INFINITY;
            }
            if (err > tolerance) {
                over++;
            }
            if (err > worstErr) {
                worstErr = err;
                worst = i;
            }
        }
        if (worst < 0) {
            record(array, 0, tolerance);
            return;
        }
        record(array, worstErr, tolerance);
        if (over > 0) {
            failures.add(message(caseName, array, worst, want, actual[worst], e[worst], worstErr, tolerance, over,
                    e.length));
        }
    }

    /** Compares one number. */
    void scalar(String name, double actual, double expected, double tolerance) {
        close(name, new double[] {actual}, new int[0], new Npy.Array(new int[0], new double[] {expected}),
                tolerance);
    }

    /** A failure that is not a numeric mismatch (wrong shape, missing exception, ...). */
    void fail(String array, String what) {
        group.noteFailureWithoutValue(caseName, array);
        failures.add(caseName + " · " + array + ": " + what);
    }

    /**
     * A failure of values already compared with {@link #close} (which recorded their worst error), by a rule
     * beyond the tolerance, e.g. too many of them one level off.
     */
    void reject(String array, String what) {
        failures.add(caseName + " · " + array + ": " + what);
    }

    private void record(String array, double err, double tolerance) {
        group.noteError(caseName, array, err, tolerance);
        if (!Boolean.parseBoolean(System.getProperty(BackendConformanceKit.VERBOSE_PROPERTY, "true"))) {
            return;
        }
        System.out.printf(Locale.ROOT, "adain-kit %-22s %-26s %-16s max|err| %-10.3g tolerance %.3g%s%n",
                group.name(), caseName, array, err, tolerance, err > tolerance ? "  FAILED" : "");
    }

    /** Throws an {@link AssertionFailedError} listing every mismatch, if there was one. */
    void verify() {
        if (!failures.isEmpty()) {
            group.noteFailedCase();
            throw new AssertionFailedError(String.join("\n", failures));
        }
    }

    /**
     * The failure message, e.g. {@code alpha_0.6 · output: 812 of 9216 values differ by more than the tolerance
     * 3.3e-05; the worst at flat index 4711 = [0, 1, 25, 39] of shape [1, 3, 48, 64]: actual 0.613452, expected
     * 0.598113, |error| 1.53e-02 (465× the tolerance)}.
     */
    static String message(String caseName, String array, int flat, int[] shape, double actual, double expected,
            double error, double tolerance, int over, int total) {
        String ratio = tolerance > 0 ? String.format(Locale.ROOT, " (%.3g× the tolerance)", error / tolerance) : "";
        return String.format(Locale.ROOT,
                "%s · %s: %d of %d values differ by more than the tolerance %.3g; the worst at flat index %d = %s of "
                        + "shape %s: actual %.9g, expected %.9g, |error| %.3g%s",
                caseName, array, over, total, tolerance, flat, Arrays.toString(unflatten(flat, shape)),
                Arrays.toString(shape), actual, expected, error, ratio);
    }

    /** The N-d index of a flat row-major position. */
    static int[] unflatten(int flat, int[] shape) {
        int[] idx = new int[shape.length];
        for (int i = shape.length - 1; i >= 0; i--) {
            idx[i] = flat % shape[i];
            flat /= shape[i];
        }
        return idx;
    }
}
