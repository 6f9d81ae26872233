package org.adain.format;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The members of a group, in each of HDF5's three storages:
 * <ul>
 *   <li>old-style (a symbol table message): a v1 B-tree of symbol table nodes (SNOD), names in a local heap;</li>
 *   <li>new-style compact: link messages in the group's object header;</li>
 *   <li>new-style dense: link messages in a fractal heap, indexed by a v2 B-tree of names.</li>
 * </ul>
 * The whole group is read once into a name → link map; every node is visited once and counted.
 */
final class Hdf5Links {
    static final int HARD = 0;
    static final int SOFT = 1;
    static final int EXTERNAL = 64;

    /** The most members one group may have. */
    static final int MAX_LINKS = 1 << 20;
    /** The most levels of a group's v1 B-tree. */
    static final int MAX_LEVELS = 32;
    /** The longest link name read. */
    static final int MAX_NAME = 1 << 16;

    /** A link: its kind ({@link #HARD}, {@link #SOFT}, {@link #EXTERNAL} or another type number) and target. */
    record Link(int kind, long address) {
        /** "a soft", "an external", …: the kind with its article, for messages. */
        String kindName() {
            return kind == SOFT ? "a soft" : kind == EXTERNAL ? "an external" : kind == HARD ? "a hard"
                    : "a user-defined (type " + kind + ")";
        }
    }

    private Hdf5Links() {
    }

    static Map<String, Link> read(Hdf5Object group) {
        Hdf5File h5 = group.file();
        Map<String, Link> out = new LinkedHashMap<>();
        Hdf5Object.Message table = group.message(Hdf5Object.SYMBOL_TABLE, "symbol table");
        if (table != null) {
            symbolTable(group, table.read(), out);
            return out;
        }
        for (Hdf5Object.Message m : group.messages()) {
            if (m.type() == Hdf5Object.LINK) {
                if ((m.flags() & Hdf5Object.FLAG_SHARED) != 0) {
                    throw h5.unsupported(group.describe(), "has a shared link message, which this reader does not "
                            + "follow");
                }
                add(group, out, linkMessage(h5, m.read(), "a link message of " + group.describe()));
            }
        }
        Hdf5Object.Message info = group.message(Hdf5Object.LINK_INFO, "link info");
        if (info != null) {
            dense(group, info.read(), out);
        }
        return out;
    }

    private static void add(Hdf5Object group, Map<String, Link> out, Map.Entry<String, Link> link) {
        if (out.put(link.getKey(), link.getValue()) != null) {
            throw group.file().corrupt(group.describe(), "has two members named '" + SafeText.of(link.getKey())
                    + "'");
        }
        if (out.size() > MAX_LINKS) {
            throw group.file().corrupt(group.describe(), "has more than " + MAX_LINKS + " members");
        }
    }

    // ---- new-style groups -------------------------------------------------------------------------

    /** A link message body: name and target. */
    static Map.Entry<String, Link> linkMessage(Hdf5File h5, Hdf5Buf b, String where) {
        int version = b.u8("the link message version");
        if (version != 1) {
            throw h5.corrupt(where, "has version " + version + ", expected 1");
        }
        int flags = b.u8("the link flags");
        int type = HARD;
        if ((flags & 0x08) != 0) {
            type = b.u8("the link type");
        }
        if ((flags & 0x04) != 0) {
            b.skip(8, "the creation order");
        }
        if ((flags & 0x10) != 0) {
            b.u8("the name character set");
        }
        long nameLength = b.uvar(1 << (flags & 3), "the name length");
        if (nameLength < 1 || nameLength > MAX_NAME) {
            throw h5.corrupt(where, "has a link name of " + nameLength + " bytes");
        }
        String name = new String(b.bytes(nameLength, "the link name"), StandardCharsets.UTF_8);
        long address = Hdf5File.UNDEF;
        if (type == HARD) {
            address = b.offset("the object header address");
            if (address == Hdf5File.UNDEF) {
                throw h5.corrupt(where, "'" + SafeText.of(name) + "' is a hard link to an undefined address");
            }
        }
        return Map.entry(name, new Link(type, address));
    }

    private static void dense(Hdf5Object group, Hdf5Buf b, Map<String, Link> out) {
        Hdf5File h5 = group.file();
        String where = "the link info of " + group.describe();
        int version = b.u8("the link info version");
        if (version != 0) {
            throw h5.corrupt(where, "has version " + version + ", expected 0");
        }
        int flags = b.u8("the link info flags");
        if ((flags & 1) != 0) {
            b.skip(8, "the maximum creation index");
        }
        long heap = b.offset("the fractal heap address");
        long names = b.offset("the name index address");
        if (heap == Hdf5File.UNDEF) {
            return; // compact: the link messages were all there is
        }
        if (names == Hdf5File.UNDEF) {
            throw h5.corrupt(where, "has a fractal heap of links but no name index");
        }
        String what = "the dense link storage of " + group.describe();
        Hdf5FractalHeap fh = new Hdf5FractalHeap(h5, heap, what);
        Hdf5BTree2.forEach(h5, names, Hdf5BTree2.LINK_NAMES, what, record -> {
            Hdf5Buf r = record.fresh();
            r.u32("the name hash");
            byte[] id = r.bytes(r.remaining(), "a heap ID");
            Hdf5Buf message = fh.object(id, "a link of " + group.describe());
            add(group, out, linkMessage(h5, message, "a link message of " + group.describe()));
        });
    }

    // ---- old-style groups -------------------------------------------------------------------------

    private static void symbolTable(Hdf5Object group, Hdf5Buf b, Map<String, Link> out) {
        Hdf5File h5 = group.file();
        String where = "the symbol table of " + group.describe();
        long btree = b.offset("the v1 B-tree address");
        long heapAddress = b.offset("the local heap address");
        Hdf5Buf heap = localHeap(h5, heapAddress, where);
        Deque<long[]> stack = new ArrayDeque<>();
        Set<Long> seen = new HashSet<>();
        stack.push(new long[] {btree, -1});
        while (!stack.isEmpty()) {
            long[] node = stack.pop();
            long at = node[0];
            String nwhat = "a v1 B-tree node of " + group.describe() + " at address " + at;
            if (!seen.add(at)) {
                throw h5.corrupt(nwhat, "is reached twice; the tree has a cycle");
            }
            if (seen.size() > MAX_LINKS) {
                throw h5.corrupt(where, "has more than " + MAX_LINKS + " nodes");
            }
            int so = h5.sizeOfOffsets();
            int sl = h5.sizeOfLengths();
            Hdf5Buf n = h5.read(at, 8 + 2L * so, nwhat);
            n.signature("TREE");
            int type = n.u8("the node type");
            if (type != 0) {
                throw h5.corrupt(nwhat, "has node type " + type + "; a group's B-tree has type 0");
            }
            int level = n.u8("the node level");
            int entries = n.u16("the entries used");
            if (node[1] >= 0 && level != node[1] || level >= MAX_LEVELS) {
                throw h5.corrupt(nwhat, "has level " + level + (node[1] >= 0 ? ", expected " + node[1] : ""));
            }
            Hdf5Buf keys = h5.read(at + 8 + 2L * so, (long) entries * (sl + so) + sl, nwhat);
            for (int i = 0; i < entries; i++) {
                keys.length("a key");
                long child = keys.offset("a child address");
                if (level == 0) {
                    symbolNode(group, child, heap, out, seen);
                } else {
                    stack.push(new long[] {child, level - 1});
                }
            }
        }
    }

    /** The data segment of a local heap (the names of an old-style group). */
    private static Hdf5Buf localHeap(Hdf5File h5, long at, String where) {
        String what = "the local heap of " + where + " at address " + at;
        Hdf5Buf h = h5.read(at, 8 + 2L * h5.sizeOfLengths() + h5.sizeOfOffsets(), what);
        h.signature("HEAP");
        int version = h.u8("the version");
        if (version != 0) {
            throw h5.corrupt(what, "has version " + version + ", expected 0");
        }
        h.skip(3, "reserved bytes");
        long size = h.length("the data segment size");
        h.length("the free list offset");
        long data = h.offset("the data segment address");
        return h5.read(data, size, "the data segment of " + what);
    }

    private static void symbolNode(Hdf5Object group, long at, Hdf5Buf heap, Map<String, Link> out, Set<Long> seen) {
        Hdf5File h5 = group.file();
        String what = "a symbol table node of " + group.describe() + " at address " + at;
        if (!seen.add(at)) {
            throw h5.corrupt(what, "is reached twice; the group's B-tree has a cycle");
        }
        Hdf5Buf n = h5.read(at, 8, what);
        n.signature("SNOD");
        int version = n.u8("the version");
        if (version != 1) {
            throw h5.corrupt(what, "has version " + version + ", expected 1");
        }
        n.u8("a reserved byte");
        int count = n.u16("the number of symbols");
        int entry = h5.sizeOfLengths() + h5.sizeOfOffsets() + 24;
        Hdf5Buf e = h5.read(at + 8, (long) count * entry, what);
        for (int i = 0; i < count; i++) {
            long nameOffset = e.length("a link name offset");
            long header = e.offset("an object header address");
            long cacheType = e.u32("the cache type");
            e.skip(4 + 16, "the reserved field and scratch pad");
            String name = heapString(h5, heap, nameOffset, what);
            if (name.isEmpty()) {
                throw h5.corrupt(what, "has a member with an empty name");
            }
            Link link;
            if (cacheType == 2) {
                link = new Link(SOFT, Hdf5File.UNDEF);
            } else {
                if (header == Hdf5File.UNDEF) {
                    throw h5.corrupt(what, "member '" + SafeText.of(name) + "' has an undefined address");
                }
                link = new Link(HARD, header);
            }
            add(group, out, Map.entry(name, link));
        }
    }

    /** The NUL-terminated string at {@code offset} of a local heap's data segment. */
    private static String heapString(Hdf5File h5, Hdf5Buf heap, long offset, String where) {
        if (offset < 0 || offset >= heap.size()) {
            throw h5.corrupt(where, "names a link at offset " + offset + " of its local heap, which holds "
                    + heap.size() + " bytes");
        }
        byte[] a = heap.array();
        int from = heap.arrayStart() + (int) offset;
        int limit = heap.arrayStart() + heap.size();
        int end = from;
        while (end < limit && a[end] != 0 && end - from <= MAX_NAME) {
            end++;
        }
        if (end >= limit || a[end] != 0) {
            throw h5.corrupt(where, "names a link at offset " + offset + " of its local heap that is not "
                    + "NUL-terminated within " + MAX_NAME + " bytes");
        }
        return new String(a, from, end - from, StandardCharsets.UTF_8);
    }
}
