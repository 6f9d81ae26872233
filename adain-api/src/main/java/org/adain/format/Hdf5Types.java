package org.adain.format;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * HDF5 datatype and dataspace messages, and the conversion of stored elements to Java values: numbers to float,
 * fixed- and variable-length strings to {@link String}.
 */
final class Hdf5Types {
    static final int FIXED = 0;
    static final int FLOAT = 1;
    static final int STRING = 3;
    static final int VLEN = 9;
    private static final String[] CLASS_NAMES = {"integer", "floating-point", "time", "string", "bitfield", "opaque",
        "compound", "reference", "enumeration", "variable-length", "array", "complex"};

    /** Variable-length types nest (a sequence of sequences); real files nest once at most. */
    static final int MAX_TYPE_DEPTH = 8;
    /** Dataspaces have at most 32 dimensions in HDF5. */
    static final int MAX_RANK = 32;
    /** The most elements a dataspace may declare (far beyond any weight file: 2^40). */
    static final long MAX_ELEMENTS = 1L << 40;

    private Hdf5Types() {
    }

    /**
     * A datatype. {@code floatType} is set for the IEEE formats read; {@code base} for variable-length types.
     *
     * @param stringPad 0 NUL-terminated, 1 NUL-padded, 2 space-padded (strings)
     */
    record Datatype(int cls, long size, boolean bigEndian, boolean signed, ElementType floatType, int stringPad,
            boolean vlenString, Datatype base) {
        boolean isString() {
            return cls == STRING || cls == VLEN && vlenString;
        }

        boolean isNumeric() {
            return cls == FIXED || cls == FLOAT;
        }

        ByteOrder order() {
            return bigEndian ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        }

        /** "float32 little-endian", "a 16-byte string", "compound": for messages. */
        String describe() {
            switch (cls) {
                case FIXED:
                    return (signed ? "int" : "uint") + (size * 8) + (bigEndian ? " big-endian" : " little-endian");
                case FLOAT:
                    return floatType.label + (bigEndian ? " big-endian" : " little-endian");
                case STRING:
                    return "a " + size + "-byte string";
                case VLEN:
                    return vlenString ? "a variable-length string" : "a variable-length sequence";
                default:
                    return className(cls);
            }
        }
    }

    static String className(int cls) {
        return cls >= 0 && cls < CLASS_NAMES.length ? CLASS_NAMES[cls] : "class " + cls;
    }

    /** Parses a datatype message. */
    static Datatype datatype(Hdf5Buf b, Hdf5File h5, String where, int depth) {
        if (depth > MAX_TYPE_DEPTH) {
            throw h5.corrupt(where, "has datatypes nested more than " + MAX_TYPE_DEPTH + " deep");
        }
        int classAndVersion = b.u8("the datatype class and version");
        int cls = classAndVersion & 0x0f;
        int version = classAndVersion >>> 4;
        if (version < 1 || version > 5) {
            throw h5.corrupt(where, "has a datatype of version " + version + "; HDF5 defines 1 to 5");
        }
        int f0 = b.u8("the datatype bit field");
        int f1 = b.u8("the datatype bit field");
        b.u8("the datatype bit field");
        long size = b.u32("the datatype size");
        switch (cls) {
            case FIXED: {
                int bitOffset = b.u16("the integer bit offset");
                int precision = b.u16("the integer precision");
                boolean plain = bitOffset == 0 && precision == size * 8 && (size == 1 || size == 2 || size == 4
                        || size == 8);
                if (!plain) {
                    throw h5.unsupported(where, "has a " + size + "-byte integer type with " + precision
                            + " bits at bit offset " + bitOffset + "; only plain 8-, 16-, 32- and 64-bit integers "
                            + "are read");
                }
                return new Datatype(cls, size, (f0 & 1) != 0, (f0 & 8) != 0, null, 0, false, null);
            }
            case FLOAT: {
                boolean vax = (f0 & 0x40) != 0;
                if (vax) {
                    throw h5.unsupported(where, "has a floating-point type in VAX byte order; only little- and "
                            + "big-endian IEEE types are read");
                }
                int bitOffset = b.u16("the float bit offset");
                int precision = b.u16("the float precision");
                int expLoc = b.u8("the exponent location");
                int expSize = b.u8("the exponent size");
                int mantLoc = b.u8("the mantissa location");
                int mantSize = b.u8("the mantissa size");
                long bias = b.u32("the exponent bias");
                int sign = f1;
                int norm = (f0 >>> 4) & 3;
                ElementType t = null;
                if (bitOffset == 0 && mantLoc == 0 && norm == 2 && precision == size * 8) {
                    if (size == 4 && expLoc == 23 && expSize == 8 && mantSize == 23 && bias == 127 && sign == 31) {
                        t = ElementType.FLOAT32;
                    } else if (size == 8 && expLoc == 52 && expSize == 11 && mantSize == 52 && bias == 1023
                            && sign == 63) {
                        t = ElementType.FLOAT64;
                    } else if (size == 2 && expLoc == 10 && expSize == 5 && mantSize == 10 && bias == 15
                            && sign == 15) {
                        t = ElementType.FLOAT16;
                    }
                }
                if (t == null) {
                    throw h5.unsupported(where, "has a " + size + "-byte floating-point type that is not IEEE "
                            + "float16, float32 or float64 (exponent " + expSize + " bits at " + expLoc
                            + ", mantissa " + mantSize + " bits at " + mantLoc + ", bias " + bias + ")");
                }
                return new Datatype(cls, size, (f0 & 1) != 0, true, t, 0, false, null);
            }
            case STRING:
                return new Datatype(cls, size, false, false, null, f0 & 0x0f, false, null);
            case VLEN: {
                int kind = f0 & 0x0f;
                Datatype base = datatype(b, h5, where, depth + 1);
                return new Datatype(cls, size, false, false, null, (f0 >>> 4) & 0x0f, kind == 1, base);
            }
            default:
                // read as far as its class: refused where its values are asked for
                return new Datatype(cls, size, false, false, null, 0, false, null);
        }
    }

    /** A dataspace: the dimensions; {@code isNull} for the null dataspace (no elements at all). */
    record Dataspace(long[] dims, boolean isNull) {
        long count() {
            if (isNull) {
                return 0;
            }
            long n = 1;
            for (long d : dims) {
                n *= d; // each dim and the product were bounded when parsed
            }
            return n;
        }

        String shapeString() {
            return Arrays.toString(dims);
        }
    }

    /** Parses a dataspace message; the element count is bounded by {@link #MAX_ELEMENTS}. */
    static Dataspace dataspace(Hdf5Buf b, Hdf5File h5, String where) {
        int version = b.u8("the dataspace version");
        int rank = b.u8("the dataspace rank");
        int flags = b.u8("the dataspace flags");
        boolean isNull = false;
        if (version == 1) {
            b.skip(5, "reserved bytes");
            if ((flags & 2) != 0) {
                throw h5.unsupported(where, "has a dataspace with a permutation index, which HDF5 never wrote");
            }
        } else if (version == 2) {
            int type = b.u8("the dataspace type");
            if (type == 2) {
                isNull = true;
            } else if (type != 0 && type != 1) {
                throw h5.corrupt(where, "has the dataspace type " + type + "; 0 (scalar), 1 (simple) and 2 (null) "
                        + "exist");
            }
            if (type != 1 && rank != 0) {
                throw h5.corrupt(where, "has a scalar or null dataspace with " + rank + " dimensions");
            }
        } else {
            throw h5.corrupt(where, "has a dataspace of version " + version + "; HDF5 defines 1 and 2");
        }
        if (rank > MAX_RANK) {
            throw h5.corrupt(where, "has a dataspace of " + rank + " dimensions; HDF5 allows " + MAX_RANK);
        }
        long[] dims = new long[rank];
        long n = 1;
        for (int i = 0; i < rank; i++) {
            dims[i] = b.length("a dimension size");
            if (dims[i] != 0 && n > MAX_ELEMENTS / dims[i] || dims[i] > MAX_ELEMENTS) {
                throw h5.corrupt(where, "declares a dataspace of more than " + MAX_ELEMENTS + " elements");
            }
            n *= dims[i];
        }
        return new Dataspace(dims, isNull);
    }

    // ---- values ----------------------------------------------------------------------------------

    /** The first {@code n} numeric elements of {@code raw} as float, row-major. */
    static float[] toFloats(byte[] raw, int n, Datatype t) {
        if (t.cls() == FLOAT) {
            return t.floatType().toFloats(raw, n, t.order());
        }
        ByteBuffer b = ByteBuffer.wrap(raw, 0, (int) (n * t.size())).order(t.order());
        float[] out = new float[n];
        int size = (int) t.size();
        for (int i = 0; i < n; i++) {
            long v;
            switch (size) {
                case 1:
                    v = t.signed() ? b.get() : b.get() & 0xffL;
                    break;
                case 2:
                    v = t.signed() ? b.getShort() : b.getShort() & 0xffffL;
                    break;
                case 4:
                    v = t.signed() ? b.getInt() : b.getInt() & 0xffffffffL;
                    break;
                default:
                    v = b.getLong();
                    if (!t.signed() && v < 0) {
                        // an unsigned 64-bit value above 2^63: float of the unsigned value
                        out[i] = (float) ((v >>> 1) * 2.0 + (v & 1));
                        continue;
                    }
            }
            out[i] = v;
        }
        return out;
    }

    /**
     * {@code n} strings from {@code data}: fixed-length ones cut at the first NUL and stripped of padding (numpy
     * 'S' arrays pad with NULs, some writers with spaces), variable-length ones fetched from the global heap.
     * Each string is at most {@code maxBytes} long.
     */
    static List<String> strings(Hdf5Buf data, long n, Datatype t, Hdf5File h5, String where, long maxBytes) {
        List<String> out = new ArrayList<>();
        if (t.cls() == STRING) {
            if (t.size() > maxBytes) {
                throw h5.corrupt(where, "holds strings of " + t.size() + " bytes, more than the " + maxBytes
                        + " allowed for it");
            }
            for (long i = 0; i < n; i++) {
                byte[] s = data.bytes(t.size(), "a fixed-length string");
                int end = 0;
                while (end < s.length && s[end] != 0) {
                    end++;
                }
                out.add(new String(s, 0, end, StandardCharsets.UTF_8).strip());
            }
            return out;
        }
        for (long i = 0; i < n; i++) {
            long len = data.u32("a variable-length string's length");
            long collection = data.offset("a variable-length string's global heap address");
            long index = data.u32("a variable-length string's global heap index");
            if (len > maxBytes) {
                throw h5.corrupt(where, "holds a string of " + len + " bytes, more than the " + maxBytes
                        + " allowed for it");
            }
            if (len == 0 && collection == Hdf5File.UNDEF) {
                out.add("");
                continue;
            }
            byte[] s = h5.globalHeapObject(collection, index, where);
            if (len > s.length) {
                throw h5.corrupt(where, "holds a string of " + len + " bytes whose global heap object has only "
                        + s.length);
            }
            int end = 0;
            while (end < len && s[end] != 0) {
                end++;
            }
            out.add(new String(s, 0, end, StandardCharsets.UTF_8));
        }
        return out;
    }
}
