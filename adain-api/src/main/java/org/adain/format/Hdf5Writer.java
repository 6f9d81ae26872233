package org.adain.format;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.adain.AdainException;
import org.adain.ModelException;

/**
 * Writes a small tree of groups, float32 datasets and string attributes as HDF5 in the oldest, most widely read
 * layout (what h5py writes by default, HDF5 1.8 and later read): superblock version 0 with 8-byte offsets,
 * version 1 object headers, old-style groups (a v1 B-tree of symbol table nodes over a local heap), contiguous
 * little-endian float32 datasets, and attributes as fixed-length NUL-padded strings (numpy 'S'), string arrays
 * or empty float64 arrays (what Keras writes as the weight_names of a layer without weights).
 *
 * <p>The tree is written bottom-up, children before their group, each structure once, in one pass; the
 * superblock is written last, at the start. Group B-tree nodes and symbol table nodes are written at their full
 * size for the superblock's K values (HDF5 reads them whole).
 */
final class Hdf5Writer {
    /** Group leaf node K: a symbol table node holds 2K entries. */
    static final int LEAF_K = 4;
    /** Group internal node K: a B-tree node holds 2K children. */
    static final int INTERNAL_K = 16;
    /** Members one group may have in a single-level B-tree. */
    static final int MAX_MEMBERS = 2 * LEAF_K * 2 * INTERNAL_K;
    /** The largest header message: its size is a 16-bit field, bodies are padded to 8. */
    static final int MAX_MESSAGE = 65528;

    private static final long UNDEF = -1;
    private static final int SUPERBLOCK = 96;
    private static final int ENTRY = 40;

    /** A group: members by name (groups or datasets) and attributes, both in insertion order. */
    static final class Group {
        final Map<String, Object> members = new LinkedHashMap<>();
        final List<Attribute> attributes = new ArrayList<>();

        Group group(String name) {
            Group g = new Group();
            put(name, g);
            return g;
        }

        void dataset(String name, long[] shape, float[] data) {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            if (n != data.length) {
                throw new IllegalArgumentException("dataset " + name + " of shape " + Arrays.toString(shape)
                        + " given " + data.length + " values");
            }
            put(name, new Dataset(shape.clone(), data));
        }

        private void put(String name, Object member) {
            if (name.isEmpty() || name.contains("/") || name.equals(".") || members.putIfAbsent(name, member) != null) {
                throw new ModelException("Cannot write the HDF5 member '" + SafeText.of(name) + "': names must be "
                        + "unique, non-empty and without '/'");
            }
        }

        /** A scalar string attribute. */
        void string(String name, String value) {
            attributes.add(new Attribute(name, List.of(value), true));
        }

        /** A string-array attribute; an empty list becomes an empty float64 array, as Keras writes it. */
        void strings(String name, List<String> values) {
            attributes.add(new Attribute(name, List.copyOf(values), false));
        }
    }

    private record Dataset(long[] shape, float[] data) {
    }

    private record Attribute(String name, List<String> values, boolean scalar) {
    }

    private final FileChannel out;
    private long pos = SUPERBLOCK;

    private Hdf5Writer(FileChannel out) {
        this.out = out;
    }

    /** Writes {@code root} to {@code target}, creating or truncating it. */
    static void write(Group root, Path target) {
        try (FileChannel ch = FileChannel.open(target, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            Hdf5Writer w = new Hdf5Writer(ch);
            long[] rootInfo = w.group(root, "/");
            w.superblock(rootInfo[0], rootInfo[1], rootInfo[2]);
        } catch (IOException e) {
            throw new AdainException("Cannot write the HDF5 file " + target + ": " + e.getMessage(), e);
        }
    }

    private static ByteBuffer buffer(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Appends {@code b} (from 0 to its capacity) and returns its address. */
    private long append(ByteBuffer b) throws IOException {
        long at = pos;
        b.clear();
        while (b.hasRemaining()) {
            pos += out.write(b, pos);
        }
        return at;
    }

    private void superblock(long rootHeader, long rootBtree, long rootHeap) throws IOException {
        ByteBuffer b = buffer(SUPERBLOCK);
        b.put(Hdf5File.SIGNATURE);
        b.put((byte) 0).put((byte) 0).put((byte) 0).put((byte) 0); // versions: superblock, free space, root entry
        b.put((byte) 0).put((byte) 8).put((byte) 8).put((byte) 0); // shared header version, offsets, lengths
        b.putShort((short) LEAF_K).putShort((short) INTERNAL_K);
        b.putInt(0); // file consistency flags
        b.putLong(0).putLong(UNDEF).putLong(pos).putLong(UNDEF); // base, free space, end of file, driver info
        // the root group's symbol table entry, with the cached B-tree and heap addresses
        b.putLong(0).putLong(rootHeader).putInt(1).putInt(0).putLong(rootBtree).putLong(rootHeap);
        b.flip();
        while (b.hasRemaining()) {
            out.write(b, b.position());
        }
    }

    // ---- groups -------------------------------------------------------------------------------------

    /** Writes a group and everything in it; returns {header, B-tree, local heap} addresses. */
    private long[] group(Group g, String path) throws IOException {
        if (g.members.size() > MAX_MEMBERS) {
            throw new ModelException("Cannot write the HDF5 group '" + SafeText.of(path) + "': it has "
                    + g.members.size() + " members, more than the " + MAX_MEMBERS + " this writer puts in one group");
        }
        // symbol table nodes list their members in name order (byte-wise, as HDF5 compares them)
        List<String> names = new ArrayList<>(g.members.keySet());
        names.sort((a, b) -> Arrays.compare(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8)));
        long[] headers = new long[names.size()];
        long[][] cached = new long[names.size()][];
        for (int i = 0; i < names.size(); i++) {
            Object m = g.members.get(names.get(i));
            String child = path.equals("/") ? names.get(i) : path + "/" + names.get(i);
            if (m instanceof Group sub) {
                cached[i] = group(sub, child);
                headers[i] = cached[i][0];
            } else {
                headers[i] = dataset((Dataset) m);
            }
        }
        // the local heap: "" at offset 0, then each name NUL-terminated and padded to 8
        ByteBuffer names8 = buffer(heapSize(names));
        names8.put(new byte[8]);
        long[] nameOffsets = new long[names.size()];
        for (int i = 0; i < names.size(); i++) {
            nameOffsets[i] = names8.position();
            byte[] n = names.get(i).getBytes(StandardCharsets.UTF_8);
            names8.put(n);
            names8.position(names8.position() + pad8(n.length + 1) - n.length);
        }
        ByteBuffer heap = buffer(32);
        long heapAddress = pos;
        heap.put("HEAP".getBytes(StandardCharsets.US_ASCII)).put((byte) 0).put(new byte[3]);
        // no free block: HDF5 marks that with 1 (H5HL_FREE_NULL), not the undefined address
        heap.putLong(names8.capacity()).putLong(1).putLong(heapAddress + 32);
        append(heap);
        append(names8);
        // symbol table nodes of up to 2K entries, each written at full size
        List<long[]> nodes = new ArrayList<>(); // {address, offset of its last name}
        for (int start = 0; start < names.size(); start += 2 * LEAF_K) {
            int end = Math.min(names.size(), start + 2 * LEAF_K);
            ByteBuffer s = buffer(8 + 2 * LEAF_K * ENTRY);
            s.put("SNOD".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0)
                    .putShort((short) (end - start));
            for (int i = start; i < end; i++) {
                s.putLong(nameOffsets[i]).putLong(headers[i]);
                if (cached[i] != null) {
                    s.putInt(1).putInt(0).putLong(cached[i][1]).putLong(cached[i][2]);
                } else {
                    s.putInt(0).putInt(0).putLong(0).putLong(0);
                }
            }
            nodes.add(new long[] {append(s), nameOffsets[end - 1]});
        }
        // one B-tree node (level 0) over them: key 0 is the empty name, key i + 1 the last name of child i
        ByteBuffer t = buffer(24 + 2 * INTERNAL_K * 8 + (2 * INTERNAL_K + 1) * 8);
        t.put("TREE".getBytes(StandardCharsets.US_ASCII)).put((byte) 0).put((byte) 0).putShort((short) nodes.size());
        t.putLong(UNDEF).putLong(UNDEF);
        t.putLong(0);
        for (long[] node : nodes) {
            t.putLong(node[0]).putLong(node[1]);
        }
        long btree = append(t);
        List<ByteBuffer> messages = new ArrayList<>();
        messages.add(message(0x11, 0, buffer(16).putLong(btree).putLong(heapAddress)));
        for (Attribute a : g.attributes) {
            messages.add(attribute(a, path));
        }
        return new long[] {objectHeader(messages), btree, heapAddress};
    }

    private static int heapSize(List<String> names) {
        int size = 8;
        for (String n : names) {
            size += pad8(n.getBytes(StandardCharsets.UTF_8).length + 1);
        }
        return size;
    }

    private static int pad8(int n) {
        return (n + 7) & ~7;
    }

    // ---- datasets and headers ---------------------------------------------------------------------

    private long dataset(Dataset d) throws IOException {
        ByteBuffer data = buffer(d.data().length * 4);
        data.asFloatBuffer().put(d.data());
        long address = d.data().length == 0 ? UNDEF : append(data);
        int rank = d.shape().length;
        // simple dataspace, version 1, with maximum dimensions equal to the dimensions (as h5py writes it)
        ByteBuffer space = buffer(8 + 16 * rank);
        space.put((byte) 1).put((byte) rank).put((byte) 1).put(new byte[5]);
        for (long s : d.shape()) {
            space.putLong(s);
        }
        for (long s : d.shape()) {
            space.putLong(s);
        }
        List<ByteBuffer> messages = new ArrayList<>();
        messages.add(message(0x01, 0, space));
        messages.add(message(0x03, 1, float32()));
        // fill value, version 2: allocation late, written if set, defined as the default (size 0)
        messages.add(message(0x05, 1, buffer(8).put((byte) 2).put((byte) 2).put((byte) 2).put((byte) 1).putInt(0)));
        ByteBuffer layout = buffer(18);
        layout.put((byte) 3).put((byte) 1).putLong(address).putLong(d.data().length * 4L);
        messages.add(message(0x08, 0, layout));
        return objectHeader(messages);
    }

    /** IEEE float32 little-endian: class 1, version 1. */
    private static ByteBuffer float32() {
        ByteBuffer t = buffer(20);
        t.put((byte) 0x11).put((byte) 0x20).put((byte) 31).put((byte) 0).putInt(4);
        t.putShort((short) 0).putShort((short) 32).put((byte) 23).put((byte) 8).put((byte) 0).put((byte) 23)
                .putInt(127);
        return t;
    }

    /** IEEE float64 little-endian: class 1, version 1. */
    private static ByteBuffer float64() {
        ByteBuffer t = buffer(20);
        t.put((byte) 0x11).put((byte) 0x20).put((byte) 63).put((byte) 0).putInt(8);
        t.putShort((short) 0).putShort((short) 64).put((byte) 52).put((byte) 11).put((byte) 0).put((byte) 52)
                .putInt(1023);
        return t;
    }

    /** A version 1 attribute message. */
    private static ByteBuffer attribute(Attribute a, String path) {
        byte[] name = a.name().getBytes(StandardCharsets.UTF_8);
        ByteBuffer type;
        ByteBuffer space;
        byte[] data;
        if (a.values().isEmpty()) {
            type = float64();
            space = buffer(24).put((byte) 1).put((byte) 1).put((byte) 1).put(new byte[5]).putLong(0).putLong(0);
            data = new byte[0];
        } else {
            List<byte[]> values = new ArrayList<>();
            int size = 1;
            boolean ascii = true;
            for (String v : a.values()) {
                byte[] b = v.getBytes(StandardCharsets.UTF_8);
                values.add(b);
                size = Math.max(size, b.length);
                ascii &= b.length == v.length();
            }
            // fixed-length string, NUL-padded, ASCII or UTF-8
            type = buffer(8).put((byte) 0x13).put((byte) (1 | (ascii ? 0 : 0x10))).put((byte) 0).put((byte) 0)
                    .putInt(size);
            if (a.scalar()) {
                space = buffer(8).put((byte) 1).put((byte) 0).put((byte) 0).put(new byte[5]);
            } else {
                space = buffer(24).put((byte) 1).put((byte) 1).put((byte) 1).put(new byte[5])
                        .putLong(values.size()).putLong(values.size());
            }
            data = new byte[size * values.size()];
            for (int i = 0; i < values.size(); i++) {
                System.arraycopy(values.get(i), 0, data, i * size, values.get(i).length);
            }
        }
        long length = 8L + pad8(name.length + 1) + pad8(type.capacity()) + pad8(space.capacity()) + data.length;
        if (length > MAX_MESSAGE) {
            throw new ModelException("Cannot write the attribute '" + SafeText.of(a.name()) + "' of '"
                    + SafeText.of(path) + "': it takes " + length + " bytes, more than the " + MAX_MESSAGE
                    + " an attribute kept in its object header may have");
        }
        ByteBuffer b = buffer((int) length);
        b.put((byte) 1).put((byte) 0).putShort((short) (name.length + 1)).putShort((short) type.capacity())
                .putShort((short) space.capacity());
        b.put(name).position(8 + pad8(name.length + 1));
        b.put(type.array()).position(b.position() + pad8(type.capacity()) - type.capacity());
        b.put(space.array()).position(b.position() + pad8(space.capacity()) - space.capacity());
        b.put(data);
        return message(0x0C, 0, b);
    }

    /** A version 1 header message: type, size, flags, 3 reserved bytes, then the body padded to 8. */
    private static ByteBuffer message(int type, int flags, ByteBuffer body) {
        int size = pad8(body.capacity());
        ByteBuffer m = buffer(8 + size);
        m.putShort((short) type).putShort((short) size).put((byte) flags).put(new byte[3]);
        m.put(body.array());
        return m;
    }

    /** A version 1 object header holding {@code messages} in one block; returns its address. */
    private long objectHeader(List<ByteBuffer> messages) throws IOException {
        int size = 0;
        for (ByteBuffer m : messages) {
            size += m.capacity();
        }
        ByteBuffer h = buffer(16 + size);
        h.put((byte) 1).put((byte) 0).putShort((short) messages.size()).putInt(1).putInt(size).putInt(0);
        for (ByteBuffer m : messages) {
            h.put(m.array());
        }
        return append(h);
    }
}
