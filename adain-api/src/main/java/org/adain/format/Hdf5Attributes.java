package org.adain.format;

import java.util.ArrayList;
import java.util.List;

/**
 * The attributes of one object: attribute messages in its header (compact storage) and, when an attribute info
 * message points to them, the ones in dense storage (a fractal heap indexed by a v2 B-tree of names). Names are
 * read for the lookup; an attribute's type, shape and data only when it is the one asked for.
 */
final class Hdf5Attributes {
    /** The most attributes one object may have (across both storages). */
    static final int MAX_ATTRIBUTES = 1 << 16;

    /** A parsed attribute. {@code data} covers exactly its elements' bytes. */
    record Attribute(String name, Hdf5Types.Datatype type, Hdf5Types.Dataspace space, Hdf5Buf data, String where) {
        long count() {
            return space.count();
        }
    }

    private final Hdf5Object owner;
    private final Hdf5File h5;
    private List<Hdf5Buf> bodies;

    Hdf5Attributes(Hdf5Object owner) {
        this.owner = owner;
        this.h5 = owner.file();
    }

    /** The attribute called {@code name}, or null. */
    Attribute find(String name) {
        for (Hdf5Buf body : bodies()) {
            Hdf5Buf b = body.fresh();
            if (name.equals(readName(b, null))) {
                return parse(body.fresh(), name);
            }
        }
        return null;
    }

    private List<Hdf5Buf> bodies() {
        if (bodies != null) {
            return bodies;
        }
        List<Hdf5Buf> out = new ArrayList<>();
        for (Hdf5Object.Message m : owner.messages()) {
            if (m.type() == Hdf5Object.ATTRIBUTE) {
                if ((m.flags() & Hdf5Object.FLAG_SHARED) != 0) {
                    throw h5.unsupported(owner.describe(), "has a shared attribute message, which this reader does "
                            + "not follow");
                }
                out.add(m.body());
            }
        }
        Hdf5Object.Message info = owner.message(Hdf5Object.ATTRIBUTE_INFO, "attribute info");
        if (info != null) {
            Hdf5Buf b = info.read();
            String where = "the attribute info of " + owner.describe();
            int version = b.u8("the attribute info version");
            if (version != 0) {
                throw h5.corrupt(where, "has version " + version + ", expected 0");
            }
            int flags = b.u8("the attribute info flags");
            if ((flags & 1) != 0) {
                b.u16("the maximum creation index");
            }
            long heap = b.offset("the fractal heap address");
            long names = b.offset("the name index address");
            if (heap != Hdf5File.UNDEF) {
                if (names == Hdf5File.UNDEF) {
                    throw h5.corrupt(where, "has a fractal heap of attributes but no name index");
                }
                String what = "the dense attribute storage of " + owner.describe();
                Hdf5FractalHeap fh = new Hdf5FractalHeap(h5, heap, what);
                Hdf5BTree2.forEach(h5, names, Hdf5BTree2.ATTRIBUTE_NAMES, what, record -> {
                    // heap ID (8 bytes), message flags, creation order, name hash
                    Hdf5Buf r = record.fresh();
                    byte[] id = r.bytes(8, "a heap ID");
                    int mflags = r.u8("the message flags");
                    if ((mflags & Hdf5Object.FLAG_SHARED) != 0) {
                        throw h5.unsupported(owner.describe(), "has a shared attribute in dense storage, which this "
                                + "reader does not follow");
                    }
                    out.add(fh.object(id, "an attribute of " + owner.describe()));
                    if (out.size() > MAX_ATTRIBUTES) {
                        throw h5.corrupt(owner.describe(), "has more than " + MAX_ATTRIBUTES + " attributes");
                    }
                });
            }
        }
        bodies = out;
        return out;
    }

    /** Reads the header fields up to the name and returns the name; {@code fields} receives the sizes. */
    private String readName(Hdf5Buf b, int[] fields) {
        String where = "an attribute message of " + owner.describe();
        int version = b.u8("the attribute message version");
        int flags = 0;
        if (version == 1) {
            b.u8("a reserved byte");
        } else if (version == 2 || version == 3) {
            flags = b.u8("the attribute message flags");
        } else {
            throw h5.corrupt(where, "has version " + version + "; HDF5 defines 1 to 3");
        }
        int nameSize = b.u16("the name size");
        int typeSize = b.u16("the datatype size");
        int spaceSize = b.u16("the dataspace size");
        if (version == 3) {
            b.u8("the name character set");
        }
        String name = b.nulTerminated(nameSize, "the attribute name");
        if (version == 1) {
            b.skip(Math.min(pad8(nameSize) - nameSize, b.remaining()), "name padding");
        }
        if (fields != null) {
            fields[0] = version;
            fields[1] = flags;
            fields[2] = typeSize;
            fields[3] = spaceSize;
        }
        return name;
    }

    private static int pad8(int n) {
        return (n + 7) & ~7;
    }

    private Attribute parse(Hdf5Buf b, String name) {
        int[] f = new int[4];
        readName(b, f);
        String where = "attribute '" + SafeText.of(name) + "' of " + owner.describe();
        if ((f[1] & 3) != 0) {
            throw h5.unsupported(where, "has a shared datatype or dataspace, which this reader does not follow");
        }
        Hdf5Buf typeBuf = b.sub(f[2], "the datatype", where);
        if (f[0] == 1) {
            b.skip(Math.min(pad8(f[2]) - f[2], b.remaining()), "datatype padding");
        }
        Hdf5Buf spaceBuf = b.sub(f[3], "the dataspace", where);
        if (f[0] == 1) {
            b.skip(Math.min(pad8(f[3]) - f[3], b.remaining()), "dataspace padding");
        }
        Hdf5Types.Datatype type = Hdf5Types.datatype(typeBuf, h5, where, 0);
        Hdf5Types.Dataspace space = Hdf5Types.dataspace(spaceBuf, h5, where);
        long n = space.count();
        if (type.size() != 0 && n > b.remaining() / type.size() || n * type.size() > b.remaining()) {
            throw h5.corrupt(where, "declares " + n + " element(s) of " + type.size() + " bytes, but its message "
                    + "holds only " + b.remaining() + " bytes of data; the file is corrupt");
        }
        Hdf5Buf data = b.sub(n * type.size(), "the attribute data", where);
        return new Attribute(name, type, space, data, where);
    }
}
