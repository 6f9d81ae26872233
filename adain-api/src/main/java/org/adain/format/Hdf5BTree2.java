package org.adain.format;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Version 2 B-trees (header BTHD, internal nodes BTIN, leaves BTLF), walked in full: the dense link and attribute
 * storages index their names with one, and a group or object is small enough to visit all its records. Every
 * node is checked (signature, version, type, checksum, record counts) and visited once.
 */
final class Hdf5BTree2 {
    /** Record type 5: link names of an indexed group (name hash, heap ID). */
    static final int LINK_NAMES = 5;
    /** Record type 8: attribute names (heap ID, message flags, creation order, name hash). */
    static final int ATTRIBUTE_NAMES = 8;

    static final int MAX_DEPTH = 16;
    static final long MAX_NODE_SIZE = 1L << 20;
    static final long MAX_RECORDS = 1L << 20;
    /** Signature, version, type and checksum. */
    private static final int PREFIX = 10;

    private Hdf5BTree2() {
    }

    /** Calls {@code record} with each record of the tree at {@code address}, in key order. */
    static void forEach(Hdf5File h5, long address, int expectedType, String where, Consumer<Hdf5Buf> record) {
        String what = "the v2 B-tree header of " + where + " at address " + address;
        Hdf5Buf h = h5.read(address, 4 + 1 + 1 + 4 + 2 + 2 + 1 + 1 + h5.sizeOfOffsets() + 2 + h5.sizeOfLengths() + 4,
                what);
        h.signature("BTHD");
        int version = h.u8("the version");
        if (version != 0) {
            throw h5.corrupt(what, "has version " + version + ", expected 0");
        }
        int type = h.u8("the tree type");
        if (type != expectedType) {
            throw h5.corrupt(what, "is a tree of type " + type + ", expected " + expectedType);
        }
        long nodeSize = h.u32("the node size");
        int recordSize = h.u16("the record size");
        int depth = h.u16("the depth");
        h.u8("the split percent");
        h.u8("the merge percent");
        long root = h.offset("the root node address");
        int rootRecords = h.u16("the number of records in the root");
        long total = h.length("the total number of records");
        h.checksum();
        if (nodeSize < PREFIX + recordSize || nodeSize > MAX_NODE_SIZE || recordSize == 0) {
            throw h5.corrupt(what, "has nodes of " + nodeSize + " bytes for records of " + recordSize + " bytes");
        }
        if (depth > MAX_DEPTH) {
            throw h5.corrupt(what, "is " + depth + " levels deep; more than " + MAX_DEPTH + " cannot be real");
        }
        if (total > MAX_RECORDS) {
            throw h5.corrupt(what, "claims " + total + " records, more than the " + MAX_RECORDS + " read");
        }
        if (root == Hdf5File.UNDEF) {
            if (total != 0) {
                throw h5.corrupt(what, "claims " + total + " records but has no root node");
            }
            return;
        }
        Layout layout = new Layout(h5, (int) nodeSize, recordSize, depth, what);
        Deque<long[]> stack = new ArrayDeque<>();
        stack.push(new long[] {root, rootRecords, depth});
        Set<Long> seen = new HashSet<>();
        long visited = 0;
        while (!stack.isEmpty()) {
            long[] node = stack.pop();
            long at = node[0];
            long claimed = node[1];
            int level = (int) node[2];
            String nwhat = "a v2 B-tree node of " + where + " at address " + at;
            if (!seen.add(at)) {
                throw h5.corrupt(nwhat, "is reached twice; the tree has a cycle");
            }
            if (claimed < 0 || claimed > layout.maxRecords[level]) {
                throw h5.corrupt(nwhat, "claims " + claimed + " records, more than a node of its level holds ("
                        + layout.maxRecords[level] + ")");
            }
            int nrec = (int) claimed;
            visited += nrec;
            if (visited > total) {
                throw h5.corrupt(what, "holds more records than the " + total + " its header claims");
            }
            Hdf5Buf b = h5.read(at, nodeSize, nwhat);
            b.signature(level == 0 ? "BTLF" : "BTIN");
            int v = b.u8("the version");
            if (v != 0) {
                throw h5.corrupt(nwhat, "has version " + v + ", expected 0");
            }
            int t = b.u8("the tree type");
            if (t != type) {
                throw h5.corrupt(nwhat, "has type " + t + " in a tree of type " + type);
            }
            Hdf5Buf[] records = new Hdf5Buf[nrec];
            for (int i = 0; i < nrec; i++) {
                records[i] = b.sub(recordSize, "a record", nwhat);
            }
            long[][] children = new long[level == 0 ? 0 : nrec + 1][];
            for (int i = 0; i < children.length; i++) {
                long child = b.offset("a child node address");
                long childRecords = b.uvar(layout.nrecSize, "a child's number of records");
                if (level > 1) {
                    b.uvar(layout.cumSize[level - 1], "a child's total number of records");
                }
                if (child == Hdf5File.UNDEF) {
                    throw h5.corrupt(nwhat, "has an undefined child address");
                }
                children[i] = new long[] {child, childRecords, level - 1};
            }
            b.checksum();
            // in-order: child 0, record 0, child 1, ...; records are only counted, order matters for callers
            // that stop early, which none do, so records first and children after keeps the stack simple
            for (Hdf5Buf r : records) {
                record.accept(r);
            }
            for (int i = children.length - 1; i >= 0; i--) {
                stack.push(children[i]);
            }
        }
        if (visited != total) {
            throw h5.corrupt(what, "claims " + total + " records but its nodes hold " + visited);
        }
    }

    /** Per-level maxima and field widths, as HDF5 derives them from the node and record sizes. */
    private static final class Layout {
        final int[] maxRecords;
        final int nrecSize;
        final int[] cumSize;

        Layout(Hdf5File h5, int nodeSize, int recordSize, int depth, String what) {
            maxRecords = new int[depth + 1];
            cumSize = new int[depth + 1];
            long[] cum = new long[depth + 1];
            maxRecords[0] = (nodeSize - PREFIX) / recordSize;
            cum[0] = maxRecords[0];
            nrecSize = encSize(maxRecords[0]);
            cumSize[0] = 0;
            for (int u = 1; u <= depth; u++) {
                int pointer = h5.sizeOfOffsets() + nrecSize + cumSize[u - 1];
                long n = (nodeSize - (long) (PREFIX + pointer)) / (recordSize + pointer);
                if (n < 1) {
                    throw h5.corrupt(what, "has nodes too small for an internal level (" + nodeSize + " bytes)");
                }
                maxRecords[u] = (int) n;
                cum[u] = sat(sat(n + 1, cum[u - 1], true), n, false);
                cumSize[u] = encSize(cum[u]);
            }
        }

        /** Bytes HDF5 uses to encode values up to {@code max}: floor(log2(max)) / 8 + 1. */
        private static int encSize(long max) {
            int log2 = max <= 0 ? 0 : 63 - Long.numberOfLeadingZeros(max);
            return log2 / 8 + 1;
        }

        private static long sat(long a, long b, boolean multiply) {
            try {
                return multiply ? Math.multiplyExact(a, b) : Math.addExact(a, b);
            } catch (ArithmeticException e) {
                return Long.MAX_VALUE;
            }
        }
    }
}
