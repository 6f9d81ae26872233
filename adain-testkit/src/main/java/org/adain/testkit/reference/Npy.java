package org.adain.testkit.reference;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A small, strict reader for NumPy {@code .npy} files.
 *
 * <p>Accepted: format versions 1.0, 2.0 and 3.0; {@code descr} {@code '<f8'} or {@code '<f4'};
 * {@code fortran_order: False}; a shape tuple of non-negative integers (possibly empty, a
 * scalar); exactly as many data bytes as the shape needs. Anything else is rejected with an
 * {@link IllegalArgumentException} that names the file and says what is wrong.
 *
 * <pre>{@code
 * Npy.Array want = Npy.read(Path.of("output.npy"));
 * double worst = want.maxAbsDiff(new Npy.Array(want.shape(), mine));
 * }</pre>
 */
public final class Npy {

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)\\b");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");
    private static final Pattern KEY = Pattern.compile("'[^']*'\\s*:");

    private Npy() {
    }

    /**
     * An N-dimensional array of doubles in C (row-major) order. Neither array is copied: treat them as read-only.
     *
     * @param shape the dimensions, each ≥ 0; empty for a scalar
     * @param data  the values, as many as the product of the dimensions
     */
    public record Array(int[] shape, double[] data) {

        /**
         * Checks that the data fit the shape.
         *
         * @param shape the dimensions, each ≥ 0
         * @param data  the values in C order
         * @throws IllegalArgumentException a dimension is negative, or {@code data.length} is not their product
         */
        public Array {
            long n = 1;
            for (int d : shape) {
                if (d < 0) {
                    throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
                }
                n *= d;
            }
            if (n != data.length) {
                throw new IllegalArgumentException(
                        "shape " + Arrays.toString(shape) + " needs " + n + " elements, got " + data.length);
            }
        }

        /**
         * The number of dimensions.
         *
         * @return the length of the shape, 0 for a scalar
         */
        public int rank() {
            return shape.length;
        }

        /**
         * The number of elements.
         *
         * @return the length of the data
         */
        public int size() {
            return data.length;
        }

        /**
         * The element at a full index.
         *
         * @param index one 0-based coordinate per dimension
         * @return the element
         * @throws IllegalArgumentException  the index has another rank than the array
         * @throws IndexOutOfBoundsException a coordinate is outside its dimension
         */
        public double get(int... index) {
            if (index.length != shape.length) {
                throw new IllegalArgumentException(
                        "index of rank " + index.length + " for an array of shape " + Arrays.toString(shape));
            }
            int flat = 0;
            for (int i = 0; i < shape.length; i++) {
                if (index[i] < 0 || index[i] >= shape[i]) {
                    throw new IndexOutOfBoundsException(
                            "index " + Arrays.toString(index) + " outside shape " + Arrays.toString(shape));
                }
                flat = flat * shape[i] + index[i];
            }
            return data[flat];
        }

        /**
         * The largest magnitude, e.g. to put an error in relation to the values.
         *
         * @return max |x| over the elements, 0 for an empty array, NaN when an element is NaN
         */
        public double maxAbs() {
            double m = 0;
            for (double v : data) {
                m = Math.max(m, Math.abs(v));
            }
            return m;
        }

        /**
         * The largest absolute element-wise difference to another array of the same shape, the number to compare
         * with a tolerance.
         *
         * @param other an array of the same shape
         * @return max |this − other| over the elements, 0 for empty arrays, NaN as soon as a difference is NaN (so
         *         a NaN never passes a {@code <=} check)
         * @throws IllegalArgumentException the shapes differ
         */
        public double maxAbsDiff(Array other) {
            if (!Arrays.equals(shape, other.shape)) {
                throw new IllegalArgumentException(
                        "shape " + Arrays.toString(other.shape) + " differs from " + Arrays.toString(shape));
            }
            double m = 0;
            for (int i = 0; i < data.length; i++) {
                double d = Math.abs(data[i] - other.data[i]);
                if (Double.isNaN(d)) {
                    return Double.NaN;
                }
                m = Math.max(m, d);
            }
            return m;
        }

        @Override
        public String toString() {
            return "Npy.Array" + Arrays.toString(shape);
        }
    }

    /**
     * Reads a {@code .npy} file.
     *
     * @param file the file
     * @return its values widened to float64, in C order
     * @throws IOException              the file cannot be read
     * @throws IllegalArgumentException the file is not an {@code .npy} this reader accepts (see above); the message
     *                                  starts with the file name
     */
    public static Array read(Path file) throws IOException {
        return read(Files.readAllBytes(file), file.toString());
    }

    /**
     * Reads a whole stream; the stream is not closed here.
     *
     * @param in   the {@code .npy} bytes
     * @param name what to call the source in error messages, e.g. a resource path
     * @return the values widened to float64, in C order
     * @throws IOException              the stream cannot be read
     * @throws IllegalArgumentException the bytes are not an {@code .npy} this reader accepts
     */
    public static Array read(InputStream in, String name) throws IOException {
        return read(in.readAllBytes(), name);
    }

    /**
     * Parses {@code .npy} bytes.
     *
     * @param bytes the whole file
     * @param name  what to call the source in error messages, e.g. a resource path
     * @return the values widened to float64, in C order
     * @throws IllegalArgumentException the bytes are not an {@code .npy} this reader accepts: bad magic, version,
     *                                  header, dtype, order or shape, or a data length that does not fit the shape
     */
    public static Array read(byte[] bytes, String name) {
        if (bytes.length < 10 || !Arrays.equals(Arrays.copyOf(bytes, 6), MAGIC)) {
            throw bad(name, "not an .npy file (missing the \\x93NUMPY magic)");
        }
        int major = bytes[6] & 0xff;
        int minor = bytes[7] & 0xff;
        ByteBuffer bb = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long headerLen;
        int headerStart;
        if (major == 1 && minor == 0) {
            headerLen = bb.getShort(8) & 0xffff;
            headerStart = 10;
        } else if ((major == 2 || major == 3) && minor == 0) {
            if (bytes.length < 12) {
                throw bad(name, "truncated header");
            }
            headerLen = bb.getInt(8) & 0xffffffffL;
            headerStart = 12;
        } else {
            throw bad(name, "unsupported format version " + major + "." + minor + " (want 1.0, 2.0 or 3.0)");
        }
        if (headerStart + headerLen > bytes.length) {
            throw bad(name, "header length " + headerLen + " runs past the end of the file");
        }
        int dataStart = (int) (headerStart + headerLen);
        String header = new String(bytes, headerStart, (int) headerLen,
                major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        if (!header.endsWith("\n")) {
            throw bad(name, "header does not end with a newline");
        }
        String dict = header.trim();
        Matcher descrM = DESCR.matcher(dict);
        Matcher fortranM = FORTRAN.matcher(dict);
        Matcher shapeM = SHAPE.matcher(dict);
        if (!dict.startsWith("{") || !dict.endsWith("}") || KEY.matcher(dict).results().count() != 3
                || !descrM.find() || !fortranM.find() || !shapeM.find()) {
            throw bad(name, "unrecognised header " + dict
                    + " (want exactly {'descr': ..., 'fortran_order': ..., 'shape': (...)})");
        }
        String descr = descrM.group(1);
        int itemSize;
        if (descr.equals("<f8")) {
            itemSize = 8;
        } else if (descr.equals("<f4")) {
            itemSize = 4;
        } else {
            throw bad(name, "dtype '" + descr + "' is not supported (only little-endian '<f8' and '<f4')");
        }
        if (fortranM.group(1).equals("True")) {
            throw bad(name, "fortran_order is True (only C order is supported)");
        }
        int[] shape = parseShape(shapeM.group(1), name);
        long count = 1;
        for (int d : shape) {
            count *= d;
        }
        long need = count * itemSize;
        long have = bytes.length - (long) dataStart;
        if (have != need) {
            throw bad(name, "shape " + Arrays.toString(shape) + " of " + descr + " needs " + need
                    + " data bytes, the file has " + have);
        }
        double[] data = new double[(int) count];
        bb.position(dataStart);
        if (itemSize == 8) {
            bb.asDoubleBuffer().get(data);
        } else {
            var fb = bb.asFloatBuffer();
            for (int i = 0; i < data.length; i++) {
                data[i] = fb.get(i);
            }
        }
        return new Array(shape, data);
    }

    private static int[] parseShape(String s, String name) {
        String t = s.trim();
        if (t.isEmpty()) {
            return new int[0];
        }
        String[] parts = t.split(",", -1);
        List<Integer> dims = new ArrayList<>();
        for (int i = 0; i < parts.length; i++) {
            String p = parts[i].trim();
            if (p.isEmpty() && i == parts.length - 1 && i > 0) {
                break;                                   // trailing comma: (3,)
            }
            if (!p.matches("[0-9]+L?")) {
                throw bad(name, "bad shape (" + s + ")");
            }
            long v = Long.parseLong(p.endsWith("L") ? p.substring(0, p.length() - 1) : p);
            if (v > Integer.MAX_VALUE) {
                throw bad(name, "dimension " + v + " too large");
            }
            dims.add((int) v);
        }
        if (dims.size() == 1 && !t.endsWith(",")) {
            throw bad(name, "bad shape (" + s + "): a one-element tuple needs a trailing comma");
        }
        return dims.stream().mapToInt(Integer::intValue).toArray();
    }

    private static IllegalArgumentException bad(String name, String what) {
        return new IllegalArgumentException(name + ": " + what);
    }
}
