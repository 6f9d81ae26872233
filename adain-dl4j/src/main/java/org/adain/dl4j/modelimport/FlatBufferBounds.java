package org.adain.dl4j.modelimport;

import com.google.flatbuffers.Table;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.adain.ModelException;
import org.adain.format.SafeText;
import org.nd4j.autodiff.samediff.serde.FlatBuffersMapper;
import org.nd4j.graph.FlatArray;
import org.nd4j.graph.FlatGraph;
import org.nd4j.graph.FlatNode;
import org.nd4j.graph.FlatProperties;
import org.nd4j.graph.FlatVariable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.shape.Shape;

/**
 * Checks a SameDiff FlatBuffers file in plain Java before ND4J imports it. FlatBuffers' Java runtime reads a
 * vector's length from the file and SameDiff allocates arrays of that length (one flipped byte asked for gigabytes:
 * an {@code OutOfMemoryError}), and an array's shape from the file becomes a native allocation. So every table
 * reachable from the root {@link FlatGraph} is visited through its generated accessors: every vector must fit in
 * the file, every {@link FlatArray}'s shape info must describe an array ND4J can read safely (see
 * {@link #array}), and at most {@link #MAX_TABLES} tables are visited (offsets in a corrupt file can form cycles).
 * Strings are bounded by FlatBuffers itself. A refusal names the array by its variable (or node and property), the
 * shape info field and its value; names from the file pass through {@link SafeText}.
 */
final class FlatBufferBounds {
    static final int MAX_TABLES = 1 << 16;
    static final int MAX_RANK = 32;

    /** A vector: its length accessor, its element accessor, and the bytes per element. */
    private record VectorAccess(Method length, Method element, int elementBytes) {
    }

    /** How to visit one generated table class; {@code name} is its {@code name()} accessor, or null. */
    private record Access(List<VectorAccess> vectors, List<Method> tables, Method name) {
    }

    /** ND4J's order chars, the last value of a shape info. */
    private static final long C_ORDER = 'c';
    private static final long F_ORDER = 'f';

    private static final Map<Class<?>, Access> ACCESS = new ConcurrentHashMap<>();

    private FlatBufferBounds() {
    }

    static void check(byte[] bytes, String file) {
        ByteBuffer bb = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int[] visited = {0};
        try {
            visit(FlatGraph.getRootAsFlatGraph(bb), bytes.length, file, "", visited);
        } catch (IndexOutOfBoundsException | IllegalArgumentException e) {
            throw corrupt(file, "an offset points outside the file (" + e.getClass().getSimpleName() + ")");
        }
    }

    private static ModelException corrupt(String file, String what) {
        return new ModelException(file + ": not a readable SameDiff FlatBuffers file (truncated or corrupt: " + what
                + ")");
    }

    /** {@code where} names the nearest named tables around {@code t} ("" at the root), for messages. */
    private static void visit(Table t, int size, String file, String where, int[] visited) {
        if (++visited[0] > MAX_TABLES) {
            throw corrupt(file, "more than " + MAX_TABLES + " tables");
        }
        Access access = ACCESS.computeIfAbsent(t.getClass(), FlatBufferBounds::access);
        if (access.name() != null) {
            String here = kind(t) + " " + SafeText.quoted((String) call(access.name(), t, file));
            where = where.isEmpty() ? here : here + " of " + where;
        }
        for (VectorAccess v : access.vectors()) {
            int n = (int) call(v.length(), t, file);
            if (n < 0 || (long) n * v.elementBytes() > size) {
                throw corrupt(file, v.length().getDeclaringClass().getSimpleName() + "." + v.element().getName()
                        + " claims " + (n & 0xffffffffL) + " elements, more than the " + size + "-byte file holds");
            }
            if (Table.class.isAssignableFrom(v.element().getReturnType())) {
                for (int j = 0; j < n; j++) {
                    Object child = call(v.element(), t, file, j);
                    if (child != null) {
                        visit((Table) child, size, file, where, visited);
                    }
                }
            }
        }
        for (Method m : access.tables()) {
            Object child = call(m, t, file);
            if (child != null) {
                visit((Table) child, size, file, where, visited);
            }
        }
        if (t instanceof FlatArray a) {
            array(a, file, where.isEmpty() ? "an array" : where);
        }
    }

    private static String kind(Table t) {
        if (t instanceof FlatVariable) {
            return "variable";
        }
        if (t instanceof FlatNode) {
            return "node";
        }
        if (t instanceof FlatProperties) {
            return "property";
        }
        return t.getClass().getSimpleName();
    }

    /**
     * The shape info of an array, {@code [rank, size..., stride..., extras, ews, order]}, as ND4J's
     * {@code Nd4j.createFromFlatArray} uses it: it copies {@code product(sizes)} elements out of the buffer and wraps
     * them with the file's strides and order, so a stride that reaches past them makes native code read and write
     * outside the array (a SIGSEGV in the first copy). Checked: rank and length, the data type (string arrays are
     * refused: ND4J reads them through offsets inside the data), every size, the element count against the buffer,
     * every stride (each element inside the array, no two elements in one place), and the order. The extras count
     * only for their "empty" flag, which makes ND4J ignore the buffer and allocate the shape; the element-wise
     * stride is not read by the loader (ND4J computes its own).
     */
    private static void array(FlatArray a, String file, String where) {
        int n = a.shapeLength();
        if (n == 0) {
            // ND4J would read a rank and three more values past the end of the empty vector
            throw corrupt(file, where + ": has no shape info");
        }
        long rank = a.shape(0);
        if (rank < 0 || rank > MAX_RANK) {
            throw corrupt(file, where + ": shape info rank " + rank + " is outside 0.." + MAX_RANK);
        }
        if (n != 2 * rank + 4) {
            throw corrupt(file, where + ": shape info of rank " + rank + " has " + n + " values, not "
                    + (2 * rank + 4));
        }
        long[] info = new long[n];
        for (int i = 0; i < n; i++) {
            info[i] = a.shape(i);
        }
        int r = (int) rank;
        long[] sizes = Arrays.copyOfRange(info, 1, 1 + r);
        long[] strides = Arrays.copyOfRange(info, 1 + r, 1 + 2 * r);
        DataType type;
        try {
            type = FlatBuffersMapper.getDataTypeFromByte(a.dtype());
        } catch (RuntimeException e) {
            throw corrupt(file, where + ": data type " + a.dtype() + " is unknown");
        }
        if (type == DataType.UTF8 || type.width() < 1) {
            throw corrupt(file, where + ": data type " + type + " is refused (a decoder holds numbers only, and ND4J "
                    + "reads strings through offsets stored in the data)");
        }
        long elements = 1;
        for (int i = 0; i < r; i++) {
            if (sizes[i] < 0) {
                throw corrupt(file, where + ": shape info size[" + i + "] is " + sizes[i]);
            }
            try {
                elements = Math.multiplyExact(elements, sizes[i]);
            } catch (ArithmeticException e) {
                throw corrupt(file, where + ": shape info sizes " + Arrays.toString(sizes) + " overflow a long");
            }
        }
        if (Shape.isEmpty(info)) {
            // ND4J ignores the buffer and allocates the shape: only a shape without elements is an empty array
            if (r > 0 && elements != 0) {
                throw corrupt(file, where + ": shape info extras " + info[n - 3] + " mark the array empty, but its "
                        + "sizes " + Arrays.toString(sizes) + " hold " + elements + " elements");
            }
            return;
        }
        long need;
        try {
            need = Math.multiplyExact(elements, type.width());
        } catch (ArithmeticException e) {
            need = -1;
        }
        if (need != a.bufferLength()) {
            throw corrupt(file, where + ": buffer holds " + a.bufferLength() + " bytes, but sizes "
                    + Arrays.toString(sizes) + " of " + type + " need " + (need < 0 ? "more than a long" : need)
                    + " bytes");
        }
        strides(strides, sizes, elements, file, where);
        long order = info[n - 1];
        if (order != C_ORDER && order != F_ORDER) {
            throw corrupt(file, where + ": shape info order " + order + " is neither " + C_ORDER + " ('c') nor "
                    + F_ORDER + " ('f')");
        }
    }

    /**
     * Every element the strides address lies inside the array, and no two share a place. Each dimension of size
     * above 1 must have a stride of at least 1 with {@code (size − 1) × stride} inside the array; then, sorted by
     * stride, they must step 1, then size × stride of the one before (a c, f or permuted dense layout), so that the
     * furthest element, {@code Σ (size − 1) × stride}, is exactly the last one. A dimension of size 1 is never
     * stepped along; its stride only has to be one an ND4J writer could give it (0 up to the element count).
     */
    private static void strides(long[] strides, long[] sizes, long elements, String file, String where) {
        if (elements == 0) {
            return;   // nothing is addressed
        }
        List<Integer> stepped = new ArrayList<>();
        for (int i = 0; i < sizes.length; i++) {
            long s = strides[i];
            if (sizes[i] <= 1) {
                if (s < 0 || s > elements) {
                    throw corrupt(file, where + ": shape info stride[" + i + "] is " + s + " for a dimension of size "
                            + sizes[i] + " (0.." + elements + " expected)");
                }
                continue;
            }
            if (s < 1) {
                throw corrupt(file, where + ": shape info stride[" + i + "] is " + s + " for a dimension of size "
                        + sizes[i] + " (at least 1 expected)");
            }
            long furthest;
            try {
                furthest = Math.multiplyExact(sizes[i] - 1, s);
            } catch (ArithmeticException e) {
                furthest = Long.MAX_VALUE;
            }
            if (furthest >= elements) {
                throw corrupt(file, where + ": shape info stride[" + i + "] is " + s + ": along the dimension of size "
                        + sizes[i] + " it would address " + (furthest == Long.MAX_VALUE
                        ? "an element past the range of a long" : "element " + furthest) + ", but the array has "
                        + elements + " (sizes " + Arrays.toString(sizes) + ")");
            }
            stepped.add(i);
        }
        stepped.sort(Comparator.comparingLong(i -> strides[i]));
        long step = 1;
        for (int i : stepped) {
            if (strides[i] != step) {
                throw corrupt(file, where + ": shape info strides " + Arrays.toString(strides) + " of sizes "
                        + Arrays.toString(sizes) + " make elements overlap or leave gaps (stride[" + i + "] is "
                        + strides[i] + ", " + step + " expected: the smallest stride of a dimension above size 1 is 1, "
                        + "each next one the one before times its size)");
            }
            step *= sizes[i];   // a product of sizes: at most the element count, no overflow
        }
    }

    private static Object call(Method m, Table t, String file, Object... args) {
        try {
            return m.invoke(t, args);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException) {
                throw corrupt(file, m.getName() + ": " + cause.getClass().getSimpleName());
            }
            throw new IllegalStateException("FlatBuffers accessor " + m + " failed", cause);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("FlatBuffers accessor " + m + " is not accessible", e);
        }
    }

    /** The generated accessors: {@code xLength()} with {@code x(int)}, and no-argument {@code x()} tables. */
    private static Access access(Class<?> c) {
        List<VectorAccess> vectors = new ArrayList<>();
        List<Method> tables = new ArrayList<>();
        Method name = null;
        for (Method m : c.getMethods()) {
            if (Modifier.isStatic(m.getModifiers()) || m.getDeclaringClass() != c) {
                continue;
            }
            if (m.getParameterCount() == 0 && m.getName().endsWith("Length") && m.getReturnType() == int.class) {
                String base = m.getName().substring(0, m.getName().length() - "Length".length());
                try {
                    Method element = c.getMethod(base, int.class);
                    vectors.add(new VectorAccess(m, element, bytes(element.getReturnType())));
                } catch (NoSuchMethodException e) {
                    // not a vector accessor
                }
            } else if (m.getParameterCount() == 0 && Table.class.isAssignableFrom(m.getReturnType())) {
                tables.add(m);
            } else if (m.getParameterCount() == 0 && m.getName().equals("name") && m.getReturnType() == String.class) {
                name = m;
            }
        }
        return new Access(List.copyOf(vectors), List.copyOf(tables), name);
    }

    private static int bytes(Class<?> type) {
        if (type == long.class || type == double.class) {
            return 8;
        }
        if (type == int.class || type == float.class) {
            return 4;
        }
        if (type == short.class || type == char.class) {
            return 2;
        }
        if (type == byte.class || type == boolean.class) {
            return 1;
        }
        return 4; // a string or a table: a 4-byte offset
    }
}
