package org.adain.format;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Test-only: walks a file {@link Hdf5Writer} wrote and checks every structure against the HDF5 file format
 * specification (signatures, versions, sizes, that B-tree keys bound their children's names in strcmp order,
 * sibling links, the object header message count and chunk size, the end-of-file address), failing with an
 * {@link AssertionError} that names the structure and its address. It accepts only what the writer writes, so
 * the adain-api tests check the file structure without a native HDF5 library; the adain-dl4j tests and the manual
 * h5py check (see {@code KerasHdf5WeightsWriterTest}) check that real HDF5 readers agree.
 */
final class Hdf5WriterCheck {
    /** A group's members and attributes, or a dataset's shape and values (then {@code members} is null). */
    record Node(Map<String, Node> members, Map<String, Object> attributes, long[] shape, float[] values) {
        Node at(String path) {
            Node n = this;
            for (String part : path.split("/")) {
                if (!part.isEmpty()) {
                    if (n.members == null || !n.members.containsKey(part)) {
                        throw new AssertionError("no member '" + part + "' in " + path);
                    }
                    n = n.members.get(part);
                }
            }
            return n;
        }
    }

    private static final long UNDEFINED = -1L;
    /** Version 1 floating point, little-endian, sign bit 31, size 4, precision 32, exponent 23+8, mantissa 0+23. */
    private static final byte[] FLOAT32_LE = {0x11, 0x20, 31, 0, 4, 0, 0, 0, 0, 0, 32, 0, 23, 8, 0, 23, 127, 0, 0, 0};
    private final ByteBuffer b;

    private Hdf5WriterCheck(byte[] file) {
        this.b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** The file's root group, checked throughout. */
    static Node root(byte[] file) {
        return new Hdf5WriterCheck(file).superblock();
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what);
        }
    }

    private byte[] bytes(long at, int n) {
        check(at >= 0 && at + n <= b.capacity(), n + " bytes at " + at + " run past the end of the file ("
                + b.capacity() + ")");
        byte[] out = new byte[n];
        b.get((int) at, out);
        return out;
    }

    private void signature(long at, String sig) {
        check(new String(bytes(at, sig.length()), StandardCharsets.ISO_8859_1).equals(sig), "no " + sig + " at " + at);
    }

    private Node superblock() {
        check(Arrays.equals(bytes(0, 8), Hdf5Writer.SIGNATURE), "no HDF5 signature");
        check(Arrays.equals(bytes(8, 8), new byte[] {0, 0, 0, 0, 0, 8, 8, 0}), "superblock version 0, 8-byte "
                + "offsets and lengths");
        check(b.getShort(16) == 4 && b.getShort(18) == 16, "group K values 4 and 16");
        check(b.getInt(20) == 0 && b.getLong(24) == 0 && b.getLong(32) == UNDEFINED && b.getLong(48) == UNDEFINED,
                "flags 0, base address 0, no free-space info or driver block");
        check(b.getLong(40) == b.capacity(), "end-of-file address " + b.getLong(40) + " is the file size "
                + b.capacity());
        check(b.getLong(56) == 0 && b.getInt(72) == 1, "root entry: no name, cache type 1");
        Node root = object(b.getLong(64));
        check(b.getLong(80) == cachedBtree(root) && b.getLong(88) == cachedHeap(root), "root cache = its stab");
        return root;
    }

    private final Map<Node, long[]> stabs = new java.util.IdentityHashMap<>();

    private long cachedBtree(Node group) {
        return stabs.get(group)[0];
    }

    private long cachedHeap(Node group) {
        return stabs.get(group)[1];
    }

    private Node object(long at) {
        check(at % 8 == 0, "object header at " + at + " is 8-byte aligned");
        check(b.get((int) at) == 1 && b.getInt((int) at + 4) == 1, "object header at " + at + ": version 1, one link");
        int count = b.getShort((int) at + 2);
        long chunk = Integer.toUnsignedLong(b.getInt((int) at + 8));
        long p = at + 16;
        long end = p + chunk;
        check(end <= b.capacity(), "object header at " + at + " fits in the file");
        long[] stab = null;
        long[] shape = null;
        long[] layout = null;
        Map<String, Object> attributes = new LinkedHashMap<>();
        int seen = 0;
        while (p < end) {
            int type = Short.toUnsignedInt(b.getShort((int) p));
            int size = Short.toUnsignedInt(b.getShort((int) p + 2));
            check(size % 8 == 0 && p + 8 + size <= end, "message at " + p + ": aligned, inside the chunk");
            ByteBuffer m = ByteBuffer.wrap(bytes(p + 8, size)).order(ByteOrder.LITTLE_ENDIAN);
            switch (type) {
                case 0x11 -> stab = new long[] {m.getLong(0), m.getLong(8)};
                case 0x0C -> attribute(m, attributes);
                case 0x01 -> shape = dataspace(m, 0);
                case 0x03 -> check(Arrays.equals(Arrays.copyOf(m.array(), 20), FLOAT32_LE),
                        "dataset datatype at " + p + " is little-endian IEEE float32");
                case 0x05 -> check(Arrays.equals(Arrays.copyOf(m.array(), 8), new byte[] {2, 2, 2, 1, 0, 0, 0, 0}),
                        "fill value message at " + p);
                case 0x08 -> {
                    check(m.get(0) == 3 && m.get(1) == 1, "layout at " + p + ": version 3, contiguous");
                    layout = new long[] {m.getLong(2), m.getLong(10)};
                }
                default -> throw new AssertionError("unexpected message type " + type + " at " + p);
            }
            p += 8 + size;
            seen++;
        }
        check(p == end && seen == count, "object header at " + at + ": " + seen + " messages fill the chunk, "
                + count + " declared");
        if (stab != null) {
            check(shape == null && layout == null, "group at " + at + " has no dataset messages");
            Node g = new Node(members(stab[0], stab[1]), attributes, null, null);
            stabs.put(g, stab);
            return g;
        }
        check(shape != null && layout != null, "dataset at " + at + " has a dataspace and a layout");
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        check(layout[1] == 4 * n, "dataset at " + at + ": storage size " + layout[1] + " for " + n + " floats");
        float[] values = new float[(int) n];
        if (n > 0) {
            ByteBuffer.wrap(bytes(layout[0], (int) layout[1])).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer()
                    .get(values);
        } else {
            check(layout[0] == UNDEFINED, "an empty dataset has no storage");
        }
        return new Node(null, attributes, shape, values);
    }

    private static int align8(int n) {
        return (n + 7) & ~7;
    }

    private static long[] dataspace(ByteBuffer m, int at) {
        int rank = m.get(at + 1);
        check(m.get(at) == 1 && m.get(at + 2) == (rank > 0 ? 1 : 0), "dataspace version 1, max dims iff rank > 0");
        long[] dims = new long[rank];
        for (int i = 0; i < rank; i++) {
            dims[i] = m.getLong(at + 8 + 8 * i);
            check(m.getLong(at + 8 + 8 * (rank + i)) == dims[i], "max dims = dims");
        }
        return dims;
    }

    private static void attribute(ByteBuffer m, Map<String, Object> out) {
        check(m.get(0) == 1, "attribute message version 1");
        int nameSize = m.getShort(2);
        int typeSize = m.getShort(4);
        int spaceSize = m.getShort(6);
        byte[] name = new byte[nameSize - 1];
        m.get(8, name);
        check(m.get(8 + nameSize - 1) == 0, "attribute name is NUL-terminated");
        int type = 8 + align8(nameSize);
        int space = type + align8(typeSize);
        int data = space + align8(spaceSize);
        long[] dims = dataspace(m, space);
        check(spaceSize == 8 + 16 * dims.length, "dataspace size");
        long n = dims.length == 0 ? 1 : dims[0];
        check(dims.length <= 1, "attributes are scalars or 1-D");
        String key = new String(name, StandardCharsets.UTF_8);
        int cls = m.get(type) & 0xff;
        if (cls == 0x13) {
            check(typeSize == 8 && (m.get(type + 1) & 0x0f) == 1, "fixed-length NUL-padded string type");
            int size = m.getInt(type + 4);
            check(align8(data + (int) n * size) == m.capacity(), "string data fills the message");
            List<String> values = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                byte[] s = new byte[size];
                m.get(data + i * size, s);
                int len = 0;
                while (len < size && s[len] != 0) {
                    len++;
                }
                values.add(new String(s, 0, len, StandardCharsets.UTF_8));
            }
            out.put(key, dims.length == 0 ? values.get(0) : values);
        } else {
            check(cls == 0x11 && typeSize == 20 && m.getInt(type + 4) == 8 && n == 0 && data == m.capacity(),
                    "'" + key + "' is an empty float64 array");
            out.put(key, new double[0]);
        }
    }

    /** A group's links: local heap names, B-tree (keys bounding children, siblings), symbol-table nodes. */
    private Map<String, Node> members(long btree, long heap) {
        signature(heap, "HEAP");
        long dataSize = b.getLong((int) heap + 8);
        check(b.getLong((int) heap + 16) == 1, "heap at " + heap + " has no free list");
        long data = b.getLong((int) heap + 24);
        byte[] names = bytes(data, (int) dataSize);
        check(names[0] == 0, "heap offset 0 is the empty name");
        Map<String, Node> members = new LinkedHashMap<>();
        List<long[]> links = new ArrayList<>();
        List<Long> lastAt = new ArrayList<>();
        tree(btree, names, -1, 0, links, lastAt);
        for (long last : lastAt) {
            check(b.getLong((int) last + 16) == UNDEFINED, "the last B-tree node of a level, at " + last
                    + ", has no right sibling");
        }
        String previous = "";
        for (long[] l : links) {
            String name = name(names, l[0]);
            check(compare(previous, name) < 0, "links sorted and unique: '" + previous + "' then '" + name + "'");
            previous = name;
            Node member = object(l[1]);
            if (member.members() != null) {
                check(l[2] == 1 && l[3] == cachedBtree(member) && l[4] == cachedHeap(member), "link '" + name
                        + "' caches its group's B-tree and heap");
            } else {
                check(l[2] == 0 && l[3] == 0 && l[4] == 0, "link '" + name + "' caches nothing");
            }
            members.put(name, member);
        }
        return members;
    }

    private static String name(byte[] heap, long offset) {
        check(offset >= 0 && offset < heap.length && offset % 8 == 0, "name offset " + offset + " in the heap");
        int end = (int) offset;
        while (end < heap.length && heap[end] != 0) {
            end++;
        }
        check(end < heap.length, "name at " + offset + " is NUL-terminated inside the heap");
        return new String(heap, (int) offset, end - (int) offset, StandardCharsets.UTF_8);
    }

    private static int compare(String a, String c) {
        return Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), c.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Collects the symbol-table entries under a B-tree node in order. {@code lastAt} holds, per level, the last
     * node visited, to check the sibling links.
     */
    private void tree(long at, byte[] heap, int expectLevel, long expectFirstKey, List<long[]> links,
            List<Long> lastAt) {
        signature(at, "TREE");
        int type = b.get((int) at + 4);
        int level = b.get((int) at + 5);
        int used = b.getShort((int) at + 6);
        long left = b.getLong((int) at + 8);
        check(type == 0 && (expectLevel < 0 || level == expectLevel), "B-tree node at " + at + ": group, level");
        check(used <= 32, "B-tree node at " + at + " holds at most 2K children");
        while (lastAt.size() <= level) {
            lastAt.add(UNDEFINED);
        }
        check(left == lastAt.get(level), "B-tree node at " + at + ": left sibling " + left + ", expected "
                + lastAt.get(level));
        if (lastAt.get(level) != UNDEFINED) {
            check(b.getLong(lastAt.get(level).intValue() + 16) == at, "right sibling of " + lastAt.get(level));
        }
        lastAt.set(level, at);
        long p = at + 24;
        check(b.getLong((int) p) == expectFirstKey, "B-tree node at " + at + ": its first key is its parent's key "
                + "before it");
        String low = name(heap, b.getLong((int) p));
        for (int i = 0; i < used; i++) {
            long child = b.getLong((int) p + 8);
            String high = name(heap, b.getLong((int) p + 16));
            check(compare(low, high) < 0, "B-tree node at " + at + ": keys increase");
            int before = links.size();
            if (level == 0) {
                snod(child, heap, links);
            } else {
                tree(child, heap, level - 1, b.getLong((int) p), links, lastAt);
            }
            check(links.size() > before, "child " + i + " of B-tree node " + at + " is not empty");
            for (int j = before; j < links.size(); j++) {
                String n = name(heap, links.get(j)[0]);
                check(compare(low, n) < 0 && compare(n, high) <= 0, "'" + n + "' lies between the keys '" + low
                        + "' and '" + high + "' of its B-tree child");
            }
            check(name(heap, links.get(links.size() - 1)[0]).equals(high), "a key names its child's last link");
            low = high;
            p += 16;
        }
    }

    private void snod(long at, byte[] heap, List<long[]> links) {
        signature(at, "SNOD");
        check(b.get((int) at + 4) == 1, "symbol-table node version 1 at " + at);
        int n = b.getShort((int) at + 6);
        check(n >= 1 && n <= 8, "symbol-table node at " + at + " holds 1 to 2K links");
        for (int i = 0; i < n; i++) {
            int e = (int) at + 8 + 40 * i;
            links.add(new long[] {b.getLong(e), b.getLong(e + 8), b.getInt(e + 16), b.getLong(e + 24),
                b.getLong(e + 32)});
        }
    }
}
