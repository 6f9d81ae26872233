package org.adain.testkit.reference;

import java.util.Arrays;

/**
 * One expected tensor of a reference case.
 *
 * @param name         its role in the case ({@code "output"}, {@code "target"}, {@code "relu4_1"}, ...)
 * @param file         resource path relative to {@link ReferenceCases#RESOURCE_ROOT}
 * @param shape        the array's shape
 * @param maxAbs       max |x| over the array (for relative reasoning)
 * @param float32Error max |float32 torch − float64 oracle| measured by the generator
 * @param tolerance    the max absolute difference a conforming implementation may show
 *                     ({@code 0} = must be exact)
 */
public record ExpectedArray(String name, String file, int[] shape, double maxAbs, double float32Error,
                            double tolerance) {

    /**
     * Copies the shape; the manifest parser makes these, users read them.
     *
     * @param name         its role in the case
     * @param file         resource path relative to {@link ReferenceCases#RESOURCE_ROOT}
     * @param shape        the array's shape (copied)
     * @param maxAbs       max |x| over the array
     * @param float32Error max |float32 torch − float64 oracle|
     * @param tolerance    the max absolute difference allowed, 0 for exact
     */
    public ExpectedArray {
        shape = shape.clone();
    }

    /**
     * The array's shape as recorded in the manifest.
     *
     * @return a copy of the shape
     */
    @Override
    public int[] shape() {
        return shape.clone();
    }

    /**
     * Reads the array from the classpath.
     *
     * @return the values, float64 in C order, of {@link #shape()}
     * @throws java.io.UncheckedIOException the resource is missing or unreadable
     * @throws IllegalArgumentException     the file is not a valid {@code .npy} file
     */
    public Npy.Array load() {
        return ReferenceCases.array(file);
    }

    @Override
    public String toString() {
        return name + Arrays.toString(shape) + " (" + file + ", tolerance " + tolerance + ")";
    }
}
