package org.adain.format;

import java.nio.charset.StandardCharsets;

/**
 * A little-endian cursor over one HDF5 structure that has already been read from the file (a superblock, an
 * object header block, a heap, a B-tree node, a message body). Every read is checked against the structure's
 * end; an overrun is a {@link org.adain.ModelException} naming the file, the structure, its address and the
 * field being read, never an index exception.
 */
final class Hdf5Buf {
    private final Hdf5File h5;
    private final byte[] b;
    private final int start;
    private final int end;
    private final long address;
    private final String what;
    private int pos;

    /**
     * @param address absolute file position of {@code b[start]}
     * @param what    the structure, for messages ("the object header of 'model_weights'")
     */
    Hdf5Buf(Hdf5File h5, byte[] b, int start, int end, long address, String what) {
        this.h5 = h5;
        this.b = b;
        this.start = start;
        this.end = end;
        this.address = address;
        this.what = what;
        this.pos = start;
    }

    String what() {
        return what;
    }

    /** A new cursor over the same structure, at its start. */
    Hdf5Buf fresh() {
        return new Hdf5Buf(h5, b, start, end, address, what);
    }

    /** A new cursor over the same bytes under another name for messages. */
    Hdf5Buf named(String newWhat) {
        return new Hdf5Buf(h5, b, start, end, address, newWhat);
    }

    /** Absolute file position of the structure's first byte. */
    long address() {
        return address;
    }

    /** Absolute file position of the cursor. */
    long here() {
        return address + (pos - start);
    }

    /** Bytes read so far from the structure's start. */
    int position() {
        return pos - start;
    }

    int size() {
        return end - start;
    }

    int remaining() {
        return end - pos;
    }

    void position(int relative) {
        if (relative < 0 || relative > size()) {
            throw h5.corrupt(what, "a position " + relative + " outside its " + size() + " bytes");
        }
        pos = start + relative;
    }

    private void need(long n, String field) {
        if (n < 0 || n > end - pos) {
            throw h5.corrupt(what + " at byte " + address, "reading " + field + " needs " + n + " byte(s) at byte "
                    + here() + ", but the structure ends at byte " + (address + size())
                    + "; the file is truncated or corrupt");
        }
    }

    int u8(String field) {
        need(1, field);
        return b[pos++] & 0xff;
    }

    int u16(String field) {
        need(2, field);
        int v = (b[pos] & 0xff) | (b[pos + 1] & 0xff) << 8;
        pos += 2;
        return v;
    }

    long u32(String field) {
        need(4, field);
        long v = uvarAt(pos, 4);
        pos += 4;
        return v;
    }

    /** A 32-bit field as an int (for checksums and masks, where the sign does not matter). */
    int i32(String field) {
        return (int) u32(field);
    }

    /**
     * An unsigned little-endian integer of {@code n} (0..8) bytes. Values of 2^63 and above (only possible with
     * n = 8) come back as {@link Long#MAX_VALUE}, which every limit check then refuses.
     */
    long uvar(int n, String field) {
        if (n < 0 || n > 8) {
            throw h5.corrupt(what, field + " is " + n + " bytes wide; at most 8 are supported");
        }
        need(n, field);
        long v = uvarAt(pos, n);
        pos += n;
        if (n == 8 && v < 0) {
            return Long.MAX_VALUE;
        }
        return v;
    }

    private long uvarAt(int p, int n) {
        long v = 0;
        for (int i = n - 1; i >= 0; i--) {
            v = v << 8 | (b[p + i] & 0xff);
        }
        return v;
    }

    /** A file address (Size of Offsets bytes); {@link Hdf5File#UNDEF} when all bits are set. */
    long offset(String field) {
        int n = h5.sizeOfOffsets();
        need(n, field);
        boolean allOnes = true;
        for (int i = 0; i < n; i++) {
            allOnes &= b[pos + i] == (byte) 0xff;
        }
        if (allOnes) {
            pos += n;
            return Hdf5File.UNDEF;
        }
        return uvar(n, field);
    }

    /** A length (Size of Lengths bytes). */
    long length(String field) {
        return uvar(h5.sizeOfLengths(), field);
    }

    void skip(long n, String field) {
        need(n, field);
        pos += (int) n;
    }

    /** Moves to the next multiple of 8 counted from the structure's start (v1 object header alignment). */
    void align8(String field) {
        int rel = pos - start;
        int pad = (8 - (rel & 7)) & 7;
        skip(Math.min(pad, remaining()), field);
    }

    byte[] bytes(long n, String field) {
        need(n, field);
        byte[] out = new byte[(int) n];
        System.arraycopy(b, pos, out, 0, (int) n);
        pos += (int) n;
        return out;
    }

    /** The next {@code n} bytes as a structure of their own; the cursor moves past them. */
    Hdf5Buf sub(long n, String field, String subWhat) {
        need(n, field);
        Hdf5Buf s = new Hdf5Buf(h5, b, pos, pos + (int) n, here(), subWhat);
        pos += (int) n;
        return s;
    }

    /** The rest of the structure from the cursor, as text up to its first NUL (UTF-8). */
    String nulTerminated(long n, String field) {
        need(n, field);
        int stop = pos;
        int limit = pos + (int) n;
        while (stop < limit && b[stop] != 0) {
            stop++;
        }
        String s = new String(b, pos, stop - pos, StandardCharsets.UTF_8);
        pos = limit;
        return s;
    }

    /** Checks a 4-byte ASCII signature such as "OHDR". */
    void signature(String expected) {
        need(4, "the signature");
        String got = new String(b, pos, 4, StandardCharsets.ISO_8859_1);
        if (!got.equals(expected)) {
            throw h5.corrupt(what + " at byte " + address, "the signature is '" + SafeText.of(got) + "', expected '"
                    + expected + "'; the address points at something else, so the file is corrupt");
        }
        pos += 4;
    }

    /**
     * Checks the lookup3 checksum stored right after the bytes from the structure's start to the cursor, and moves
     * past it.
     */
    void checksum() {
        int covered = pos - start;
        int stored = i32("the checksum");
        int computed = Hdf5Checksum.lookup3(b, start, covered);
        if (stored != computed) {
            throw h5.corrupt(what + " at byte " + address, "the checksum does not match (stored "
                    + Integer.toHexString(stored) + ", computed " + Integer.toHexString(computed)
                    + "); the file is corrupt");
        }
    }

    /** The raw array behind this structure and its bounds, for bulk copies. */
    byte[] array() {
        return b;
    }

    int arrayStart() {
        return start;
    }

    int arrayPos() {
        return pos;
    }
}
