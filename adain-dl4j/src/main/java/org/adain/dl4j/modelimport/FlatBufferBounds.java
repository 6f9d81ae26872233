package org.adain.dl4j.modelimport;

import com.google.flatbuffers.Table;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.adain.ModelException;
import org.nd4j.autodiff.samediff.serde.FlatBuffersMapper;
import org.nd4j.graph.FlatArray;
import org.nd4j.graph.FlatGraph;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Checks a SameDiff FlatBuffers file in plain Java before ND4J imports it. FlatBuffers' Java runtime reads a
 * vector's length from the file and SameDiff allocates arrays of that length (one flipped byte asked for gigabytes:
 * an {@code OutOfMemoryError}), and an array's shape from the file becomes a native allocation. So every table
 * reachable from the root {@link FlatGraph} is visited through its generated accessors: every vector must fit in
 * the file, every {@link FlatArray}'s shape must be well-formed and its elements held by its buffer, and at most
 * {@link #MAX_TABLES} tables are visited (offsets in a corrupt file can form cycles). Strings are bounded by
 * FlatBuffers itself.
 */
final class FlatBufferBounds {
    static final int MAX_TABLES = 1 << 16;
    static final int MAX_RANK = 32;

    /** A vector: its length accessor, its element accessor, and the bytes per element. */
    private record VectorAccess(Method length, Method element, int elementBytes) {
    }

    /** How to visit one generated table class. */
    private record Access(List<VectorAccess> vectors, List<Method> tables) {
    }

    private static final Map<Class<?>, Access> ACCESS = new ConcurrentHashMap<>();

    private FlatBufferBounds() {
    }

    static void check(byte[] bytes, String file) {
        ByteBuffer bb = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int[] visited = {0};
        try {
            visit(FlatGraph.getRootAsFlatGraph(bb), bytes.length, file, visited);
        } catch (IndexOutOfBoundsException | IllegalArgumentException e) {
            throw corrupt(file, "an offset points outside the file (" + e.getClass().getSimpleName() + ")");
        }
    }

    private static ModelException corrupt(String file, String what) {
        return new ModelException(file + ": not a readable SameDiff FlatBuffers file (truncated or corrupt: " + what
                + ")");
    }

    private static void visit(Table t, int size, String file, int[] visited) {
        if (++visited[0] > MAX_TABLES) {
            throw corrupt(file, "more than " + MAX_TABLES + " tables");
        }
        Access access = ACCESS.computeIfAbsent(t.getClass(), FlatBufferBounds::access);
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
                        visit((Table) child, size, file, visited);
                    }
                }
            }
        }
        for (Method m : access.tables()) {
            Object child = call(m, t, file);
            if (child != null) {
                visit((Table) child, size, file, visited);
            }
        }
        if (t instanceof FlatArray a) {
            array(a, file);
        }
    }

    /** The shape info (rank, dims, strides, extras) is well-formed and the buffer holds every element. */
    private static void array(FlatArray a, String file) {
        int n = a.shapeLength();
        if (n == 0) {
            return;
        }
        long rank = a.shape(0);
        if (rank < 0 || rank > MAX_RANK || n < 2 * rank + 4) {
            throw corrupt(file, "an array has shape info of rank " + rank + " in " + n + " values");
        }
        DataType type;
        try {
            type = FlatBuffersMapper.getDataTypeFromByte(a.dtype());
        } catch (RuntimeException e) {
            throw corrupt(file, "an array has the unknown data type " + a.dtype());
        }
        long elements = 1;
        for (int i = 1; i <= rank; i++) {
            long d = a.shape(i);
            if (d < 0) {
                throw corrupt(file, "an array has the dimension " + d);
            }
            try {
                elements = Math.multiplyExact(elements, d);
            } catch (ArithmeticException e) {
                throw corrupt(file, "an array's dimensions overflow");
            }
        }
        int width = Math.max(1, type.width());
        if (elements > a.bufferLength() / width) {
            throw corrupt(file, "an array of " + elements + " " + type + " elements has only " + a.bufferLength()
                    + " bytes of data");
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
            }
        }
        return new Access(List.copyOf(vectors), List.copyOf(tables));
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
