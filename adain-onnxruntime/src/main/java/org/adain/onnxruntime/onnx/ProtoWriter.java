package org.adain.onnxruntime.onnx;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The protobuf wire format, only what ONNX's messages need: varints (int32/int64/enum), 32-bit floats,
 * length-delimited strings, bytes and nested messages. Fields are written in the order they are called; a
 * nested message is written into its own writer first and then embedded (its length must precede it).
 */
final class ProtoWriter {
    private static final int VARINT = 0;
    private static final int FIXED32 = 5;
    private static final int LENGTH_DELIMITED = 2;

    private byte[] buf = new byte[64];
    private int size;

    /** An int32/int64/enum field. Negative values take ten bytes, as protobuf writes them. */
    ProtoWriter varint(int field, long value) {
        tag(field, VARINT);
        rawVarint(value);
        return this;
    }

    /** A {@code float} field. */
    ProtoWriter float32(int field, float value) {
        tag(field, FIXED32);
        int bits = Float.floatToRawIntBits(value);
        ensure(4);
        buf[size++] = (byte) bits;
        buf[size++] = (byte) (bits >>> 8);
        buf[size++] = (byte) (bits >>> 16);
        buf[size++] = (byte) (bits >>> 24);
        return this;
    }

    /** A {@code string} field, UTF-8. */
    ProtoWriter string(int field, String value) {
        return bytes(field, value.getBytes(StandardCharsets.UTF_8), 0, -1);
    }

    /** A {@code bytes} field. */
    ProtoWriter bytes(int field, byte[] value) {
        return bytes(field, value, 0, value.length);
    }

    private ProtoWriter bytes(int field, byte[] value, int from, int length) {
        int n = length < 0 ? value.length : length;
        tag(field, LENGTH_DELIMITED);
        rawVarint(n);
        ensure(n);
        System.arraycopy(value, from, buf, size, n);
        size += n;
        return this;
    }

    /** An embedded message field. */
    ProtoWriter message(int field, ProtoWriter message) {
        return bytes(field, message.buf, 0, message.size);
    }

    /** The bytes written so far. */
    byte[] toByteArray() {
        return Arrays.copyOf(buf, size);
    }

    int size() {
        return size;
    }

    private void tag(int field, int wireType) {
        rawVarint(((long) field << 3) | wireType);
    }

    private void rawVarint(long value) {
        ensure(10);
        long v = value;
        while ((v & ~0x7FL) != 0) {
            buf[size++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        buf[size++] = (byte) v;
    }

    private void ensure(int more) {
        long needed = (long) size + more;
        if (needed > Integer.MAX_VALUE - 8) {
            // protobuf itself refuses messages of 2 GiB; ONNX models over that need external data
            throw new IllegalStateException("An ONNX message over 2 GiB cannot be written in memory");
        }
        if (needed > buf.length) {
            buf = Arrays.copyOf(buf, (int) Math.min(Integer.MAX_VALUE - 8, Math.max(needed, 2L * buf.length)));
        }
    }
}
