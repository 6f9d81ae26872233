package org.adain.format;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.adain.ModelException;

/**
 * A bounded, read-only HDF5 reader: just enough of the format (HDF5 File Format Specification 3.0) to read the
 * groups, attributes and datasets of Keras weight files, written so that a corrupt or hostile file can only end
 * in a {@link ModelException} naming the file and the structure or field at fault.
 *
 * <ul>
 *   <li>superblock versions 0–3 (a user block before it is allowed), object headers v1 and v2 with
 *   continuation blocks and checksums;</li>
 *   <li>groups: old-style symbol tables (v1 B-tree + local heap, what h5py writes by default) and new-style link
 *   messages, compact or dense (fractal heap + v2 B-tree name index); hard links only;</li>
 *   <li>attributes: compact (in the object header) and dense;</li>
 *   <li>datatypes: IEEE float16/32/64 and integers of either byte order, fixed- and variable-length strings
 *   (global heap);</li>
 *   <li>data: compact, contiguous and chunked layouts (v1 B-tree, single-chunk, implicit and fixed-array chunk
 *   indexes) with the deflate, shuffle and fletcher32 filters ({@link Hdf5Data}).</li>
 * </ul>
 * Anything else is refused by name where it is met (dense storage of other kinds, soft and external links,
 * shared messages, compound and other datatypes, other filters and chunk indexes).
 *
 * <p><b>Bounds.</b> Every address, length and count is checked against the end of the file before anything is
 * read or allocated; each structure is read once and cached; all reads, metadata and data, and all decompressed
 * bytes are charged to one work budget of {@link #WORK_PER_FILE_BYTE} × the file size + {@link #WORK_BASE}
 * bytes, so total work is linear in the file size whatever the file claims. Nesting (paths, B-tree levels,
 * datatypes) is capped, and B-tree nodes, continuation blocks and heap blocks are never visited twice, so
 * cycles end in an error, not a hang.
 *
 * <p>Not thread-safe; one instance per read. Addresses in this class are relative to the superblock (HDF5's base
 * address) unless a name says absolute.
 */
final class Hdf5File implements Closeable {
    /** The 8-byte signature that starts an HDF5 superblock. */
    static final byte[] SIGNATURE = {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
    /** The undefined address (all bits set). */
    static final long UNDEF = -1;

    /** Work budget per byte of file: reads of metadata and data plus decompressed bytes. */
    static final long WORK_PER_FILE_BYTE = 8;
    /** Work budget every file gets on top, for small files with normal overheads. */
    static final long WORK_BASE = 16L << 20;
    /** The largest single structure read (a heap, a header block, a dataset's bytes). */
    static final long MAX_BLOCK = 1L << 30;
    /** The most path components followed. */
    static final int MAX_PATH_DEPTH = 128;

    private final String file;
    private final FileChannel channel;
    private final long fileSize;
    private final long base;
    private final long end;
    private final int sizeOfOffsets;
    private final int sizeOfLengths;
    private final int superblockVersion;
    private final long rootAddress;
    private final long budget;
    private long spent;

    private final Map<Long, Hdf5Object> objects = new HashMap<>();
    private final Map<Long, Collection> globalHeaps = new HashMap<>();
    private Hdf5Object root;

    private Hdf5File(String file, FileChannel channel, long fileSize, long base, long end, int sizeOfOffsets,
            int sizeOfLengths, int superblockVersion, long rootAddress) {
        this.file = file;
        this.channel = channel;
        this.fileSize = fileSize;
        this.base = base;
        this.end = end;
        this.sizeOfOffsets = sizeOfOffsets;
        this.sizeOfLengths = sizeOfLengths;
        this.superblockVersion = superblockVersion;
        this.rootAddress = rootAddress;
        this.budget = WORK_BASE + Math.min(WORK_PER_FILE_BYTE * fileSize, Long.MAX_VALUE / 4);
    }

    // ---- opening --------------------------------------------------------------------------------

    /**
     * Offset of the superblock signature: 0, or 512, 1024, 2048, … after a user block; -1 when there is none or
     * the file cannot be read.
     */
    static long signatureOffset(Path path) {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            return signatureOffset(ch, ch.size());
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static long signatureOffset(FileChannel ch, long size) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(SIGNATURE.length);
        for (long offset = 0; offset + SIGNATURE.length <= size; offset = offset == 0 ? 512 : offset * 2) {
            buf.clear();
            while (buf.hasRemaining() && ch.read(buf, offset + buf.position()) > 0) {
                // a positional read may return fewer bytes than asked; keep reading
            }
            if (!buf.hasRemaining() && Arrays.equals(buf.array(), SIGNATURE)) {
                return offset;
            }
        }
        return -1;
    }

    /** Whether {@code head} starts with the HDF5 signature. */
    static boolean startsWithSignature(byte[] head) {
        return head != null && head.length >= SIGNATURE.length
                && Arrays.equals(Arrays.copyOf(head, SIGNATURE.length), SIGNATURE);
    }

    /**
     * Opens a file and checks its superblock.
     *
     * @param file the name used in messages
     */
    static Hdf5File open(Path path, String file) {
        if (!Files.exists(path)) {
            throw new ModelException(file + ": no such file (" + path.toAbsolutePath() + ")");
        }
        if (!Files.isRegularFile(path)) {
            throw new ModelException(file + ": not a regular file (" + path.toAbsolutePath() + ")");
        }
        if (!Files.isReadable(path)) {
            throw new ModelException(file + ": the file is not readable (" + path.toAbsolutePath() + ")");
        }
        FileChannel ch;
        long size;
        long at;
        try {
            ch = FileChannel.open(path, StandardOpenOption.READ);
        } catch (IOException e) {
            throw new ModelException(file + ": cannot read the file (" + e.getMessage() + ")", e);
        }
        try {
            size = ch.size();
            at = signatureOffset(ch, size);
        } catch (IOException e) {
            close(ch);
            throw new ModelException(file + ": cannot read the file (" + e.getMessage() + ")", e);
        }
        if (at < 0) {
            close(ch);
            throw new ModelException(file + ": not an HDF5 file (no HDF5 signature); a Keras .h5 file is expected");
        }
        try {
            return superblock(file, ch, size, at);
        } catch (RuntimeException e) {
            close(ch);
            throw e;
        }
    }

    private static Hdf5File superblock(String file, FileChannel ch, long size, long at) {
        // the longest superblock (v1 with 8-byte offsets and a root symbol table entry) is 96 + 40 bytes
        int n = (int) Math.min(size - at, 256);
        byte[] head = new byte[n];
        readFully(ch, at, head, file);
        Hdf5File probe = new Hdf5File(file, ch, size, at, size, 8, 8, -1, UNDEF);
        Hdf5Buf b = new Hdf5Buf(probe, head, 0, n, at, "the superblock");
        b.skip(8, "the signature");
        int version = b.u8("the superblock version");
        int so;
        int sl;
        long eof;
        long rootHeader;
        if (version == 0 || version == 1) {
            b.u8("the free-space storage version");
            b.u8("the root group symbol table entry version");
            b.u8("a reserved byte");
            b.u8("the shared header message format version");
            so = b.u8("the size of offsets");
            sl = b.u8("the size of lengths");
            checkSizes(file, so, sl);
            b.u8("a reserved byte");
            b.u16("the group leaf node K");
            b.u16("the group internal node K");
            b.u32("the file consistency flags");
            if (version == 1) {
                b.u16("the indexed storage internal node K");
                b.u16("a reserved field");
            }
            probe = new Hdf5File(file, ch, size, at, size, so, sl, version, UNDEF);
            b = new Hdf5Buf(probe, head, b.position(), n, at + b.position(), "the superblock");
            b.offset("the base address");
            b.offset("the free-space info address");
            eof = b.offset("the end-of-file address");
            b.offset("the driver information block address");
            // the root group's symbol table entry
            b.length("the root entry's link name offset");
            rootHeader = b.offset("the root group's object header address");
        } else if (version == 2 || version == 3) {
            so = b.u8("the size of offsets");
            sl = b.u8("the size of lengths");
            checkSizes(file, so, sl);
            b.u8("the file consistency flags");
            probe = new Hdf5File(file, ch, size, at, size, so, sl, version, UNDEF);
            Hdf5Buf whole = new Hdf5Buf(probe, head, 0, n, at, "the superblock");
            whole.skip(12, "the superblock's first fields");
            whole.offset("the base address");
            whole.offset("the superblock extension address");
            eof = whole.offset("the end-of-file address");
            rootHeader = whole.offset("the root group's object header address");
            whole.checksum();
        } else {
            throw new ModelException(file + ": the superblock has version " + version + "; HDF5 defines versions 0 "
                    + "to 3, so the file is corrupt or from a newer HDF5 this reader does not know");
        }
        // HDF5 stores the end-of-file address as an absolute offset (H5F__super_read compares it with the file's
        // size), and so accepts a user block added in front of an existing file
        if (eof == UNDEF || eof < 0) {
            throw new ModelException(file + ": the superblock's end-of-file address is undefined; the file is "
                    + "corrupt");
        }
        if (eof > size) {
            throw new ModelException(file + ": the file is truncated: the superblock says it ends at byte " + eof
                    + ", but it has " + size + " bytes");
        }
        if (rootHeader == UNDEF || rootHeader < 0 || rootHeader >= size - at) {
            throw new ModelException(file + ": the superblock's root group address " + rootHeader
                    + " lies outside the file (" + (size - at) + " bytes after the superblock); the file is corrupt");
        }
        return new Hdf5File(file, ch, size, at, size, so, sl, version, rootHeader);
    }

    private static void checkSizes(String file, int so, int sl) {
        if (so != 2 && so != 4 && so != 8 || sl != 2 && sl != 4 && sl != 8) {
            throw new ModelException(file + ": the superblock gives " + so + "-byte offsets and " + sl
                    + "-byte lengths; only 2, 4 or 8 are read (HDF5 writes 8), so the file is corrupt or unusual");
        }
    }

    private static void readFully(FileChannel ch, long at, byte[] dst, String file) {
        ByteBuffer b = ByteBuffer.wrap(dst);
        try {
            while (b.hasRemaining()) {
                if (ch.read(b, at + b.position()) < 0) {
                    throw new ModelException(file + ": the file ends at byte " + (at + b.position()) + " while "
                            + dst.length + " bytes were read from byte " + at + "; it is truncated");
                }
            }
        } catch (IOException e) {
            throw new ModelException(file + ": cannot read the file (" + e.getMessage() + ")", e);
        }
    }

    private static void close(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // read-only
        }
    }

    @Override
    public void close() {
        close(channel);
    }

    // ---- basics ---------------------------------------------------------------------------------

    String fileName() {
        return file;
    }

    int sizeOfOffsets() {
        return sizeOfOffsets;
    }

    int sizeOfLengths() {
        return sizeOfLengths;
    }

    int superblockVersion() {
        return superblockVersion;
    }

    /** Bytes of the file from the superblock to its end-of-file address: no address may reach past it. */
    long length() {
        return end - base;
    }

    ModelException corrupt(String where, String problem) {
        return new ModelException(file + ": " + where + ": " + problem);
    }

    ModelException unsupported(String where, String problem) {
        return new ModelException(file + ": " + where + " " + problem);
    }

    /** Charges {@code n} bytes of work; refuses the file when its budget is spent. */
    void charge(long n, String what) {
        spent += n;
        if (n < 0 || spent > budget) {
            throw new ModelException(file + ": reading " + what + " would bring the work on this file past "
                    + (budget >> 20) + " MiB for a file of " + fileSize + " bytes; its structures refer to far more "
                    + "data than it holds (or to the same data over and over), so it is corrupt or hostile");
        }
    }

    /** Checks that {@code len} bytes at relative address {@code rel} lie in the file. */
    void checkRange(long rel, long len, String what) {
        if (rel == UNDEF) {
            throw corrupt(what, "the address is undefined");
        }
        if (rel < 0 || len < 0 || len > length() || rel > length() - len) {
            throw corrupt(what, "claims " + len + " bytes at address " + rel + ", beyond the end of the file ("
                    + length() + " bytes after the superblock); the file is truncated or corrupt");
        }
    }

    /** Reads a structure of {@code len} bytes at relative address {@code rel}. */
    Hdf5Buf read(long rel, long len, String what) {
        byte[] data = readBytes(rel, len, what);
        return new Hdf5Buf(this, data, 0, data.length, base + rel, what);
    }

    /** Reads at most {@code max} bytes at {@code rel}: as many as the file has, for structures of unknown size. */
    Hdf5Buf readUpTo(long rel, long max, String what) {
        checkRange(rel, 0, what);
        return read(rel, Math.min(max, length() - rel), what);
    }

    /** Raw bytes at a relative address, range-checked and charged. */
    byte[] readBytes(long rel, long len, String what) {
        checkRange(rel, len, what);
        if (len > MAX_BLOCK) {
            throw corrupt(what, "is " + len + " bytes long, more than the " + MAX_BLOCK + " read at once");
        }
        charge(len, what);
        byte[] data = new byte[(int) len];
        readFully(channel, base + rel, data, file);
        return data;
    }

    // ---- objects ----------------------------------------------------------------------------------

    Hdf5Object root() {
        if (root == null) {
            root = objectAt(rootAddress, "");
        }
        return root;
    }

    /** The object whose header is at {@code address}, read once; {@code path} names it in messages. */
    Hdf5Object objectAt(long address, String path) {
        Hdf5Object o = objects.get(address);
        if (o == null) {
            o = new Hdf5Object(this, address, path);
            objects.put(address, o);
        }
        return o;
    }

    /**
     * The object at a '/'-separated path from the root, or null when a link on the way does not exist. Throws
     * when the path runs through a dataset or a soft or external link.
     */
    Hdf5Object object(String path) {
        Hdf5Object o = root();
        String at = "";
        List<String> parts = new ArrayList<>();
        for (String part : path.split("/", -1)) {
            if (!part.isEmpty()) {
                parts.add(part);
            }
        }
        if (parts.size() > MAX_PATH_DEPTH) {
            throw new ModelException(file + ": the path '" + SafeText.of(path) + "' has more than " + MAX_PATH_DEPTH
                    + " components");
        }
        for (String part : parts) {
            if (!o.isGroup()) {
                throw corrupt(o.describe(), "is not a group, so it has no member '" + SafeText.of(part) + "'");
            }
            Hdf5Links.Link link = o.links().get(part);
            if (link == null) {
                return null;
            }
            String next = at.isEmpty() ? part : at + "/" + part;
            if (link.kind() != Hdf5Links.HARD) {
                throw unsupported("'" + SafeText.of(next) + "'", "is " + link.kindName() + " link; only hard links "
                        + "are followed (Keras writes no others)");
            }
            o = objectAt(link.address(), next);
            at = next;
        }
        return o;
    }

    // ---- what readers of weight files ask ------------------------------------------------------

    /** The most elements of a dataset read as floats: far above VGG-19's largest kernel (2.4M). */
    static final long MAX_FLOATS = 1L << 28;

    /** A dense row-major float array and its shape. */
    record FloatData(long[] shape, float[] data) {
        String shapeString() {
            return Arrays.toString(shape);
        }
    }

    /** Whether the root group has the attribute. */
    boolean hasRootAttribute(String name) {
        return root().attribute(name) != null;
    }

    /** Whether every link of {@code path} exists. */
    boolean exists(String path) {
        return object(path) != null;
    }

    /**
     * A string-array attribute such as {@code layer_names} or {@code weight_names} of the group at
     * {@code groupPath} ("" or "/" for the root), fixed- or variable-length; an empty attribute of any type (Keras
     * writes an empty float64 array for layers without weights) gives an empty list. Null when the attribute does
     * not exist.
     */
    List<String> stringList(String groupPath, String name, long maxBytesEach) {
        Hdf5Attributes.Attribute a = attribute(groupPath, name);
        if (a == null) {
            return null;
        }
        long n = a.count();
        if (n == 0) {
            return List.of();
        }
        if (!a.type().isString()) {
            throw new ModelException(file + ": " + a.where() + " holds " + n + " non-string values; expected a list "
                    + "of names");
        }
        checkVlenSize(a);
        return Hdf5Types.strings(a.data().fresh(), n, a.type(), this, a.where(), maxBytesEach);
    }

    /**
     * A string attribute holding one string (scalar or one element), at most {@code maxBytes} long; null when the
     * attribute does not exist.
     */
    String string(String path, String name, long maxBytes) {
        Hdf5Attributes.Attribute a = attribute(path, name);
        if (a == null) {
            return null;
        }
        if (!a.type().isString() || a.count() != 1) {
            throw new ModelException(file + ": " + a.where() + " holds " + a.count() + " value(s) of type "
                    + a.type().describe() + " " + a.space().shapeString() + "; expected one string");
        }
        checkVlenSize(a);
        return Hdf5Types.strings(a.data().fresh(), 1, a.type(), this, a.where(), maxBytes).get(0);
    }

    private void checkVlenSize(Hdf5Attributes.Attribute a) {
        if (a.type().cls() == Hdf5Types.VLEN && a.type().size() != 8 + sizeOfOffsets) {
            throw corrupt(a.where(), "has variable-length strings of " + a.type().size() + " bytes each; they take "
                    + (8 + sizeOfOffsets));
        }
    }

    private Hdf5Attributes.Attribute attribute(String path, String name) {
        Hdf5Object o = object(path);
        if (o == null) {
            throw new ModelException(file + ": there is no object '" + SafeText.of(path) + "' to read the attribute '"
                    + SafeText.of(name) + "' from");
        }
        return o.attribute(name);
    }

    private Hdf5Data.Dataset dataset(String path) {
        Hdf5Object o = object(path);
        if (o == null) {
            throw new ModelException(file + ": there is no dataset '" + SafeText.of(path) + "'");
        }
        return Hdf5Data.dataset(o);
    }

    /** Shape of the dataset at {@code path}, read without its data. */
    long[] datasetShape(String path) {
        return dataset(path).space().dims().clone();
    }

    /** A numeric dataset converted to float, row-major. */
    FloatData readFloats(String path) {
        Hdf5Data.Dataset d = dataset(path);
        if (!d.type().isNumeric()) {
            throw new ModelException(file + ": dataset '" + SafeText.of(path) + "' is not numeric (it holds "
                    + d.type().describe() + ")");
        }
        long n = d.space().count();
        if (n > MAX_FLOATS) {
            throw new ModelException(file + ": dataset '" + SafeText.of(path) + "' has " + n
                    + " values, more than any VGG-19 layer");
        }
        byte[] raw = Hdf5Data.read(d, n * d.type().size());
        return new FloatData(d.space().dims().clone(), Hdf5Types.toFloats(raw, (int) n, d.type()));
    }

    // ---- the global heap ------------------------------------------------------------------------

    /** A parsed global heap collection: its bytes and where each object lies in them. */
    private record Collection(Hdf5Buf bytes, Map<Integer, int[]> objects) {
    }

    /** An object of a global heap collection (variable-length data), as bytes. */
    byte[] globalHeapObject(long collection, long index, String where) {
        Collection c = globalHeaps.get(collection);
        if (c == null) {
            c = readCollection(collection, where);
            globalHeaps.put(collection, c);
        }
        int[] posSize = index < 0 || index > 0xffff ? null : c.objects().get((int) index);
        if (posSize == null) {
            throw corrupt(where, "refers to object " + index + " of the global heap collection at address "
                    + collection + ", which has no such object; the file is corrupt");
        }
        charge(posSize[1], where);
        byte[] out = new byte[posSize[1]];
        System.arraycopy(c.bytes().array(), c.bytes().arrayStart() + posSize[0], out, 0, posSize[1]);
        return out;
    }

    private Collection readCollection(long collection, String where) {
        String what = "the global heap collection at address " + collection + " (for " + where + ")";
        // the collection header and each object header are padded to 8 bytes (H5HG_ALIGN)
        int headerLen = (8 + sizeOfLengths + 7) & ~7;
        Hdf5Buf h = read(collection, headerLen, what);
        h.signature("GCOL");
        int version = h.u8("the version");
        if (version != 1) {
            throw corrupt(what, "has version " + version + ", expected 1");
        }
        h.skip(3, "reserved bytes");
        long size = h.length("the collection size");
        Hdf5Buf c = read(collection, size, what);
        c.skip(headerLen, "the collection header");
        Map<Integer, int[]> out = new HashMap<>();
        while (c.remaining() >= headerLen) {
            int idx = c.u16("an object's heap index");
            if (idx == 0) {
                break; // the free space that ends the collection
            }
            c.u16("an object's reference count");
            c.skip(4, "reserved bytes");
            long objSize = c.length("an object's size");
            c.skip(headerLen - 8 - sizeOfLengths, "object header padding");
            if (objSize > c.remaining()) {
                throw corrupt(what, "object " + idx + " claims " + objSize + " bytes, but only " + c.remaining()
                        + " are left in the collection");
            }
            if (out.put(idx, new int[] {c.position(), (int) objSize}) != null) {
                throw corrupt(what, "holds object " + idx + " twice");
            }
            c.skip(Math.min((objSize + 7) & ~7L, c.remaining()), "an object's data");
        }
        return new Collection(c, out);
    }
}
