package org.adain.spi;

import java.util.Arrays;
import java.util.Objects;

/**
 * An immutable dense float tensor in row-major (C) order: the neutral currency between the API and a
 * backend. Images and feature maps are rank 4, {@code N×C×H×W}.
 *
 * <pre>{@code
 * Tensor t = Tensor.of(new float[] {1, 2, 3, 4}, 1, 1, 2, 2);
 * float v = t.get(0, 0, 1, 0); // 3
 * }</pre>
 */
public final class Tensor {
    private final int[] shape;
    private final float[] data;

    private Tensor(int[] shape, float[] data) {
        this.shape = shape;
        this.data = data;
    }

    /**
     * A tensor of a copy of {@code data}.
     *
     * @param data  the values in row-major order, as many as the product of {@code shape}
     * @param shape the dimensions, each ≥ 0
     * @return the tensor
     * @throws IllegalArgumentException a negative dimension, too many elements for a Java array, or a length of
     *                                  {@code data} that does not match
     * @throws NullPointerException     {@code data} or {@code shape} is null
     */
    public static Tensor of(float[] data, int... shape) {
        Objects.requireNonNull(data, "data");
        int[] s = shape.clone();
        long n = checkShape(s);
        if (n != data.length) {
            throw new IllegalArgumentException("Tensor shape " + Arrays.toString(s) + " needs " + n
                    + " values, got " + data.length);
        }
        return new Tensor(s, data.clone());
    }

    /**
     * A tensor over {@code data}, without a copy: the caller must not change it afterwards.
     *
     * @param data  the values in row-major order, as many as the product of {@code shape}
     * @param shape the dimensions, each ≥ 0
     * @return the tensor
     * @throws IllegalArgumentException a negative dimension, too many elements for a Java array, or a length of
     *                                  {@code data} that does not match
     * @throws NullPointerException     {@code data} or {@code shape} is null
     */
    public static Tensor wrap(float[] data, int... shape) {
        Objects.requireNonNull(data, "data");
        int[] s = shape.clone();
        long n = checkShape(s);
        if (n != data.length) {
            throw new IllegalArgumentException("Tensor shape " + Arrays.toString(s) + " needs " + n
                    + " values, got " + data.length);
        }
        return new Tensor(s, data);
    }

    private static long checkShape(int[] shape) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("Negative dimension in shape " + Arrays.toString(shape));
            }
            n *= d;
        }
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("Tensor of shape " + Arrays.toString(shape) + " has " + n
                    + " elements, more than a Java array holds");
        }
        return n;
    }

    /**
     * The dimensions.
     *
     * @return a copy of the shape, e.g. {@code [N, C, H, W]}
     */
    public int[] shape() {
        return shape.clone();
    }

    /**
     * The number of dimensions.
     *
     * @return the length of {@link #shape()}, 4 for images and feature maps
     */
    public int rank() {
        return shape.length;
    }

    /**
     * One dimension.
     *
     * @param axis 0-based, below {@link #rank()}
     * @return the size along {@code axis}
     * @throws ArrayIndexOutOfBoundsException {@code axis} is negative or not below the rank
     */
    public int dim(int axis) {
        return shape[axis];
    }

    /**
     * The number of values.
     *
     * @return the product of the dimensions
     */
    public int size() {
        return data.length;
    }

    /**
     * The values.
     *
     * @return a copy of the values in row-major order, {@link #size()} long
     */
    public float[] toArray() {
        return data.clone();
    }

    /**
     * Copies the values into {@code dst} from {@code offset}, for backends that avoid an extra array.
     *
     * @param dst    the array to fill, with at least {@code offset + size()} elements
     * @param offset the index in {@code dst} of the first value
     * @throws IndexOutOfBoundsException {@code dst} is too short from {@code offset}, or {@code offset} is negative
     */
    public void copyTo(float[] dst, int offset) {
        System.arraycopy(data, 0, dst, offset, data.length);
    }

    /**
     * One value.
     *
     * @param index one index per dimension
     * @return the value there
     * @throws IllegalArgumentException  the number of indices is not the rank
     * @throws IndexOutOfBoundsException an index is outside its dimension
     */
    public float get(int... index) {
        if (index.length != shape.length) {
            throw new IllegalArgumentException("Index " + Arrays.toString(index) + " does not fit shape "
                    + Arrays.toString(shape));
        }
        int flat = 0;
        for (int i = 0; i < shape.length; i++) {
            if (index[i] < 0 || index[i] >= shape[i]) {
                throw new IndexOutOfBoundsException("Index " + Arrays.toString(index) + " outside shape "
                        + Arrays.toString(shape));
            }
            flat = flat * shape[i] + index[i];
        }
        return data[flat];
    }

    /**
     * One value by its flat row-major position, without the N-d index arithmetic of {@link #get}.
     *
     * @param i 0-based position, below {@link #size()}
     * @return the value at that position
     * @throws ArrayIndexOutOfBoundsException {@code i} is outside [0, {@code size()})
     */
    public float getFlat(int i) {
        return data[i];
    }

    /**
     * Finds the first value that is not finite, e.g. to reject a diverged computation naming where it failed.
     *
     * @return the flat row-major position of the first NaN or infinite value, or -1 when all values are finite
     */
    public int firstNonFinite() {
        for (int i = 0; i < data.length; i++) {
            if (!Float.isFinite(data[i])) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Tensor t && Arrays.equals(shape, t.shape) && Arrays.equals(data, t.data);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(shape) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "Tensor" + Arrays.toString(shape);
    }
}
