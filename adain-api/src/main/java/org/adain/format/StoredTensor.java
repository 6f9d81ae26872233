package org.adain.format;

import java.nio.ByteOrder;
import java.util.Arrays;
import org.adain.ModelException;

/**
 * A tensor as PyTorch and Torch7 store it: shape, strides and an element offset into a storage (a flat array of
 * one element type, possibly shared by several tensors). Values are read lazily, only for the tensors used, and
 * only after the view has been checked to lie inside its storage.
 */
final class StoredTensor {
    /** The most elements one tensor may have or span: far above VGG-19's largest kernel (2.4M). */
    static final long MAX_ELEMENTS = 1L << 28;
    /** The most dimensions a tensor may have. */
    static final int MAX_DIMS = 16;

    /** A flat run of elements in a file. */
    interface Storage {
        ElementType type();

        long numel();

        /** {@code count} elements from element {@code from}, as float; the range is inside [0, numel). */
        float[] read(long from, int count);
    }

    /** A storage whose elements lie contiguously in a file from {@code dataStart}, in one byte order. */
    abstract static class FileStorage implements Storage {
        final BinaryInput in;
        final ElementType type;
        final ByteOrder order;
        long numel;
        long dataStart = -1;

        FileStorage(BinaryInput in, ElementType type, ByteOrder order) {
            this.in = in;
            this.type = type;
            this.order = order;
        }

        @Override
        public ElementType type() {
            return type;
        }

        @Override
        public long numel() {
            return numel;
        }

        @Override
        public float[] read(long from, int count) {
            byte[] raw = new byte[Math.multiplyExact(count, type.size)];
            in.readAt(dataStart + from * type.size, raw);
            return type.toFloats(raw, count, order);
        }
    }

    private final long[] shape;
    private final long[] stride;
    private final long offset;
    private final Storage storage;

    StoredTensor(long[] shape, long[] stride, long offset, Storage storage) {
        this.shape = shape.clone();
        this.stride = stride.clone();
        this.offset = offset;
        this.storage = storage;
    }

    long[] shape() {
        return shape.clone();
    }

    int rank() {
        return shape.length;
    }

    ElementType type() {
        return storage == null ? null : storage.type();
    }

    String shapeString() {
        return Arrays.toString(shape);
    }

    /** Number of elements (the product of the shape), or -1 when it exceeds {@link #MAX_ELEMENTS}. */
    long numel() {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                return -1;
            }
            if (d != 0 && n > MAX_ELEMENTS / d) {
                return -1;
            }
            n *= d;
        }
        return n;
    }

    /**
     * The values in row-major order, as float. {@code what} names the tensor in messages
     * ("decoder.pth: key '28.weight'").
     */
    float[] values(String what) {
        long n = numel();
        if (n < 0) {
            throw new ModelException(what + " has shape " + shapeString() + ", more than " + MAX_ELEMENTS
                    + " values");
        }
        if (n == 0) {
            return new float[0];
        }
        if (storage == null) {
            throw new ModelException(what + " has shape " + shapeString() + " but no storage holding its values");
        }
        if (!storage.type().floating) {
            throw new ModelException(what + " holds " + storage.type().label
                    + " values; weights must be float32, float16 or float64");
        }
        if (offset < 0) {
            throw new ModelException(what + " starts at element " + offset + " of its storage; negative offsets "
                    + "are invalid");
        }
        long last = offset;
        boolean contiguous = true;
        long expect = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            if (stride[i] < 0) {
                throw new ModelException(what + " has a negative stride " + Arrays.toString(stride));
            }
            if (shape[i] > 1 && stride[i] != expect) {
                contiguous = false;
            }
            expect *= shape[i];
            try {
                last = Math.addExact(last, Math.multiplyExact(shape[i] - 1, stride[i]));
            } catch (ArithmeticException e) {
                last = Long.MAX_VALUE;
            }
        }
        if (last >= storage.numel()) {
            throw new ModelException(what + " (shape " + shapeString() + ", strides " + Arrays.toString(stride)
                    + ", offset " + offset + ") reaches element " + last + " of its storage, which holds only "
                    + storage.numel() + "; the file is corrupt");
        }
        long span = last - offset + 1;
        if (span > MAX_ELEMENTS) {
            throw new ModelException(what + " spans " + span + " elements of its storage, more than " + MAX_ELEMENTS);
        }
        float[] raw = storage.read(offset, (int) span);
        if (contiguous) {
            return raw;
        }
        float[] out = new float[(int) n];
        int[] idx = new int[shape.length];
        for (int k = 0; k < n; k++) {
            long at = 0;
            for (int d = 0; d < shape.length; d++) {
                at += idx[d] * stride[d];
            }
            out[k] = raw[(int) at];
            for (int d = shape.length - 1; d >= 0; d--) {
                if (++idx[d] < shape[d]) {
                    break;
                }
                idx[d] = 0;
            }
        }
        return out;
    }
}
