package org.adain.format;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * A dataset's storage and the reading of its elements: the layout message (compact, contiguous, chunked; virtual
 * is refused), the filter pipeline (deflate, shuffle, fletcher32; others refused by name) and, for chunked data,
 * the chunk index: the v1 B-tree of layout versions 1–3, and the single-chunk, implicit and (unpaged) fixed-array
 * indexes of version 4 (the extensible array and v2 B-tree indexes are refused by name).
 *
 * <p>Every chunk is decoded into a buffer of exactly its declared size; decompression stops there, and every
 * decompressed byte is charged to the file's work budget. Missing or duplicate chunks, chunks outside the
 * dataset and chunks of the wrong size are errors: a weight file has all its data written.
 */
final class Hdf5Data {
    static final int COMPACT = 0;
    static final int CONTIGUOUS = 1;
    static final int CHUNKED = 2;

    static final int FILTER_DEFLATE = 1;
    static final int FILTER_SHUFFLE = 2;
    static final int FILTER_FLETCHER32 = 3;
    private static final Map<Integer, String> FILTER_NAMES = Map.of(4, "szip", 5, "nbit", 6, "scaleoffset",
            32000, "lzf", 32001, "blosc", 32004, "lz4", 32008, "bitshuffle", 32015, "zstd");

    /** The largest chunk decoded. */
    static final long MAX_CHUNK = 1L << 28;
    /** The most chunks of one dataset. */
    static final long MAX_CHUNKS = 1L << 22;

    private Hdf5Data() {
    }

    /** A pipeline filter. */
    record Filter(int id, String name, int flags, long[] values) {
        String label() {
            String known = id == FILTER_DEFLATE ? "deflate" : id == FILTER_SHUFFLE ? "shuffle"
                    : id == FILTER_FLETCHER32 ? "fletcher32" : FILTER_NAMES.get(id);
            String n = known != null ? known : name.isEmpty() ? "unnamed" : SafeText.of(name, 60);
            return "'" + n + "' (filter " + id + ")";
        }
    }

    /** The layout message. Chunk dims exclude the trailing element-size dimension. */
    record Layout(int version, int cls, Hdf5Buf compact, long address, long size, long[] chunk, int index,
            long singleFilteredSize, int singleFilterMask, int pageBits) {
    }

    /** A dataset ready to be read. */
    record Dataset(Hdf5Object object, Hdf5Types.Datatype type, Hdf5Types.Dataspace space, Layout layout,
            List<Filter> filters) {
        String describe() {
            return "dataset " + object.describe();
        }
    }

    /** Reads the messages that describe the dataset at {@code o}. */
    static Dataset dataset(Hdf5Object o) {
        Hdf5File h5 = o.file();
        String where = "dataset " + o.describe();
        if (!o.isDataset()) {
            throw h5.corrupt(o.describe(), "is " + (o.isGroup() ? "a group" : "an object") + ", not a dataset");
        }
        Hdf5Object.Message dt = o.message(Hdf5Object.DATATYPE, "datatype");
        Hdf5Object.Message ds = o.message(Hdf5Object.DATASPACE, "dataspace");
        if (dt == null || ds == null) {
            throw h5.corrupt(where, "has no " + (dt == null ? "datatype" : "dataspace") + " message");
        }
        if (o.message(Hdf5Object.EXTERNAL_FILES, "external data files") != null) {
            throw h5.unsupported(where, "keeps its data in external files, which are never read");
        }
        Hdf5Types.Datatype type = Hdf5Types.datatype(dt.read(), h5, where, 0);
        Hdf5Types.Dataspace space = Hdf5Types.dataspace(ds.read(), h5, where);
        Layout layout = layout(o.message(Hdf5Object.LAYOUT, "data layout").read(), h5, where, space.dims().length);
        Hdf5Object.Message pl = o.message(Hdf5Object.FILTERS, "filter pipeline");
        List<Filter> filters = pl == null ? List.of() : filters(pl.read(), h5, where);
        return new Dataset(o, type, space, layout, filters);
    }

    // ---- messages -------------------------------------------------------------------------------

    private static Layout layout(Hdf5Buf b, Hdf5File h5, String where, int rank) {
        int version = b.u8("the layout version");
        if (version == 1 || version == 2) {
            int dims = b.u8("the layout rank");
            int cls = b.u8("the layout class");
            b.skip(5, "reserved bytes");
            long address = cls == COMPACT ? Hdf5File.UNDEF : b.offset("the data address");
            if (dims < 1 || dims > Hdf5Types.MAX_RANK + 1) {
                throw h5.corrupt(where, "has a layout of rank " + dims);
            }
            long[] d = new long[dims];
            for (int i = 0; i < dims; i++) {
                d[i] = b.u32("a layout dimension");
            }
            if (cls == COMPACT) {
                long size = b.u32("the compact data size");
                return new Layout(version, cls, b.sub(size, "the compact data", where), address, size, null, 0, 0, 0,
                        0);
            }
            if (cls == CONTIGUOUS) {
                return new Layout(version, cls, null, address, -1, null, 0, 0, 0, 0);
            }
            if (cls == CHUNKED) {
                b.u32("the dataset element size");
                return chunked(h5, where, version, rank, java.util.Arrays.copyOf(d, dims - 1), address, 0, 0, 0, 0);
            }
            throw h5.corrupt(where, "has the layout class " + cls + "; 0 to 2 exist in layout version " + version);
        }
        if (version != 3 && version != 4) {
            throw h5.corrupt(where, "has a layout message of version " + version + "; HDF5 defines 1 to 5");
        }
        int cls = b.u8("the layout class");
        if (cls == COMPACT) {
            int size = b.u16("the compact data size");
            return new Layout(version, cls, b.sub(size, "the compact data", where), Hdf5File.UNDEF, size, null, 0, 0,
                    0, 0);
        }
        if (cls == CONTIGUOUS) {
            long address = b.offset("the data address");
            long size = b.length("the data size");
            return new Layout(version, cls, null, address, size, null, 0, 0, 0, 0);
        }
        if (cls == 3) {
            throw h5.unsupported(where, "is a virtual dataset (data mapped from other datasets or files), which is "
                    + "never read");
        }
        if (cls != CHUNKED) {
            throw h5.corrupt(where, "has the layout class " + cls + "; 0 to 3 exist");
        }
        if (version == 3) {
            int dims = b.u8("the chunk rank");
            long address = b.offset("the chunk B-tree address");
            if (dims < 1 || dims > Hdf5Types.MAX_RANK + 1) {
                throw h5.corrupt(where, "has chunks of rank " + dims);
            }
            long[] d = new long[dims - 1];
            for (int i = 0; i < d.length; i++) {
                d[i] = b.u32("a chunk dimension");
            }
            b.u32("the dataset element size");
            return chunked(h5, where, version, rank, d, address, 0, 0, 0, 0);
        }
        int flags = b.u8("the chunk flags");
        int dims = b.u8("the chunk rank");
        int enc = b.u8("the chunk dimension encoded length");
        if (dims < 1 || dims > Hdf5Types.MAX_RANK + 1 || enc < 1 || enc > 8) {
            throw h5.corrupt(where, "has chunks of rank " + dims + " with " + enc + "-byte dimensions");
        }
        long[] d = new long[dims - 1];
        for (int i = 0; i < d.length; i++) {
            d[i] = b.uvar(enc, "a chunk dimension");
        }
        b.uvar(enc, "the element size dimension");
        int index = b.u8("the chunk index type");
        long filteredSize = 0;
        int mask = 0;
        int pageBits = 0;
        switch (index) {
            case 1:
                if ((flags & 2) != 0) {
                    filteredSize = b.length("the filtered chunk size");
                    mask = b.i32("the chunk filter mask");
                }
                break;
            case 2:
                break;
            case 3:
                pageBits = b.u8("the fixed array page bits");
                break;
            case 4:
                throw h5.unsupported(where, "indexes its chunks with an extensible array (an unlimited dimension, "
                        + "HDF5 1.10 format), which this reader does not read; save it without maxshape or with "
                        + "h5py's default libver");
            case 5:
                throw h5.unsupported(where, "indexes its chunks with a version 2 B-tree (several unlimited "
                        + "dimensions, HDF5 1.10 format), which this reader does not read; save it without maxshape "
                        + "or with h5py's default libver");
            default:
                throw h5.corrupt(where, "has the chunk index type " + index + "; 1 to 5 exist");
        }
        long address = b.offset("the chunk index address");
        return chunked(h5, where, version, rank, d, address, index, filteredSize, mask, pageBits);
    }

    private static Layout chunked(Hdf5File h5, String where, int version, int rank, long[] chunk, long address,
            int index, long filteredSize, int mask, int pageBits) {
        if (chunk.length != rank) {
            throw h5.corrupt(where, "has chunks of rank " + chunk.length + " for a dataspace of rank " + rank);
        }
        for (long c : chunk) {
            if (c < 1 || c > MAX_CHUNK) {
                throw h5.corrupt(where, "has a chunk dimension of " + c);
            }
        }
        return new Layout(version, CHUNKED, null, address, -1, chunk, index, filteredSize, mask, pageBits);
    }

    private static List<Filter> filters(Hdf5Buf b, Hdf5File h5, String where) {
        int version = b.u8("the filter pipeline version");
        int n = b.u8("the number of filters");
        if (version == 1) {
            b.skip(6, "reserved bytes");
        } else if (version != 2) {
            throw h5.corrupt(where, "has a filter pipeline of version " + version + "; HDF5 defines 1 and 2");
        }
        if (n > 32) {
            throw h5.corrupt(where, "has " + n + " filters; HDF5 allows 32");
        }
        List<Filter> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int id = b.u16("a filter id");
            int nameLength = version == 1 || id >= 256 ? b.u16("a filter name length") : 0;
            int flags = b.u16("the filter flags");
            int values = b.u16("the number of client values");
            String name = "";
            if (nameLength > 0) {
                name = b.nulTerminated(version == 1 ? (nameLength + 7) & ~7 : nameLength, "the filter name");
            }
            long[] v = new long[values];
            for (int k = 0; k < values; k++) {
                v[k] = b.u32("a client value");
            }
            if (version == 1 && values % 2 == 1) {
                b.skip(4, "client value padding");
            }
            out.add(new Filter(id, name, flags, v));
        }
        for (Filter f : out) {
            if (f.id() != FILTER_DEFLATE && f.id() != FILTER_SHUFFLE && f.id() != FILTER_FLETCHER32) {
                throw h5.unsupported(where, "is compressed with the filter " + f.label() + "; only deflate (gzip), "
                        + "shuffle and fletcher32 are read. Save the weights uncompressed or with gzip");
            }
        }
        return out;
    }

    // ---- reading --------------------------------------------------------------------------------

    /** All elements' bytes, row-major, at most {@code maxBytes}. */
    static byte[] read(Dataset d, long maxBytes) {
        Hdf5File h5 = d.object().file();
        String where = d.describe();
        long n = d.space().count();
        long elem = d.type().size();
        if (elem < 1) {
            throw h5.corrupt(where, "has elements of " + elem + " bytes");
        }
        if (n > Math.min(maxBytes, Hdf5File.MAX_BLOCK) / elem) {
            throw h5.corrupt(where, "declares " + n + " elements of " + elem + " bytes, more than the "
                    + Math.min(maxBytes, Hdf5File.MAX_BLOCK) + " bytes read for it");
        }
        int total = (int) (n * elem);
        if (total == 0) {
            return new byte[0];
        }
        Layout l = d.layout();
        if (l.cls() != CHUNKED && !d.filters().isEmpty()) {
            throw h5.corrupt(where, "has filters but no chunks; HDF5 filters chunked data only");
        }
        switch (l.cls()) {
            case COMPACT: {
                if (l.compact().size() < total) {
                    throw h5.corrupt(where, "holds " + l.compact().size() + " bytes of compact data for " + total
                            + " bytes of elements");
                }
                return l.compact().fresh().bytes(total, "the compact data");
            }
            case CONTIGUOUS: {
                if (l.address() == Hdf5File.UNDEF) {
                    throw h5.corrupt(where, "has no data stored (it was created but never written)");
                }
                if (l.size() >= 0 && l.size() < total) {
                    throw h5.corrupt(where, "stores " + l.size() + " bytes for " + n + " elements of " + elem
                            + " bytes (" + total + "); the file is corrupt");
                }
                return h5.readBytes(l.address(), total, "the data of " + where);
            }
            default:
                return chunks(d, total);
        }
    }

    /** A chunk as the index lists it: element offsets, stored size, filter mask, address (or its bytes). */
    private record Chunk(long[] offset, long size, int mask, long address, byte[] data) {
    }

    private static byte[] chunks(Dataset d, int total) {
        Hdf5File h5 = d.object().file();
        String where = d.describe();
        long[] dims = d.space().dims();
        long[] chunk = d.layout().chunk();
        long elem = d.type().size();
        long chunkBytes = elem;
        long grid = 1;
        long[] perDim = new long[dims.length];
        for (int i = 0; i < dims.length; i++) {
            chunkBytes *= chunk[i];
            if (chunkBytes > MAX_CHUNK) {
                throw h5.corrupt(where, "has chunks of more than " + MAX_CHUNK + " bytes");
            }
            perDim[i] = (dims[i] + chunk[i] - 1) / chunk[i];
            grid *= perDim[i];
        }
        if (grid > MAX_CHUNKS) {
            throw h5.corrupt(where, "is split into " + grid + " chunks, more than " + MAX_CHUNKS);
        }
        if (d.layout().address() == Hdf5File.UNDEF) {
            throw h5.corrupt(where, "has no chunks stored (it was created but never written)");
        }
        // chunked data may decompress to more than the file holds: the whole result is charged before it exists
        h5.charge(total, "the data of " + where);
        byte[] out = new byte[total];
        BitSet filled = new BitSet();
        long size = chunkBytes;
        Consumer<Chunk> place = c -> {
            long linear = 0;
            for (int i = 0; i < dims.length; i++) {
                long o = c.offset()[i];
                if (o < 0 || o % chunk[i] != 0 || o >= dims[i]) {
                    throw h5.corrupt(where, "has a chunk at element offset " + java.util.Arrays.toString(c.offset())
                            + ", which is not on the chunk grid " + java.util.Arrays.toString(chunk)
                            + " inside the shape " + java.util.Arrays.toString(dims));
                }
                linear = linear * perDim[i] + o / chunk[i];
            }
            if (filled.get((int) linear)) {
                throw h5.corrupt(where, "stores the chunk at " + java.util.Arrays.toString(c.offset()) + " twice");
            }
            filled.set((int) linear);
            if (c.size() < 0 || c.size() > Hdf5File.MAX_BLOCK) {
                throw h5.corrupt(where, "has a chunk of " + c.size() + " stored bytes");
            }
            byte[] stored = c.data() != null ? c.data() : h5.readBytes(c.address(), c.size(), "a chunk of " + where);
            if (!d.filters().isEmpty()) {
                // decoding allocates a whole chunk, which may be larger than the part inside the dataset
                h5.charge(size, "decoding a chunk of " + where);
            }
            byte[] data = decode(stored, c.mask(), (int) size, d, h5);
            place(data, c.offset(), chunk, dims, elem, out);
        };
        switch (d.layout().index()) {
            case 0:
                btreeChunks(d, dims.length, place);
                break;
            case 1:
                place.accept(new Chunk(new long[dims.length], d.filters().isEmpty() ? chunkBytes
                        : d.layout().singleFilteredSize(), d.layout().singleFilterMask(), d.layout().address(), null));
                break;
            case 2: {
                // implicit: unfiltered chunks one after the other, read at once
                if (!d.filters().isEmpty()) {
                    throw h5.corrupt(where, "has filters but an implicit chunk index, which HDF5 uses only without");
                }
                Hdf5Buf all = h5.read(d.layout().address(), grid * chunkBytes, "the chunks of " + where);
                for (long i = 0; i < grid; i++) {
                    place.accept(new Chunk(gridOffset(i, perDim, chunk), chunkBytes, 0, Hdf5File.UNDEF,
                            all.bytes(chunkBytes, "a chunk")));
                }
                break;
            }
            default:
                fixedArrayChunks(d, grid, perDim, chunk, chunkBytes, place);
        }
        if (filled.cardinality() != grid) {
            throw h5.corrupt(where, "stores " + filled.cardinality() + " of its " + grid + " chunks; the others "
                    + "were never written");
        }
        return out;
    }

    private static long[] gridOffset(long linear, long[] perDim, long[] chunk) {
        long[] o = new long[perDim.length];
        for (int i = perDim.length - 1; i >= 0; i--) {
            o[i] = (linear % perDim[i]) * chunk[i];
            linear /= perDim[i];
        }
        return o;
    }

    /** The chunks of a v1 B-tree (node type 1). */
    private static void btreeChunks(Dataset d, int rank, Consumer<Chunk> out) {
        Hdf5File h5 = d.object().file();
        int so = h5.sizeOfOffsets();
        int keySize = 4 + 4 + 8 * (rank + 1);
        Deque<long[]> stack = new ArrayDeque<>();
        Set<Long> seen = new HashSet<>();
        stack.push(new long[] {d.layout().address(), -1});
        while (!stack.isEmpty()) {
            long[] node = stack.pop();
            String what = "a chunk B-tree node of " + d.describe() + " at address " + node[0];
            if (!seen.add(node[0])) {
                throw h5.corrupt(what, "is reached twice; the tree has a cycle");
            }
            if (seen.size() > MAX_CHUNKS) {
                throw h5.corrupt(d.describe(), "has more than " + MAX_CHUNKS + " chunk index nodes");
            }
            Hdf5Buf n = h5.read(node[0], 8 + 2L * so, what);
            n.signature("TREE");
            int type = n.u8("the node type");
            if (type != 1) {
                throw h5.corrupt(what, "has node type " + type + "; a chunk index has type 1");
            }
            int level = n.u8("the node level");
            int entries = n.u16("the entries used");
            if (node[1] >= 0 && level != node[1] || level >= Hdf5Links.MAX_LEVELS) {
                throw h5.corrupt(what, "has level " + level + (node[1] >= 0 ? ", expected " + node[1] : ""));
            }
            Hdf5Buf k = h5.read(node[0] + 8 + 2L * so, (long) entries * (keySize + so) + keySize, what);
            for (int i = 0; i < entries; i++) {
                long size = k.u32("a chunk size");
                int mask = k.i32("a chunk filter mask");
                long[] offset = new long[rank];
                for (int j = 0; j < rank; j++) {
                    offset[j] = k.uvar(8, "a chunk offset");
                }
                k.uvar(8, "the element offset");
                long child = k.offset("a child address");
                if (level == 0) {
                    out.accept(new Chunk(offset, size, mask, child, null));
                } else {
                    stack.push(new long[] {child, level - 1});
                }
            }
        }
    }

    /** The chunks of a fixed array index (layout version 4); paged arrays are refused. */
    private static void fixedArrayChunks(Dataset d, long grid, long[] perDim, long[] chunk, long chunkBytes,
            Consumer<Chunk> out) {
        Hdf5File h5 = d.object().file();
        String what = "the fixed array chunk index of " + d.describe() + " at address " + d.layout().address();
        int so = h5.sizeOfOffsets();
        Hdf5Buf h = h5.read(d.layout().address(), 4 + 1 + 1 + 1 + 1 + h5.sizeOfLengths() + so + 4, what);
        h.signature("FAHD");
        int version = h.u8("the version");
        int client = h.u8("the client ID");
        int entrySize = h.u8("the entry size");
        int pageBits = h.u8("the page bits");
        long entries = h.length("the number of entries");
        long block = h.offset("the data block address");
        h.checksum();
        boolean filtered = !d.filters().isEmpty();
        boolean sizeOk = filtered ? entrySize > so + 4 && entrySize <= so + 4 + 8 : entrySize == so;
        if (version != 0 || client != (filtered ? 1 : 0) || entries != grid || !sizeOk) {
            throw h5.corrupt(what, "does not fit the dataset (version " + version + ", client " + client + ", "
                    + entries + " entries of " + entrySize + " bytes for " + grid + " chunks)");
        }
        if (pageBits > 31 || entries > 1L << pageBits) {
            throw h5.unsupported(what, "is paged (" + entries + " chunks), which this reader does not read");
        }
        String bwhat = "the fixed array data block of " + d.describe() + " at address " + block;
        Hdf5Buf b = h5.read(block, 4 + 1 + 1 + so + entries * entrySize + 4, bwhat);
        b.signature("FADB");
        if (b.u8("the version") != 0 || b.u8("the client ID") != client) {
            throw h5.corrupt(bwhat, "has the wrong version or client ID");
        }
        if (b.offset("the header address") != d.layout().address()) {
            throw h5.corrupt(bwhat, "belongs to another fixed array");
        }
        Chunk[] chunks = new Chunk[(int) entries];
        for (long i = 0; i < entries; i++) {
            long address = b.offset("a chunk address");
            long size = chunkBytes;
            int mask = 0;
            if (filtered) {
                size = b.uvar(entrySize - so - 4, "a chunk size");
                mask = b.i32("a chunk filter mask");
            }
            chunks[(int) i] = new Chunk(gridOffset(i, perDim, chunk), size, mask, address, null);
        }
        b.checksum();
        for (Chunk c : chunks) {
            if (c.address() != Hdf5File.UNDEF) {
                out.accept(c);
            }
        }
    }

    /** Undoes the filters, last first, skipping those the chunk's mask marks; the result is exactly one chunk. */
    private static byte[] decode(byte[] stored, int mask, int chunkBytes, Dataset d, Hdf5File h5) {
        String where = "a chunk of " + d.describe();
        List<Filter> filters = d.filters();
        int fletchers = 0;
        for (Filter f : filters) {
            fletchers += f.id() == FILTER_FLETCHER32 ? 1 : 0;
        }
        byte[] data = stored;
        for (int i = filters.size() - 1; i >= 0; i--) {
            if ((mask >>> i & 1) != 0) {
                continue;
            }
            Filter f = filters.get(i);
            if (f.id() == FILTER_DEFLATE) {
                data = inflate(data, chunkBytes + 4 * fletchers, h5, where);
            } else if (f.id() == FILTER_SHUFFLE) {
                long size = f.values().length > 0 ? f.values()[0] : d.type().size();
                data = unshuffle(data, (int) Math.max(1, Math.min(size, 1 << 16)));
            } else {
                data = fletcher(data, h5, where);
            }
        }
        if (data.length != chunkBytes) {
            throw h5.corrupt(where, "decodes to " + data.length + " bytes; its chunks hold " + chunkBytes);
        }
        return data;
    }

    /**
     * zlib data inflated to at most {@code limit} bytes (the caller has charged them); more, or a stream that does
     * not end, is an error.
     */
    static byte[] inflate(byte[] in, int limit, Hdf5File h5, String where) {
        Inflater inf = new Inflater();
        try {
            inf.setInput(in);
            byte[] out = new byte[limit];
            int n = 0;
            while (n < limit && !inf.finished()) {
                int got = inf.inflate(out, n, limit - n);
                if (got == 0) {
                    break; // needs input it will not get, or a dictionary: ends early, reported below
                }
                n += got;
            }
            if (!inf.finished() && n == limit && inf.inflate(new byte[1]) > 0) {
                throw h5.corrupt(where, "inflates to more than the " + limit + " bytes of its chunk");
            }
            if (!inf.finished()) {
                throw h5.corrupt(where, "holds a deflate stream that ends early (after " + n + " bytes); the file "
                        + "is corrupt");
            }
            return n == limit ? out : java.util.Arrays.copyOf(out, n);
        } catch (DataFormatException e) {
            throw h5.corrupt(where, "holds deflate data that does not decompress (" + e.getMessage()
                    + "); the file is corrupt");
        } finally {
            inf.end();
        }
    }

    /** Reverses HDF5's byte shuffle: byte j of element i was stored at j * count + i. */
    static byte[] unshuffle(byte[] in, int size) {
        if (size <= 1 || in.length < size) {
            return in;
        }
        int count = in.length / size;
        byte[] out = new byte[in.length];
        for (int j = 0; j < size; j++) {
            int src = j * count;
            for (int i = 0; i < count; i++) {
                out[i * size + j] = in[src + i];
            }
        }
        System.arraycopy(in, count * size, out, count * size, in.length - count * size);
        return out;
    }

    /** Checks and strips the Fletcher-32 checksum HDF5 appends (either byte order, as HDF5 accepts both). */
    private static byte[] fletcher(byte[] in, Hdf5File h5, String where) {
        if (in.length < 4) {
            throw h5.corrupt(where, "is too short for its fletcher32 checksum");
        }
        int n = in.length - 4;
        int stored = (in[n] & 0xff) | (in[n + 1] & 0xff) << 8 | (in[n + 2] & 0xff) << 16 | (in[n + 3] & 0xff) << 24;
        int computed = Hdf5Checksum.fletcher32(in, 0, n);
        if (stored != computed && stored != Integer.reverseBytes(computed)) {
            throw h5.corrupt(where, "fails its fletcher32 checksum; the data is corrupt");
        }
        return java.util.Arrays.copyOf(in, n);
    }

    /** Copies the part of a chunk inside the dataset to its place in the row-major output. */
    private static void place(byte[] data, long[] offset, long[] chunk, long[] dims, long elem, byte[] out) {
        int rank = dims.length;
        if (rank == 0) {
            System.arraycopy(data, 0, out, 0, (int) elem);
            return;
        }
        long[] extent = new long[rank];
        for (int i = 0; i < rank; i++) {
            extent[i] = Math.min(chunk[i], dims[i] - offset[i]);
        }
        int rowBytes = (int) (extent[rank - 1] * elem);
        long[] idx = new long[rank - 1];
        while (true) {
            long src = 0;
            long dst = 0;
            for (int i = 0; i < rank; i++) {
                long c = i < rank - 1 ? idx[i] : 0;
                src = src * chunk[i] + c;
                dst = dst * dims[i] + offset[i] + c;
            }
            System.arraycopy(data, (int) (src * elem), out, (int) (dst * elem), rowBytes);
            int k = rank - 2;
            while (k >= 0 && ++idx[k] >= extent[k]) {
                idx[k] = 0;
                k--;
            }
            if (k < 0) {
                return;
            }
        }
    }
}
