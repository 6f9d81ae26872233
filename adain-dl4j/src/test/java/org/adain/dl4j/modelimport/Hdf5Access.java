package org.adain.dl4j.modelimport;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.adain.ModelException;
import org.bytedeco.hdf5.Attribute;
import org.bytedeco.hdf5.DataSet;
import org.bytedeco.hdf5.DataSpace;
import org.bytedeco.hdf5.DataType;
import org.bytedeco.hdf5.Group;
import org.bytedeco.hdf5.H5File;
import org.bytedeco.hdf5.PredType;
import org.bytedeco.hdf5.global.hdf5;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;
import org.deeplearning4j.nn.modelimport.keras.Hdf5Archive;

/**
 * Read-only access to one HDF5 file through the bytedeco HDF5 C++ API, for what DL4J's {@code Hdf5Archive}
 * cannot do: string-array attributes ({@code layer_names}, {@code weight_names}) in both the fixed-length
 * (h5py 2 / Keras 2.3) and variable-length (h5py 3) layouts, dataset shapes without reading the data, and
 * whole datasets read into a {@code float[]} with a single H5Dread (no ND4J needed).
 *
 * <p>Not thread-safe: HDF5 is built without its thread-safety option, so every instance must be created,
 * used and closed while holding {@link #LOCK}. Native failures (bytedeco turns them into
 * {@link RuntimeException}s such as "H5Fopen failed") become {@link ModelException}s naming the file.
 */
final class Hdf5Access implements AutoCloseable {
    /** The 8-byte signature that starts an HDF5 superblock. */
    static final byte[] SIGNATURE = {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};

    /** Largest dataset we read, in elements: far above VGG-19's biggest kernel (2.4M), far below int overflow. */
    private static final long MAX_ELEMENTS = 1L << 28;

    private final H5File file;
    private final String fileName;

    private Hdf5Access(H5File file, String fileName) {
        this.file = file;
        this.fileName = fileName;
    }

    /**
     * The monitor every HDF5 and Keras-import call in this package holds. It is DL4J's own {@code Hdf5Archive}
     * lock, so our direct bytedeco calls are also serialised with HDF5 access that goes through DL4J elsewhere
     * in the process. Touching it loads the HDF5 natives, so it is looked up lazily, never in a static
     * initialiser (ServiceLoader must be able to instantiate the reader without natives).
     */
    static Object lock() {
        return Hdf5Archive.LOCK_OBJECT;
    }

    /** Opens the file read-only. Call with {@link #lock()} held. */
    static Hdf5Access open(Path path, String fileName) {
        quietNativeErrors();
        try {
            return new Hdf5Access(new H5File(path.toString(), hdf5.H5F_ACC_RDONLY()), fileName);
        } catch (RuntimeException e) {
            throw new ModelException(fileName + ": HDF5 cannot open the file (" + e.getMessage()
                    + "); it is truncated or corrupt", e);
        }
    }

    /**
     * HDF5 prints its whole error stack to stderr before bytedeco turns the error into an exception. We report
     * every failure as a ModelException, so the dump is noise; turn it off (per thread in thread-safe builds,
     * process-wide otherwise; idempotent and cheap).
     */
    static void quietNativeErrors() {
        org.bytedeco.hdf5.Exception.dontPrint();
    }

    /**
     * Offset of the HDF5 superblock signature: 0, or 512, 1024, 2048, … when the file starts with a user
     * block; -1 when there is none or the file cannot be read.
     */
    static long signatureOffset(Path path) {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
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
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** Whether {@code head} starts with the HDF5 signature. */
    static boolean startsWithSignature(byte[] head) {
        return head != null && head.length >= SIGNATURE.length
                && Arrays.equals(Arrays.copyOf(head, SIGNATURE.length), SIGNATURE);
    }

    /**
     * File-level checks before any native code sees the file: it exists, is a readable regular file and carries
     * the HDF5 signature. This keeps random bytes and wrong formats away from the HDF5 library entirely.
     */
    static void checkLooksLikeHdf5(Path path, String fileName) {
        if (!Files.exists(path)) {
            throw new ModelException(fileName + ": no such file (" + path.toAbsolutePath() + ")");
        }
        if (!Files.isRegularFile(path)) {
            throw new ModelException(fileName + ": not a regular file (" + path.toAbsolutePath() + ")");
        }
        if (!Files.isReadable(path)) {
            throw new ModelException(fileName + ": the file is not readable (" + path.toAbsolutePath() + ")");
        }
        if (signatureOffset(path) < 0) {
            throw new ModelException(fileName + ": not an HDF5 file (no HDF5 signature); a Keras .h5 file is "
                    + "expected");
        }
    }

    String fileName() {
        return fileName;
    }

    /** Whether the root group has the attribute. */
    boolean hasRootAttribute(String name) {
        try {
            return file.attrExists(name);
        } catch (RuntimeException e) {
            throw nativeFailure("cannot read the root attributes", e);
        }
    }

    /** Whether a link (group or dataset) exists at {@code path}, every intermediate group included. */
    boolean exists(String path) {
        try {
            String prefix = "";
            for (String part : path.split("/")) {
                if (part.isEmpty()) {
                    continue;
                }
                prefix = prefix.isEmpty() ? part : prefix + "/" + part;
                if (!file.nameExists(prefix)) {
                    return false;
                }
            }
            return true;
        } catch (RuntimeException e) {
            throw nativeFailure("cannot look up '" + path + "'", e);
        }
    }

    /**
     * A string-array attribute such as {@code layer_names} or {@code weight_names} of the group at
     * {@code groupPath} ("" or "/" for the root). Handles fixed-length and variable-length strings; an empty
     * attribute of any type (Keras writes an empty float64 array for weightless layers) gives an empty list.
     * Returns null when the attribute does not exist.
     */
    List<String> readStringArrayAttribute(String groupPath, String name) {
        boolean root = groupPath.isEmpty() || groupPath.equals("/");
        String where = root ? "root attribute '" + name + "'" : "attribute '" + name + "' of '" + groupPath + "'";
        Group group = null;
        try {
            group = root ? null : file.openGroup(groupPath);
            boolean present = root ? file.attrExists(name) : group.attrExists(name);
            if (!present) {
                return null;
            }
            try (Attribute attr = root ? file.openAttribute(name) : group.openAttribute(name);
                    DataType type = attr.getDataType();
                    DataSpace space = attr.getSpace()) {
                long n = space.getSimpleExtentNpoints();
                if (n == 0) {
                    return List.of();
                }
                if (attr.getTypeClass() != hdf5.H5T_STRING) {
                    throw new ModelException(fileName + ": " + where + " holds " + n
                            + " non-string values; expected a list of names");
                }
                return type.isVariableStr() ? readVariableStrings(attr, type, space, n)
                        : readFixedStrings(attr, type, n);
            }
        } catch (ModelException e) {
            throw e;
        } catch (RuntimeException e) {
            throw nativeFailure("cannot read the " + where, e);
        } finally {
            if (group != null) {
                group.close();
            }
        }
    }

    private static List<String> readFixedStrings(Attribute attr, DataType type, long n) {
        int size = Math.toIntExact(type.getSize());
        try (BytePointer buf = new BytePointer(n * size)) {
            // the cast picks read(DataType, void*); the BytePointer overload reads one std::string
            attr.read(type, (Pointer) buf);
            byte[] all = new byte[Math.toIntExact(n * size)];
            buf.get(all);
            List<String> out = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int end = i * size;
                int limit = end + size;
                while (end < limit && all[end] != 0) {
                    end++;
                }
                // numpy 'S' arrays are NUL-padded; some writers pad with spaces instead
                out.add(new String(all, i * size, end - i * size, StandardCharsets.UTF_8).strip());
            }
            return out;
        }
    }

    private static List<String> readVariableStrings(Attribute attr, DataType type, DataSpace space, long n) {
        try (PointerPointer<BytePointer> ptrs = new PointerPointer<>(n)) {
            attr.read(type, ptrs);
            try {
                List<String> out = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    BytePointer s = ptrs.get(BytePointer.class, i);
                    out.add(s == null || s.isNull() ? "" : s.getString(StandardCharsets.UTF_8));
                }
                return out;
            } finally {
                // the library allocated each string; hand them back
                hdf5.H5Treclaim(type.getId(), space.getId(), hdf5.H5P_DEFAULT, ptrs);
            }
        }
    }

    /** Shape of the dataset at {@code path}; throws naming the path when there is none. */
    long[] datasetShape(String path) {
        try (DataSet ds = file.openDataSet(path); DataSpace space = ds.getSpace()) {
            return dims(space);
        } catch (RuntimeException e) {
            throw nativeFailure("cannot open the dataset '" + path + "'", e);
        }
    }

    /** A numeric dataset converted to float (HDF5 converts float64 and integers), row-major. */
    FloatData readFloats(String path) {
        try (DataSet ds = file.openDataSet(path); DataSpace space = ds.getSpace()) {
            // asAbstractDs() is a non-owning view of the same C++ object
            int typeClass = ds.asAbstractDs().getTypeClass();
            if (typeClass != hdf5.H5T_FLOAT && typeClass != hdf5.H5T_INTEGER) {
                throw new ModelException(fileName + ": dataset '" + path + "' is not numeric");
            }
            long[] shape = dims(space);
            long n = space.getSimpleExtentNpoints();
            if (n > MAX_ELEMENTS) {
                throw new ModelException(fileName + ": dataset '" + path + "' has " + n
                        + " values, more than any VGG-19 layer");
            }
            float[] data = new float[(int) n];
            if (n > 0) {
                try (FloatPointer buf = new FloatPointer(n)) {
                    ds.read(buf, PredType.NATIVE_FLOAT());
                    buf.get(data);
                }
            }
            return new FloatData(shape, data);
        } catch (ModelException e) {
            throw e;
        } catch (RuntimeException e) {
            throw nativeFailure("cannot read the dataset '" + path + "'", e);
        }
    }

    private static long[] dims(DataSpace space) {
        int rank = space.getSimpleExtentNdims();
        long[] dims = new long[rank];
        if (rank > 0) {
            space.getSimpleExtentDims(dims);
        }
        return dims;
    }

    private ModelException nativeFailure(String what, RuntimeException e) {
        return new ModelException(fileName + ": " + what + " (HDF5: " + e.getMessage()
                + "); the file is corrupt or not a Keras file", e);
    }

    @Override
    public void close() {
        try {
            file.close();
        } catch (RuntimeException e) {
            // closing a read-only file releases handles only; nothing to report to the caller
        }
    }

    /** A dense row-major float array and its shape. */
    record FloatData(long[] shape, float[] data) {
        String shapeString() {
            return Arrays.toString(shape);
        }
    }
}
