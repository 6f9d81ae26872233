package org.adain.format;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Element types of stored tensors, and their conversion to float. Only the floating ones hold weights. */
enum ElementType {
    FLOAT32(4, true, "float32"),
    FLOAT16(2, true, "float16"),
    FLOAT64(8, true, "float64"),
    INT64(8, false, "int64"),
    INT32(4, false, "int32"),
    INT16(2, false, "int16"),
    INT8(1, false, "int8"),
    UINT8(1, false, "uint8");

    final int size;
    final boolean floating;
    final String label;

    ElementType(int size, boolean floating, String label) {
        this.size = size;
        this.floating = floating;
        this.label = label;
    }

    /**
     * Converts {@code count} elements of raw storage bytes to float. float16 is widened exactly, float64 rounded
     * to the nearest float (values beyond float's range become ±Infinity, which ConvLayer then rejects).
     */
    float[] toFloats(byte[] raw, int count, ByteOrder order) {
        if (!floating) {
            throw new IllegalStateException(label + " is not a floating type");
        }
        ByteBuffer b = ByteBuffer.wrap(raw).order(order);
        float[] out = new float[count];
        switch (this) {
            case FLOAT32 -> b.asFloatBuffer().get(out);
            case FLOAT64 -> {
                for (int i = 0; i < count; i++) {
                    out[i] = (float) b.getDouble();
                }
            }
            case FLOAT16 -> {
                for (int i = 0; i < count; i++) {
                    out[i] = halfToFloat(b.getShort());
                }
            }
            default -> throw new IllegalStateException(label);
        }
        return out;
    }

    /** IEEE 754 binary16 to float, exactly (every half is a float): normals, subnormals, ±0, ±Inf and NaN. */
    static float halfToFloat(short h) {
        int bits = h & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exp = (bits >>> 10) & 0x1f;
        int mant = bits & 0x3ff;
        if (exp == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        }
        if (exp == 0) {
            // zero or subnormal: mant × 2^-24, exact in float
            float v = mant * 0x1p-24f;
            return sign == 0 ? v : -v;
        }
        return Float.intBitsToFloat(sign | ((exp - 15 + 127) << 23) | (mant << 13));
    }
}
