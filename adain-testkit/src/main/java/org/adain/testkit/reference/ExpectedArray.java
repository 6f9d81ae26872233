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

    public ExpectedArray {
        shape = shape.clone();
    }

    @Override
    public int[] shape() {
        return shape.clone();
    }

    /** Reads the array from the classpath. */
    public Npy.Array load() {
        return ReferenceCases.array(file);
    }

    @Override
    public String toString() {
        return name + Arrays.toString(shape) + " (" + file + ", tolerance " + tolerance + ")";
    }
}
