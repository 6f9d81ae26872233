package org.adain.format;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.adain.ModelException;

/**
 * A minimal HDF5 writer for what a Keras {@code .h5} file holds, in the layout h5py writes by default (HDF5's
 * "earliest" format, readable by every HDF5 library since 1.8): superblock version 0; "old-style" groups (a
 * symbol table: a version 1 B-tree over symbol-table nodes, and a local heap for the link names); version 1 object
 * headers in one chunk; contiguous datasets of little-endian float32 of any rank; attributes in the object header
 * that are fixed-length string scalars, 1-D arrays of fixed-length strings, or the empty float64 array Keras writes
 * as {@code weight_names} of a layer without weights. Nothing else (no compression, chunking, links other than
 * hard links, other types).
 *
 * <p>Build a tree with {@link #root()}, then {@link #write}. The bytes depend only on the tree: no timestamps are
 * written and every order is fixed (links in the B-tree sorted as HDF5 compares them, objects laid out in the
 * order they were added), so the same tree gives the same file. Layout: superblock, then per group its object
 * header, local heap, symbol-table nodes and B-tree nodes, then its members depth-first, each dataset's object
 * header followed by its raw data. Every structure starts at a multiple of 8.
 *
 * <pre>{@code
 * Hdf5Writer h5 = new Hdf5Writer();
 * h5.root().string("backend", "tensorflow");
 * h5.root().group("dense").floats("kernel:0", new long[] {2, 3}, values);
 * h5.write(out);
 * }</pre>
 *
 * Not thread-safe while the tree is built; {@link #write} only reads it. Float arrays are kept, not copied:
 * callers must not change them before writing.
 */
final class Hdf5Writer {
    /** The 8-byte signature that starts an HDF5 file. */
    static final byte[] SIGNATURE = {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};

    /**
     * The largest object header message, in bytes: its size field has 16 bits and messages are 8-byte aligned.
     * HDF5 refuses larger attributes in an object header too ("object header message is too large").
     */
    static final int MAX_MESSAGE = 65528;

    /** HDF5's undefined address (all bits set). */
    private static final long UNDEFINED = -1L;
    /** The end of a local heap's free list, as the HDF5 library writes it (H5HL_FREE_NULL), not UNDEFINED. */
    private static final long HEAP_FREE_NULL = 1;
    /** Symbol-table node K: a node holds up to 2K links. HDF5's default, stored in the superblock. */
    private static final int LEAF_K = 4;
    /** Group B-tree K: a B-tree node holds up to 2K children. HDF5's default, stored in the superblock. */
    private static final int TREE_K = 16;
    private static final int SUPERBLOCK_SIZE = 96;
    private static final int ENTRY_SIZE = 40;
    private static final int SNOD_SIZE = 8 + 2 * LEAF_K * ENTRY_SIZE;
    /** A B-tree node is read whole: header, 2K+1 keys and 2K children, used or not. */
    private static final int TREE_NODE_SIZE = 24 + (2 * TREE_K + 1) * 8 + 2 * TREE_K * 8;
    private static final int HEAP_HEADER_SIZE = 32;

    private static final int MSG_DATASPACE = 0x0001;
    private static final int MSG_DATATYPE = 0x0003;
    private static final int MSG_FILL_VALUE = 0x0005;
    private static final int MSG_LAYOUT = 0x0008;
    private static final int MSG_ATTRIBUTE = 0x000C;
    private static final int MSG_SYMBOL_TABLE = 0x0011;
    /** Message flag: the message never changes (HDF5 sets it on a dataset's datatype and fill value). */
    private static final int FLAG_CONSTANT = 0x01;

    /** Little-endian IEEE float32 (class 1, version 1): sign at bit 31, exponent 23..30, mantissa 0..22. */
    private static final byte[] FLOAT32_LE = datatypeFloat(4, 31, 23, 8, 23, 127);
    /** Little-endian IEEE float64. */
    private static final byte[] FLOAT64_LE = datatypeFloat(8, 63, 52, 11, 52, 1023);
    /**
     * Fill value message version 2 as HDF5 writes it for a contiguous dataset with default properties: space
     * allocated late, fill written if set, "defined" with the library's default (size 0: zeros).
     */
    private static final byte[] FILL_VALUE_DEFAULT = {2, 2, 2, 1, 0, 0, 0, 0};

    private final Group root = new Group();

    /** The root group ("/"). */
    Group root() {
        return root;
    }

    /** A group: named members (groups and datasets) and attributes, kept in the order they were added. */
    static final class Group {
        private final Map<String, Object> members = new LinkedHashMap<>();
        private final Map<String, Attribute> attributes = new LinkedHashMap<>();

        private Group() {
        }

        /** Adds and returns a new member group. */
        Group group(String name) {
            Group g = new Group();
            add(name, g);
            return g;
        }

        /**
         * Adds a contiguous little-endian float32 dataset of the given shape (row-major values; rank 0 is a scalar).
         * The array is kept, not copied.
         */
        void floats(String name, long[] shape, float[] values) {
            long n = 1;
            for (long d : shape) {
                if (d < 0) {
                    throw new IllegalArgumentException("Dataset '" + name + "': negative dimension in "
                            + Arrays.toString(shape));
                }
                n = Math.multiplyExact(n, d);
            }
            if (n != values.length) {
                throw new IllegalArgumentException("Dataset '" + name + "' of shape " + Arrays.toString(shape)
                        + " needs " + n + " values, got " + values.length);
            }
            add(name, new Dataset(shape.clone(), values));
        }

        /** Adds a scalar fixed-length string attribute (NUL-padded, as numpy's {@code S} type). */
        void string(String name, String value) {
            byte[] bytes = encode(name, value);
            attribute(new Attribute(name, stringType(bytes.length, isAscii(bytes)), dataspace(new long[0]),
                    bytes.length == 0 ? new byte[1] : bytes));
        }

        /** Adds a 1-D attribute of fixed-length strings, all padded with NULs to the longest. */
        void strings(String name, List<String> values) {
            if (values.isEmpty()) {
                throw new IllegalArgumentException("Attribute '" + name + "': an empty string array has no HDF5 "
                        + "string type; write an empty float64 array as Keras does");
            }
            List<byte[]> encoded = new ArrayList<>();
            int size = 1;
            boolean ascii = true;
            for (String v : values) {
                byte[] b = encode(name, v);
                encoded.add(b);
                size = Math.max(size, b.length);
                ascii &= isAscii(b);
            }
            byte[] data = new byte[Math.multiplyExact(size, encoded.size())];
            for (int i = 0; i < encoded.size(); i++) {
                System.arraycopy(encoded.get(i), 0, data, i * size, encoded.get(i).length);
            }
            attribute(new Attribute(name, stringType(size, ascii), dataspace(new long[] {values.size()}), data));
        }

        /** Adds an empty 1-D float64 attribute (shape [0]): what Keras writes for an empty name list. */
        void emptyFloat64(String name) {
            attribute(new Attribute(name, FLOAT64_LE, dataspace(new long[] {0}), new byte[0]));
        }

        private void add(String name, Object member) {
            byte[] b = name.getBytes(StandardCharsets.UTF_8);
            if (b.length == 0 || name.equals(".") || name.indexOf('/') >= 0 || name.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("Invalid HDF5 link name '" + name + "'");
            }
            if (members.putIfAbsent(name, member) != null) {
                throw new IllegalArgumentException("The group already has a member '" + name + "'");
            }
        }

        private void attribute(Attribute a) {
            if (a.name.isEmpty() || a.name.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("Invalid HDF5 attribute name '" + a.name + "'");
            }
            int size = align8(attributeMessage(a).length);
            if (size > MAX_MESSAGE) {
                throw new ModelException("The HDF5 attribute '" + a.name + "' needs " + size + " bytes, more than"
                        + " the " + MAX_MESSAGE + " an object header message holds");
            }
            if (attributes.putIfAbsent(a.name, a) != null) {
                throw new IllegalArgumentException("The object already has an attribute '" + a.name + "'");
            }
        }
    }

    private record Dataset(long[] shape, float[] values) {
    }

    /** An attribute as HDF5 stores it: encoded datatype and dataspace messages and the raw value bytes. */
    private record Attribute(String name, byte[] datatype, byte[] dataspace, byte[] data) {
    }

    private static byte[] encode(String attribute, String value) {
        if (value.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("Attribute '" + attribute + "': a NUL-padded string cannot hold NUL");
        }
        return value.getBytes(StandardCharsets.UTF_8);
    }

    private static boolean isAscii(byte[] b) {
        for (byte x : b) {
            if (x < 0) {
                return false;
            }
        }
        return true;
    }

    // ---- message encodings ------------------------------------------------------------------------

    private static ByteBuffer le(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static int align8(int n) {
        return (n + 7) & ~7;
    }

    private static long align8(long n) {
        return (n + 7) & ~7L;
    }

    /** Floating-point datatype, version 1, little-endian, IEEE with an implied mantissa bit. */
    private static byte[] datatypeFloat(int size, int signBit, int exponentAt, int exponentBits, int mantissaBits,
            int bias) {
        ByteBuffer b = le(20);
        b.put((byte) 0x11); // version 1, class 1 (floating point)
        b.put((byte) 0x20); // little-endian, no padding bits, mantissa normalisation 2 (implied msb)
        b.put((byte) signBit);
        b.put((byte) 0);
        b.putInt(size);
        b.putShort((short) 0); // bit offset
        b.putShort((short) (size * 8)); // precision
        b.put((byte) exponentAt);
        b.put((byte) exponentBits);
        b.put((byte) 0); // mantissa location
        b.put((byte) mantissaBits);
        b.putInt(bias);
        return b.array();
    }

    /** Fixed-length string datatype, version 1, NUL-padded (numpy's {@code S}), ASCII or UTF-8. */
    private static byte[] stringType(int size, boolean ascii) {
        ByteBuffer b = le(8);
        b.put((byte) 0x13); // version 1, class 3 (string)
        b.put((byte) (1 | (ascii ? 0 : 1) << 4)); // padding 1 = null pad; charset 0 ASCII, 1 UTF-8
        b.put((byte) 0);
        b.put((byte) 0);
        b.putInt(Math.max(size, 1));
        return b.array();
    }

    /** Dataspace, version 1: rank 0 is a scalar; otherwise the dimensions and equal maximum dimensions. */
    private static byte[] dataspace(long[] dims) {
        ByteBuffer b = le(8 + 16 * dims.length);
        b.put((byte) 1);
        b.put((byte) dims.length);
        b.put((byte) (dims.length > 0 ? 1 : 0)); // maximum dimensions present
        b.put(new byte[5]);
        for (long d : dims) {
            b.putLong(d);
        }
        for (long d : dims) {
            b.putLong(d);
        }
        return b.array();
    }

    /** Attribute message, version 1: name, datatype and dataspace each padded to 8 bytes, then the value. */
    private static byte[] attributeMessage(Attribute a) {
        byte[] name = a.name.getBytes(StandardCharsets.UTF_8);
        int size = 8 + align8(name.length + 1) + align8(a.datatype.length) + align8(a.dataspace.length)
                + a.data.length;
        ByteBuffer b = le(size);
        b.put((byte) 1);
        b.put((byte) 0);
        b.putShort((short) (name.length + 1));
        b.putShort((short) a.datatype.length);
        b.putShort((short) a.dataspace.length);
        b.put(name).position(8 + align8(name.length + 1));
        b.put(a.datatype).position(b.position() - a.datatype.length + align8(a.datatype.length));
        b.put(a.dataspace).position(b.position() - a.dataspace.length + align8(a.dataspace.length));
        b.put(a.data);
        return b.array();
    }

    private record Message(int type, int flags, byte[] data) {
    }

    /** {@code messages} with message {@code i}, a placeholder of the same size, filled in once addresses exist. */
    private static List<Message> replace(List<Message> messages, int i, byte[] data) {
        List<Message> out = new ArrayList<>(messages);
        out.set(i, new Message(messages.get(i).type, messages.get(i).flags, data));
        return out;
    }

    /** A version 1 object header in one chunk: 16-byte prefix, then each message with an 8-byte header. */
    private static byte[] objectHeader(List<Message> messages) {
        int chunk = 0;
        for (Message m : messages) {
            chunk += 8 + align8(m.data.length);
        }
        ByteBuffer b = le(16 + chunk);
        b.put((byte) 1); // version
        b.put((byte) 0);
        b.putShort((short) messages.size());
        b.putInt(1); // reference count
        b.putInt(chunk);
        b.putInt(0); // pads the prefix to 16 bytes
        for (Message m : messages) {
            b.putShort((short) m.type);
            b.putShort((short) align8(m.data.length));
            b.put((byte) m.flags);
            b.put(new byte[3]);
            b.put(m.data);
            b.position(b.position() + align8(m.data.length) - m.data.length);
        }
        return b.array();
    }

    private static int headerSize(List<Message> messages) {
        int n = 16;
        for (Message m : messages) {
            n += 8 + align8(m.data.length);
        }
        return n;
    }

    // ---- layout -----------------------------------------------------------------------------------

    /** Writes one block's bytes; called after every address is known. */
    private interface Emitter {
        void emit(OutputStream out) throws IOException;
    }

    private record Block(long address, long size, Emitter emitter) {
    }

    /** Where a member went: its object header and, for a group, its B-tree and local heap. */
    private static final class Placed {
        long header;
        long btree;
        long heap;
    }

    /** A link of a group, with the offset of its name in the group's local heap. */
    private record Link(byte[] name, long heapOffset, Object member, Placed placed) {
    }

    /**
     * One B-tree node: its children's addresses and keys (heap offsets of names): child i holds the names after
     * key i up to key i+1. A node's first key is its left sibling's last (as HDF5 shares keys between siblings), or
     * the empty name at heap offset 0 for the first node of a level.
     */
    private static final class TreeNode {
        final int level;
        final List<Long> children = new ArrayList<>();
        final List<Long> keys = new ArrayList<>();
        long address;
        long left = UNDEFINED;
        long right = UNDEFINED;

        TreeNode(int level, TreeNode leftSibling) {
            this.level = level;
            keys.add(leftSibling == null ? 0L : leftSibling.keys.get(leftSibling.keys.size() - 1));
        }
    }

    private final class Layout {
        private final List<Block> blocks = new ArrayList<>();
        private long next = SUPERBLOCK_SIZE;

        long alloc(long size, Emitter emitter) {
            long at = next;
            blocks.add(new Block(at, size, emitter));
            next = align8(at + size);
            return at;
        }

        void placeGroup(Group g, Placed p) {
            List<Message> messages = new ArrayList<>();
            // the symbol table message holds the B-tree and heap addresses, known when it is emitted
            messages.add(new Message(MSG_SYMBOL_TABLE, 0, new byte[16]));
            g.attributes.values().forEach(a -> messages.add(new Message(MSG_ATTRIBUTE, 0, attributeMessage(a))));
            p.header = alloc(headerSize(messages), out -> out.write(objectHeader(replace(messages, 0,
                    le(16).putLong(p.btree).putLong(p.heap).array()))));

            // the link names, sorted as HDF5 compares them (strcmp on the bytes)
            List<Map.Entry<String, Object>> sorted = new ArrayList<>(g.members.entrySet());
            sorted.sort(Comparator.comparing(e -> e.getKey().getBytes(StandardCharsets.UTF_8),
                    Arrays::compareUnsigned));
            List<Link> links = new ArrayList<>();
            long heapSize = 8; // offset 0: the empty name
            for (Map.Entry<String, Object> e : sorted) {
                byte[] name = e.getKey().getBytes(StandardCharsets.UTF_8);
                links.add(new Link(name, heapSize, e.getValue(), new Placed()));
                heapSize += align8(name.length + 1);
            }
            long heapData = heapSize;
            long[] heapDataAddress = new long[1];
            p.heap = alloc(HEAP_HEADER_SIZE, out -> {
                ByteBuffer b = le(HEAP_HEADER_SIZE);
                b.put(new byte[] {'H', 'E', 'A', 'P', 0, 0, 0, 0});
                b.putLong(heapData);
                b.putLong(HEAP_FREE_NULL); // no free space: the data segment is exactly the names
                b.putLong(heapDataAddress[0]);
                out.write(b.array());
            });
            heapDataAddress[0] = alloc(heapData, out -> {
                ByteBuffer b = le((int) heapData);
                for (Link l : links) {
                    b.position((int) l.heapOffset);
                    b.put(l.name);
                }
                out.write(b.array());
            });

            // symbol-table nodes of up to 2K links, and the B-tree over them
            List<TreeNode> level = new ArrayList<>();
            TreeNode node = null;
            for (int from = 0; from < links.size(); from += 2 * LEAF_K) {
                List<Link> part = links.subList(from, Math.min(links.size(), from + 2 * LEAF_K));
                long snod = alloc(SNOD_SIZE, out -> out.write(symbolTableNode(part)));
                if (node == null || node.children.size() == 2 * TREE_K) {
                    node = new TreeNode(0, node);
                    level.add(node);
                }
                node.children.add(snod);
                node.keys.add(part.get(part.size() - 1).heapOffset);
            }
            if (level.isEmpty()) {
                level.add(new TreeNode(0, null)); // an empty group has an empty leaf as its root
            }
            while (true) {
                placeTreeLevel(level);
                if (level.size() == 1) {
                    break;
                }
                List<TreeNode> up = new ArrayList<>();
                TreeNode parent = null;
                for (TreeNode child : level) {
                    if (parent == null || parent.children.size() == 2 * TREE_K) {
                        parent = new TreeNode(child.level + 1, parent);
                        up.add(parent);
                    }
                    parent.children.add(child.address);
                    parent.keys.add(child.keys.get(child.keys.size() - 1));
                }
                level = up;
            }
            p.btree = level.get(0).address;

            for (Link l : links) {
                if (l.member instanceof Group child) {
                    placeGroup(child, l.placed);
                } else {
                    placeDataset((Dataset) l.member, l.placed);
                }
            }
        }

        private void placeTreeLevel(List<TreeNode> nodes) {
            for (TreeNode n : nodes) {
                n.address = alloc(TREE_NODE_SIZE, out -> out.write(treeNode(n)));
            }
            for (int i = 0; i < nodes.size(); i++) {
                nodes.get(i).left = i > 0 ? nodes.get(i - 1).address : UNDEFINED;
                nodes.get(i).right = i + 1 < nodes.size() ? nodes.get(i + 1).address : UNDEFINED;
            }
        }

        void placeDataset(Dataset d, Placed p) {
            long bytes = 4L * d.values.length;
            long[] dataAddress = {UNDEFINED};
            List<Message> messages = new ArrayList<>();
            messages.add(new Message(MSG_DATASPACE, 0, dataspace(d.shape)));
            messages.add(new Message(MSG_DATATYPE, FLAG_CONSTANT, FLOAT32_LE));
            messages.add(new Message(MSG_FILL_VALUE, FLAG_CONSTANT, FILL_VALUE_DEFAULT));
            messages.add(new Message(MSG_LAYOUT, 0, new byte[18]));
            p.header = alloc(headerSize(messages), out -> {
                ByteBuffer layout = le(18);
                layout.put((byte) 3); // version 3
                layout.put((byte) 1); // contiguous
                layout.putLong(dataAddress[0]);
                layout.putLong(bytes);
                out.write(objectHeader(replace(messages, 3, layout.array())));
            });
            if (bytes > 0) {
                dataAddress[0] = alloc(bytes, out -> writeFloats(out, d.values));
            }
        }

        private byte[] symbolTableNode(List<Link> part) {
            ByteBuffer b = le(SNOD_SIZE);
            b.put(new byte[] {'S', 'N', 'O', 'D', 1, 0});
            b.putShort((short) part.size());
            for (Link l : part) {
                b.putLong(l.heapOffset);
                b.putLong(l.placed.header);
                if (l.member instanceof Group) {
                    // cache type 1: the group's B-tree and heap, as HDF5 itself caches them
                    b.putInt(1).putInt(0).putLong(l.placed.btree).putLong(l.placed.heap);
                } else {
                    b.putInt(0).putInt(0).putLong(0).putLong(0);
                }
            }
            return b.array();
        }

        private byte[] treeNode(TreeNode n) {
            ByteBuffer b = le(TREE_NODE_SIZE);
            b.put(new byte[] {'T', 'R', 'E', 'E', 0}); // node type 0: group
            b.put((byte) n.level);
            b.putShort((short) n.children.size());
            b.putLong(n.left);
            b.putLong(n.right);
            for (int i = 0; i < n.children.size(); i++) {
                b.putLong(n.keys.get(i));
                b.putLong(n.children.get(i));
            }
            b.putLong(n.keys.get(n.children.size()));
            return b.array();
        }
    }

    private static void writeFloats(OutputStream out, float[] values) throws IOException {
        ByteBuffer b = le(1 << 16);
        for (int i = 0; i < values.length;) {
            b.clear();
            int n = Math.min(values.length - i, b.capacity() / 4);
            b.asFloatBuffer().put(values, i, n);
            out.write(b.array(), 0, 4 * n);
            i += n;
        }
    }

    private static byte[] superblock(long rootHeader, long rootBtree, long rootHeap, long endOfFile) {
        ByteBuffer b = le(SUPERBLOCK_SIZE);
        b.put(SIGNATURE);
        b.put((byte) 0); // superblock version
        b.put((byte) 0); // free-space storage version
        b.put((byte) 0); // root group symbol table entry version
        b.put((byte) 0);
        b.put((byte) 0); // shared header message format version
        b.put((byte) 8); // size of offsets
        b.put((byte) 8); // size of lengths
        b.put((byte) 0);
        b.putShort((short) LEAF_K);
        b.putShort((short) TREE_K);
        b.putInt(0); // file consistency flags
        b.putLong(0); // base address
        b.putLong(UNDEFINED); // free-space info
        b.putLong(endOfFile);
        b.putLong(UNDEFINED); // driver information block
        // root group symbol table entry: no name, its header, and its B-tree and heap cached (type 1)
        b.putLong(0);
        b.putLong(rootHeader);
        b.putInt(1);
        b.putInt(0);
        b.putLong(rootBtree);
        b.putLong(rootHeap);
        return b.array();
    }

    /** Counts what passes, so each block is checked to be exactly as long as allocated. */
    private static final class Counting extends FilterOutputStream {
        long count;

        Counting(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }
    }

    /**
     * Writes the file to {@code out} (which the caller buffers and closes).
     *
     * @throws IOException when {@code out} fails
     */
    void write(OutputStream out) throws IOException {
        Layout layout = new Layout();
        Placed rootPlaced = new Placed();
        layout.placeGroup(root, rootPlaced);
        long end = layout.next;
        Counting c = new Counting(out);
        c.write(superblock(rootPlaced.header, rootPlaced.btree, rootPlaced.heap, end));
        for (Block block : layout.blocks) {
            pad(c, block.address);
            block.emitter.emit(c);
            if (c.count != block.address + block.size) {
                throw new IllegalStateException("HDF5 block at " + block.address + " is " + (c.count - block.address)
                        + " bytes, " + block.size + " were allocated");
            }
        }
        pad(c, end);
        c.flush();
    }

    private static void pad(Counting c, long to) throws IOException {
        if (to < c.count) {
            throw new IllegalStateException("HDF5 blocks overlap at " + to);
        }
        c.write(new byte[(int) (to - c.count)]);
    }
}
