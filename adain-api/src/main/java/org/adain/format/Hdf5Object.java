package org.adain.format;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One HDF5 object (a group or a dataset): its object header's messages, read and checked when the object is
 * first reached, and what they say: links, attributes, and the dataset's type, shape and storage.
 */
final class Hdf5Object {
    static final int NIL = 0x00;
    static final int DATASPACE = 0x01;
    static final int LINK_INFO = 0x02;
    static final int DATATYPE = 0x03;
    static final int FILL_VALUE_OLD = 0x04;
    static final int FILL_VALUE = 0x05;
    static final int LINK = 0x06;
    static final int EXTERNAL_FILES = 0x07;
    static final int LAYOUT = 0x08;
    static final int GROUP_INFO = 0x0A;
    static final int FILTERS = 0x0B;
    static final int ATTRIBUTE = 0x0C;
    static final int CONTINUATION = 0x10;
    static final int SYMBOL_TABLE = 0x11;
    static final int ATTRIBUTE_INFO = 0x15;
    /** Types 0x00–0x18 are defined by the format; others are unknown to this reader. */
    static final int LAST_KNOWN_TYPE = 0x18;

    static final int FLAG_SHARED = 0x02;
    static final int FLAG_FAIL_IF_UNKNOWN = 0x80;

    /** Continuation blocks one header may have. */
    static final int MAX_BLOCKS = 1024;

    /** A header message: its type, flags and body. */
    record Message(int type, int flags, Hdf5Buf body) {
        Hdf5Buf read() {
            return body.fresh();
        }
    }

    private final Hdf5File h5;
    private final long address;
    private final String path;
    private final List<Message> messages = new ArrayList<>();
    private Map<String, Hdf5Links.Link> links;
    private Hdf5Attributes attributes;

    Hdf5Object(Hdf5File h5, long address, String path) {
        this.h5 = h5;
        this.address = address;
        this.path = path;
        parseHeader();
    }

    Hdf5File file() {
        return h5;
    }

    long address() {
        return address;
    }

    String path() {
        return path;
    }

    /** "the root group", "'model_weights/conv2d'": how messages name the object. */
    String describe() {
        return path.isEmpty() ? "the root group" : "'" + SafeText.of(path) + "'";
    }

    List<Message> messages() {
        return messages;
    }

    /** The only message of a type, or null; two are a corrupt header. */
    Message message(int type, String name) {
        Message found = null;
        for (Message m : messages) {
            if (m.type() == type) {
                if (found != null) {
                    throw h5.corrupt(describe(), "its object header holds two " + name + " messages");
                }
                found = m;
            }
        }
        if (found != null && (found.flags() & FLAG_SHARED) != 0) {
            throw h5.unsupported(describe(), "has a shared " + name + " message (a committed datatype or the shared "
                    + "message table), which this reader does not follow");
        }
        return found;
    }

    boolean isGroup() {
        for (Message m : messages) {
            if (m.type() == SYMBOL_TABLE || m.type() == LINK_INFO || m.type() == LINK) {
                return true;
            }
        }
        return false;
    }

    boolean isDataset() {
        for (Message m : messages) {
            if (m.type() == LAYOUT) {
                return true;
            }
        }
        return false;
    }

    /** The group's links by name (hard, soft, external), read once. */
    Map<String, Hdf5Links.Link> links() {
        if (links == null) {
            links = Hdf5Links.read(this);
        }
        return links;
    }

    /** The attribute of this name, or null. */
    Hdf5Attributes.Attribute attribute(String name) {
        if (attributes == null) {
            attributes = new Hdf5Attributes(this);
        }
        return attributes.find(name);
    }

    // ---- the object header ----------------------------------------------------------------------

    private void parseHeader() {
        String what = "the object header of " + describe() + " at address " + address;
        Hdf5Buf probe = h5.readUpTo(address, 40, what);
        Set<Long> seen = new HashSet<>();
        seen.add(address);
        List<long[]> pending = new ArrayList<>();
        int first = probe.u8("the version or signature");
        int v1Count = -1;
        boolean v2;
        boolean creationOrder = false;
        if (first == 1) {
            v2 = false;
            Hdf5Buf p = probe.fresh();
            p.u8("the version");
            p.u8("a reserved byte");
            v1Count = p.u16("the number of header messages");
            p.u32("the object reference count");
            long size = p.u32("the object header size");
            Hdf5Buf block = h5.read(address + 16, size, what);
            readMessages(block, false, false, v1Count, pending, what);
        } else if (first == 'O') {
            v2 = true;
            Hdf5Buf p = probe.fresh();
            p.signature("OHDR");
            int version = p.u8("the version");
            if (version != 2) {
                throw h5.corrupt(what, "has version " + version + " after its OHDR signature, expected 2");
            }
            int flags = p.u8("the flags");
            if ((flags & 0xc0) != 0) {
                throw h5.corrupt(what, "has reserved flag bits set (0x" + Integer.toHexString(flags) + ")");
            }
            creationOrder = (flags & 0x04) != 0;
            if ((flags & 0x20) != 0) {
                p.skip(16, "the access, modification, change and birth times");
            }
            if ((flags & 0x10) != 0) {
                p.skip(4, "the attribute storage phase change values");
            }
            long chunk0 = p.uvar(1 << (flags & 3), "the size of chunk 0");
            int prefix = p.position();
            if (chunk0 > h5.length()) {
                throw h5.corrupt(what, "claims " + chunk0 + " bytes of messages, more than the whole file");
            }
            Hdf5Buf block = h5.read(address, prefix + chunk0 + 4, what);
            block.skip(prefix + chunk0, "the messages");
            block.checksum();
            Hdf5Buf msgs = new Hdf5Buf(h5, block.array(), block.arrayStart() + prefix,
                    block.arrayStart() + prefix + (int) chunk0, address + prefix, what);
            readMessages(msgs, true, creationOrder, -1, pending, what);
        } else {
            throw h5.corrupt(what, "starts with the byte " + first + ", neither a version 1 header nor the OHDR "
                    + "signature; the address points at something else, so the file is corrupt");
        }
        int blocks = 0;
        while (!pending.isEmpty()) {
            long[] c = pending.remove(0);
            if (!seen.add(c[0])) {
                throw h5.corrupt(what, "its continuation blocks form a cycle (address " + c[0] + " again)");
            }
            if (++blocks > MAX_BLOCKS) {
                throw h5.corrupt(what, "has more than " + MAX_BLOCKS + " continuation blocks");
            }
            String cwhat = "a continuation block of " + describe() + " at address " + c[0];
            Hdf5Buf block = h5.read(c[0], c[1], cwhat);
            if (v2) {
                block.signature("OCHK");
                block.skip(c[1] - 8, "the messages");
                block.checksum();
                Hdf5Buf msgs = new Hdf5Buf(h5, block.array(), block.arrayStart() + 4,
                        block.arrayStart() + (int) c[1] - 4, c[0] + 4, cwhat);
                readMessages(msgs, true, creationOrder, -1, pending, cwhat);
            } else {
                readMessages(block, false, false, v1Count, pending, cwhat);
            }
        }
    }

    private void readMessages(Hdf5Buf b, boolean v2, boolean creationOrder, int v1Count, List<long[]> pending,
            String what) {
        int headerLen = v2 ? (creationOrder ? 6 : 4) : 8;
        while (b.remaining() >= headerLen) {
            if (!v2) {
                b.align8("message alignment");
                if (b.remaining() < headerLen || messages.size() >= v1Count) {
                    return;
                }
            }
            int type = v2 ? b.u8("a message type") : b.u16("a message type");
            int size = b.u16("a message size");
            int flags = b.u8("the message flags");
            if (v2) {
                if (creationOrder) {
                    b.u16("a message creation order");
                }
            } else {
                b.skip(3, "reserved bytes");
            }
            String mwhat = "message " + (messages.size() + 1) + " (type " + type + ") of " + what;
            if (size > b.remaining()) {
                throw h5.corrupt(mwhat, "claims " + size + " bytes, but only " + b.remaining()
                        + " are left in its header block; the file is truncated or corrupt");
            }
            Hdf5Buf body = b.sub(size, "the message body", mwhat);
            if (type > LAST_KNOWN_TYPE && (flags & FLAG_FAIL_IF_UNKNOWN) != 0) {
                throw h5.unsupported(describe(), "has a header message of unknown type " + type + " marked "
                        + "'fail if unknown'; it is from a newer HDF5 or corrupt");
            }
            messages.add(new Message(type, flags, body));
            if (type == CONTINUATION) {
                Hdf5Buf c = body.fresh();
                long at = c.offset("the continuation address");
                long len = c.length("the continuation length");
                if (len < (v2 ? 8 : 0) || at == Hdf5File.UNDEF) {
                    throw h5.corrupt(mwhat, "is a continuation of " + len + " bytes at address " + at
                            + ", which cannot be");
                }
                h5.checkRange(at, len, mwhat);
                pending.add(new long[] {at, len});
            }
        }
    }
}
