package org.adain.format;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.adain.ModelException;

/**
 * Parses torch7's binary serialisation ({@code torch.save(file, object)}, {@code File:writeObject} in torch7's
 * File.lua) into plain Java values, reading nothing it does not understand:
 *
 * <pre>
 * object   := int32 tag, then by tag
 *   0 nil    : nothing                      1 number : float64
 *   2 string : int32 n, n bytes             5 boolean: int32 (1 = true)
 *   3 table  : int32 ref, and if ref is new: int32 n, then n × (object key, object value)
 *   4 torch  : int32 ref, and if ref is new: int32 n, "V &lt;version&gt;", int32 n, class name (files before
 *              versioning have the class name in place of the version), then
 *                tensors  (generic/Tensor.c):  int32 dims, int64 size[dims], int64 stride[dims],
 *                                              int64 storageOffset + 1, object storage (or nil)
 *                storages (generic/Storage.c): int64 n, n raw elements
 *                Lua classes such as nn modules: object (the table of the instance's fields)
 *   6, 7, 8  : Lua functions (bytecode) — refused
 * </pre>
 * A reference id seen before stands for the object already read (shared tensors and storages, cycles). Numbers
 * are little-endian (a binary DiskFile on x86-64; "long" is 8 bytes there).
 *
 * <p>Only the classes of the published AdaIN models are accepted ({@link #MODULES}, and tensors/storages of the
 * types in {@link #TENSORS}); anything else is refused with its class name, before any of its contents are read.
 * Storage bytes are skipped, not read: a storage remembers where its elements are and reads them on demand.
 * Recursion depth, object count, string and table sizes are bounded.
 */
final class T7Parser {
    static final int TYPE_NIL = 0;
    static final int TYPE_NUMBER = 1;
    static final int TYPE_STRING = 2;
    static final int TYPE_TABLE = 3;
    static final int TYPE_TORCH = 4;
    static final int TYPE_BOOLEAN = 5;
    static final int TYPE_FUNCTION = 6;
    static final int TYPE_LEGACY_RECUR_FUNCTION = 7;
    static final int TYPE_RECUR_FUNCTION = 8;

    static final int MAX_DEPTH = 64;
    static final int MAX_OBJECTS = 1 << 22;
    static final int MAX_STRING = 1 << 20;
    static final int MAX_NAME = 256;

    /**
     * The nn classes of the authors' vgg_normalised.t7, decoder.t7 and decoder-content-similar.t7, and
     * nn.SpatialConvolutionMM, the same convolution as older nn and loadcaffe wrote it (2-D weights).
     */
    static final Set<String> MODULES = Set.of("nn.Sequential", "nn.SpatialConvolution", "nn.SpatialConvolutionMM",
            "nn.SpatialReflectionPadding", "nn.ReLU", "nn.SpatialMaxPooling", "nn.SpatialUpSamplingNearest");

    /** Tensor classes and their element types; the storage class is the same name with Storage for Tensor. */
    static final Map<String, ElementType> TENSORS = Map.ofEntries(
            Map.entry("torch.FloatTensor", ElementType.FLOAT32), Map.entry("torch.DoubleTensor", ElementType.FLOAT64),
            Map.entry("torch.HalfTensor", ElementType.FLOAT16), Map.entry("torch.LongTensor", ElementType.INT64),
            Map.entry("torch.IntTensor", ElementType.INT32), Map.entry("torch.ShortTensor", ElementType.INT16),
            Map.entry("torch.CharTensor", ElementType.INT8), Map.entry("torch.ByteTensor", ElementType.UINT8),
            Map.entry("torch.CudaTensor", ElementType.FLOAT32),
            Map.entry("torch.CudaDoubleTensor", ElementType.FLOAT64),
            Map.entry("torch.CudaHalfTensor", ElementType.FLOAT16),
            Map.entry("torch.CudaLongTensor", ElementType.INT64), Map.entry("torch.CudaIntTensor", ElementType.INT32),
            Map.entry("torch.CudaShortTensor", ElementType.INT16), Map.entry("torch.CudaCharTensor", ElementType.INT8),
            Map.entry("torch.CudaByteTensor", ElementType.UINT8));

    private static final Pattern VERSION = Pattern.compile("V (\\d{1,6})");

    /** A Lua table. */
    static final class LuaTable extends LinkedHashMap<Object, Object> {
        private static final long serialVersionUID = 1L;
    }

    /** An instance of a Lua torch class (an nn module) and its fields. */
    static final class LuaObject {
        final String className;
        LuaTable fields = new LuaTable();

        LuaObject(String className) {
            this.className = className;
        }
    }

    /** A torch7 tensor: a strided view into a storage (or none, for an empty tensor). */
    static final class T7Tensor {
        final String className;
        long[] size = new long[0];
        long[] stride = new long[0];
        long offset;
        T7Storage storage;

        T7Tensor(String className) {
            this.className = className;
        }

        StoredTensor stored() {
            return new StoredTensor(size, stride, offset, storage);
        }
    }

    /** A torch7 storage: {@code numel} elements of {@code type} at {@code dataStart} in the file. */
    static final class T7Storage extends StoredTensor.FileStorage {
        final String className;

        T7Storage(String className, ElementType type, BinaryInput in) {
            super(in, type, ByteOrder.LITTLE_ENDIAN);
            this.className = className;
        }
    }

    private final BinaryInput in;
    private final String file;
    private final Map<Integer, Object> objects = new HashMap<>();
    private int depth;

    T7Parser(BinaryInput in, String file) {
        this.in = in;
        this.file = file;
    }

    /** Reads one object (the file's root). */
    Object read() {
        in.context("the Torch7 object stream");
        return readObject(new Where(null, "the root object", null));
    }

    private ModelException fail(long at, String what) {
        return new ModelException(file + ": " + what + " (at byte " + at + ")");
    }

    private Object readObject(Where path) {
        long at = in.position();
        int tag = in.i32();
        switch (tag) {
            case TYPE_NIL:
                return null;
            case TYPE_NUMBER:
                return in.f64();
            case TYPE_BOOLEAN:
                return in.i32() == 1;
            case TYPE_STRING:
                return string(at, MAX_STRING);
            case TYPE_TABLE:
            case TYPE_TORCH:
                break;
            case TYPE_FUNCTION:
            case TYPE_LEGACY_RECUR_FUNCTION:
            case TYPE_RECUR_FUNCTION:
                throw fail(at, path + " is a Lua function (compiled bytecode), which is never loaded; the AdaIN "
                        + "models hold none");
            default:
                throw fail(at, path + " has the unknown type tag " + tag + "; the file is not a binary Torch7 file or "
                        + "is corrupt");
        }
        int ref = in.i32();
        if (objects.containsKey(ref)) {
            return objects.get(ref);
        }
        if (objects.size() >= MAX_OBJECTS) {
            throw fail(at, "the file holds more than " + MAX_OBJECTS + " objects; refusing it");
        }
        if (++depth > MAX_DEPTH) {
            throw fail(at, path + " is nested more than " + MAX_DEPTH + " levels deep; refusing it");
        }
        try {
            return tag == TYPE_TABLE ? table(at, ref, path) : torch(at, ref, path);
        } finally {
            depth--;
        }
    }

    private String string(long at, int max) {
        int n = in.i32();
        if (n < 0 || n > max || n > in.remaining()) {
            throw fail(at, "a string declares " + n + " bytes" + (n > in.remaining() ? ", more than the file has left;"
                    + " the file is truncated or corrupt" : "; refusing it"));
        }
        return new String(in.bytes(n), StandardCharsets.UTF_8);
    }

    private LuaTable table(long at, int ref, Where path) {
        LuaTable t = new LuaTable();
        objects.put(ref, t);
        int n = in.i32();
        // every pair takes at least 8 bytes (two type tags)
        if (n < 0 || n > in.remaining() / 8) {
            throw fail(at, path + " is a table of " + n + " entries, more than the file can hold; the file is "
                    + "truncated or corrupt");
        }
        for (int i = 0; i < n; i++) {
            long keyAt = in.position();
            Object k = readObject(new Where(path, " key", null));
            if (!(k instanceof String || k instanceof Double || k instanceof Boolean)) {
                throw fail(keyAt, path + " has a table key that is " + (k == null ? "nil" : "not a string, number "
                        + "or boolean") + "; the AdaIN models use none");
            }
            t.put(k, readObject(new Where(path, ".", k)));
        }
        return t;
    }

    /**
     * Where an object sits ("the root object.modules.[3] storage"), spelled out only for a message: building the
     * string for every object would cost the path's length per object, which a deep file makes large.
     */
    private record Where(Where parent, String part, Object key) {
        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder();
            java.util.ArrayDeque<Where> chain = new java.util.ArrayDeque<>();
            for (Where w = this; w != null; w = w.parent) {
                chain.push(w);
            }
            for (Where w : chain) {
                sb.append(w.part);
                if (w.key != null) {
                    sb.append(keyName(w.key));
                }
            }
            return sb.toString();
        }
    }

    private static String keyName(Object k) {
        if (k instanceof Double d && d == Math.rint(d) && Math.abs(d) < 1e9) {
            return "[" + d.longValue() + "]";
        }
        return SafeText.of(String.valueOf(k), 64);
    }

    private Object torch(long at, int ref, Where path) {
        String version = string(at, MAX_NAME);
        String className;
        Matcher m = VERSION.matcher(version);
        if (m.matches()) {
            className = string(at, MAX_NAME);
        } else {
            className = version; // written before torch7 had class versions
        }
        if (MODULES.contains(className)) {
            LuaObject o = new LuaObject(className);
            objects.put(ref, o);
            long fieldsAt = in.position();
            Object fields = readObject(new Where(path, " (" + className + ")", null));
            if (!(fields instanceof LuaTable t)) {
                throw fail(fieldsAt, path + " (" + className + ") is not followed by its table of fields");
            }
            o.fields = t;
            return o;
        }
        ElementType tensorType = TENSORS.get(className);
        if (tensorType != null) {
            T7Tensor t = new T7Tensor(className);
            objects.put(ref, t);
            tensor(at, t, path);
            return t;
        }
        if (className.endsWith("Storage")) {
            ElementType storageType = TENSORS.get(className.substring(0, className.length() - 7) + "Tensor");
            if (storageType != null) {
                T7Storage s = new T7Storage(className, storageType, in);
                objects.put(ref, s);
                storage(at, s, path);
                return s;
            }
        }
        throw fail(at, "unknown Torch class " + SafeText.quoted(className) + " at " + path + "; only the classes of the published "
                + "AdaIN models are read (" + String.join(", ", new java.util.TreeSet<>(MODULES))
                + ", and float/double/half/integer tensors)"
                + (className.startsWith("cudnn.") ? "; convert the model first: cudnn.convert(model, nn):float()"
                        : ""));
    }

    private void tensor(long at, T7Tensor t, Where path) {
        int dims = in.i32();
        if (dims < 0 || dims > StoredTensor.MAX_DIMS) {
            throw fail(at, path + " (" + t.className + ") has " + dims + " dimensions");
        }
        t.size = new long[dims];
        t.stride = new long[dims];
        for (int i = 0; i < dims; i++) {
            t.size[i] = in.i64();
        }
        for (int i = 0; i < dims; i++) {
            t.stride[i] = in.i64();
        }
        for (int i = 0; i < dims; i++) {
            if (t.size[i] < 0 || t.stride[i] < 0) {
                throw fail(at, path + " (" + t.className + ") has a negative size or stride");
            }
        }
        long offset = in.i64();
        if (offset < 1) {
            throw fail(at, path + " (" + t.className + ") has the storage offset " + offset + " (1-based)");
        }
        t.offset = offset - 1;
        long storageAt = in.position();
        Object s = readObject(new Where(path, " storage", null));
        if (s == null) {
            return;
        }
        String expected = t.className.substring(0, t.className.length() - 6) + "Storage";
        if (!(s instanceof T7Storage st) || !st.className.equals(expected)) {
            throw fail(storageAt, path + " (" + t.className + ") is backed by "
                    + (s instanceof T7Storage st2 ? st2.className : "something that is not a storage")
                    + ", expected a " + expected);
        }
        t.storage = st;
    }

    private void storage(long at, T7Storage s, Where path) {
        long n = in.i64();
        if (n < 0 || n > in.remaining() / s.type.size) {
            throw fail(at, path + " (" + s.className + ") declares " + n + " elements of " + s.type.size
                    + " bytes, more than the " + in.remaining() + " bytes left in the file; the file is truncated "
                    + "or corrupt");
        }
        s.numel = n;
        s.dataStart = in.position();
        in.skip(n * s.type.size);
    }
}
