package org.adain.format;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * A fractal heap (header FRHP, indirect blocks FHIB, direct blocks FHDB), where dense link and attribute storage
 * keep their messages. Objects are found from their heap IDs by walking the doubling table from the root block;
 * managed and tiny objects are read, huge objects and filtered heaps are refused by name.
 */
final class Hdf5FractalHeap {
    /** Enough rows for any heap whose offsets fit in 64 bits. */
    static final int MAX_ROWS = 64;

    private final Hdf5File h5;
    private final long address;
    private final String what;
    private final int idLength;
    private final long maxManaged;
    private final int width;
    private final long startSize;
    private final long maxDirect;
    private final int offsetBytes;
    private final int lengthBytes;
    private final int maxDirectRows;
    private final long root;
    private final int rootRows;
    private final boolean checksummedDirect;
    private final Map<Long, long[]> indirect = new HashMap<>();
    private final Set<Long> checkedDirect = new HashSet<>();

    Hdf5FractalHeap(Hdf5File h5, long address, String where) {
        this.h5 = h5;
        this.address = address;
        this.what = "the fractal heap of " + where + " at address " + address;
        int so = h5.sizeOfOffsets();
        int sl = h5.sizeOfLengths();
        Hdf5Buf b = h5.read(address, 4 + 1 + 2 + 2 + 1 + 4 + 12L * sl + 3L * so + 2 + 2 + 2 + 2 + 4, what);
        b.signature("FRHP");
        int version = b.u8("the version");
        if (version != 0) {
            throw h5.corrupt(what, "has version " + version + ", expected 0");
        }
        idLength = b.u16("the heap ID length");
        int filters = b.u16("the I/O filters' encoded length");
        int flags = b.u8("the flags");
        checksummedDirect = (flags & 2) != 0;
        maxManaged = b.u32("the maximum size of managed objects");
        b.length("the next huge object ID");
        b.offset("the huge objects' B-tree address");
        b.length("the free space in managed blocks");
        b.offset("the free space manager address");
        b.length("the managed space");
        b.length("the allocated managed space");
        b.length("the direct block allocation iterator");
        b.length("the number of managed objects");
        b.length("the size of huge objects");
        b.length("the number of huge objects");
        b.length("the size of tiny objects");
        b.length("the number of tiny objects");
        width = b.u16("the table width");
        startSize = b.length("the starting block size");
        maxDirect = b.length("the maximum direct block size");
        int maxHeapBits = b.u16("the maximum heap size");
        b.u16("the starting number of rows in the root indirect block");
        root = b.offset("the root block address");
        rootRows = b.u16("the current number of rows in the root indirect block");
        if (filters != 0) {
            throw h5.unsupported(what, "is filtered (compressed); only unfiltered fractal heaps are read");
        }
        b.checksum();
        if (!powerOfTwo(width) || !powerOfTwo(startSize) || !powerOfTwo(maxDirect) || maxDirect < startSize
                || maxDirect > Hdf5File.MAX_BLOCK || maxHeapBits < 1 || maxHeapBits > 63 || rootRows > MAX_ROWS
                || idLength < 2) {
            throw h5.corrupt(what, "has an impossible doubling table (width " + width + ", blocks " + startSize
                    + " to " + maxDirect + " bytes, " + maxHeapBits + "-bit offsets, " + rootRows + " root rows, "
                    + idLength + "-byte IDs)");
        }
        if (log2(width * startSize) + Math.max(rootRows, 1) - 1 > maxHeapBits) {
            throw h5.corrupt(what, "has a root block of " + rootRows + " rows, more than its " + maxHeapBits
                    + "-bit offsets can address");
        }
        offsetBytes = (maxHeapBits + 7) / 8;
        lengthBytes = Math.min((log2(maxDirect) + 7) / 8, log2(Math.max(1, maxManaged)) / 8 + 1);
        maxDirectRows = log2(maxDirect) - log2(startSize) + 2;
    }

    private static boolean powerOfTwo(long v) {
        return v > 0 && (v & (v - 1)) == 0;
    }

    private static int log2(long v) {
        return 63 - Long.numberOfLeadingZeros(v);
    }

    /** The object a heap ID names, as its own structure. */
    Hdf5Buf object(byte[] id, String forWhat) {
        String where = forWhat + " (in " + what + ")";
        if (id.length != idLength) {
            throw h5.corrupt(where, "has a heap ID of " + id.length + " bytes; the heap uses " + idLength);
        }
        Hdf5Buf b = new Hdf5Buf(h5, id, 0, id.length, address, "a heap ID of " + where);
        int flags = b.u8("the heap ID flags");
        int version = flags >>> 6;
        int type = (flags >>> 4) & 3;
        if (version != 0) {
            throw h5.corrupt(where, "has a heap ID of version " + version + ", expected 0");
        }
        if (type == 2) {
            // tiny: the object is inside the ID
            int len;
            if (idLength <= 18) {
                len = (flags & 0x0f) + 1;
            } else {
                len = (((flags & 0x0f) << 8) | b.u8("the tiny object length")) + 1;
            }
            return b.sub(len, "a tiny object", where);
        }
        if (type == 1) {
            throw h5.unsupported(where, "is a huge fractal heap object (over " + maxManaged + " bytes), which this "
                    + "reader does not read");
        }
        if (type != 0) {
            throw h5.corrupt(where, "has a heap ID of the reserved type 3");
        }
        long offset = b.uvar(offsetBytes, "the object offset");
        long length = b.uvar(lengthBytes, "the object length");
        if (length < 1 || length > maxManaged) {
            throw h5.corrupt(where, "names an object of " + length + " bytes; the heap's objects have 1 to "
                    + maxManaged);
        }
        return find(offset, length, where);
    }

    private Hdf5Buf find(long offset, long length, String where) {
        if (root == Hdf5File.UNDEF) {
            throw h5.corrupt(where, "names an object in a heap without blocks");
        }
        if (rootRows == 0) {
            return fromDirect(root, 0, startSize, offset, length, where);
        }
        long blockAddress = root;
        long blockStart = 0;
        int rows = rootRows;
        long x = offset;
        for (int depth = 0; depth < MAX_ROWS; depth++) {
            long[] entries = indirectBlock(blockAddress, blockStart, rows);
            // the row holding x: row 0 and 1 have startSize blocks, row r > 1 blocks of startSize << (r - 1)
            long firstRows = width * startSize;
            int row = x < firstRows ? 0 : log2(x / firstRows) + 1;
            if (row >= rows) {
                throw h5.corrupt(where, "names heap offset " + offset + ", beyond the heap's blocks");
            }
            long size = row == 0 ? startSize : startSize << (row - 1);
            long rowStart = row == 0 ? 0 : firstRows << (row - 1);
            long col = (x - rowStart) / size;
            long child = entries[(int) (row * width + col)];
            long childStart = blockStart + rowStart + col * size;
            if (child == Hdf5File.UNDEF) {
                throw h5.corrupt(where, "names heap offset " + offset + ", in a block that was never allocated");
            }
            x = x - rowStart - col * size;
            if (row < maxDirectRows) {
                return fromDirect(child, childStart, size, x, length, where);
            }
            blockAddress = child;
            blockStart = childStart;
            rows = log2(size) - log2(firstRows) + 1;
        }
        throw h5.corrupt(where, "the heap's blocks are nested more than " + MAX_ROWS + " deep");
    }

    /** The child addresses of an indirect block of {@code rows} rows, read once. */
    private long[] indirectBlock(long at, long blockStart, int rows) {
        long[] entries = indirect.get(at);
        if (entries != null) {
            return entries;
        }
        if (rows < 1 || rows > MAX_ROWS) {
            throw h5.corrupt(what, "has an indirect block of " + rows + " rows");
        }
        String bwhat = "an indirect block of " + what + " at address " + at;
        long count = (long) rows * width;
        long len = 4 + 1 + h5.sizeOfOffsets() + offsetBytes + count * h5.sizeOfOffsets() + 4;
        Hdf5Buf b = h5.read(at, len, bwhat);
        b.signature("FHIB");
        int version = b.u8("the version");
        if (version != 0) {
            throw h5.corrupt(bwhat, "has version " + version + ", expected 0");
        }
        long heap = b.offset("the heap header address");
        long start = b.uvar(offsetBytes, "the block offset");
        if (heap != address || start != blockStart) {
            throw h5.corrupt(bwhat, "belongs to the heap at " + heap + " at offset " + start + ", but was reached "
                    + "from the heap at " + address + " for offset " + blockStart);
        }
        entries = new long[(int) count];
        for (int i = 0; i < count; i++) {
            entries[i] = b.offset("a child block address");
        }
        b.checksum();
        indirect.put(at, entries);
        if (indirect.size() > 1 << 16) {
            throw h5.corrupt(what, "has more than 65536 indirect blocks");
        }
        return entries;
    }

    private Hdf5Buf fromDirect(long at, long blockStart, long size, long x, long length, String where) {
        String bwhat = "a direct block of " + what + " at address " + at;
        int header = 4 + 1 + h5.sizeOfOffsets() + offsetBytes + (checksummedDirect ? 4 : 0);
        if (checkedDirect.add(at)) {
            Hdf5Buf b = h5.read(at, header - (checksummedDirect ? 4 : 0), bwhat);
            b.signature("FHDB");
            int version = b.u8("the version");
            if (version != 0) {
                throw h5.corrupt(bwhat, "has version " + version + ", expected 0");
            }
            long heap = b.offset("the heap header address");
            long start = b.uvar(offsetBytes, "the block offset");
            if (heap != address || start != blockStart) {
                throw h5.corrupt(bwhat, "belongs to the heap at " + heap + " at offset " + start + ", but was "
                        + "reached from the heap at " + address + " for offset " + blockStart);
            }
            h5.checkRange(at, size, bwhat);
        }
        if (x < header || x > size - length) {
            throw h5.corrupt(where, "names " + length + " bytes at offset " + x + " of a direct block of " + size
                    + " bytes, outside its objects");
        }
        return h5.read(at + x, length, "a heap object in " + bwhat);
    }
}
