package org.adain.dl4j.graph;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Keeps the float32 intermediates a forward pass frees, by shape, and hands them out again instead of allocating.
 * A fresh native buffer of a large map comes from a new {@code mmap}: every page is faulted in and zeroed, which was
 * a fifth of a 512² stylisation here; a decoder pass with reuse ran 0.82 s instead of 1.05 s, bit-identical. Passes
 * over the same size (a batch, video frames, tiles) then allocate almost nothing.
 *
 * <p>Only what a pass will take again is kept: for each shape, at most as many arrays as were ever taken at once.
 * An array of a shape nobody takes (a pooled map, a layout copy, the style's input when it differs from the content
 * in size) is freed at once; keeping those filled the pool to its bound with arrays no pass would use, which was most
 * of the memory growth the soak benchmark found (docs/BENCHMARKS.md, "Running in a server"). And at most
 * {@code maxBytes} are kept in all; an array given back beyond that is freed, so the memory this holds between passes
 * is bounded. Only dense, c-ordered float32 arrays that own their buffer are kept (anything else is freed as
 * before). An array given back must not be used again by the giver. Not thread-safe: one pool per model, used by one
 * thread at a time, like the model.
 *
 * <pre>{@code
 * try (BufferPool pool = new BufferPool(256L << 20)) {
 *     INDArray y = pool.take(1, 64, 64, 256);   // contents undefined: the op writes every element
 *     ...
 *     pool.give(y);
 * }
 * }</pre>
 */
public final class BufferPool implements AutoCloseable {
    /** Keeps nothing: {@link #take} allocates, {@link #give} frees. Stateless, so shared. */
    public static final BufferPool NONE = new BufferPool(0);

    private final long maxBytes;
    private final Map<List<Long>, ArrayDeque<INDArray>> free = new HashMap<>();
    /** Per shape: {arrays taken and not given back, the most that ever were}. */
    private final Map<List<Long>, int[]> demand = new HashMap<>();
    private long bytes;

    /** @param maxBytes the most memory kept for reuse; 0 keeps nothing */
    public BufferPool(long maxBytes) {
        if (maxBytes < 0) {
            throw new IllegalArgumentException("maxBytes must be ≥ 0, got " + maxBytes);
        }
        this.maxBytes = maxBytes;
    }

    /** A c-ordered float32 array of the shape whose contents are undefined (a kept one, or a new one). */
    public INDArray take(long... shape) {
        if (maxBytes > 0) {
            List<Long> key = key(shape);
            int[] d = demand.computeIfAbsent(key, k -> new int[2]);
            d[0]++;
            d[1] = Math.max(d[1], d[0]);
            ArrayDeque<INDArray> q = free.get(key);
            if (q != null && !q.isEmpty()) {
                INDArray a = q.pop();
                bytes -= sizeOf(a);
                return a;
            }
        }
        return Nd4j.createUninitialized(DataType.FLOAT, shape, 'c');
    }

    /**
     * Takes back arrays the caller is done with: kept for reuse while there is room and fewer of their shape are kept
     * than were ever taken at once, freed otherwise.
     */
    public void give(INDArray... arrays) {
        for (INDArray a : arrays) {
            if (a == null || a.wasClosed()) {
                continue;
            }
            long size = sizeOf(a);
            List<Long> key = maxBytes > 0 ? key(a.shape()) : null;
            int[] d = key == null ? null : demand.get(key);
            if (d != null && d[0] > 0) {
                d[0]--;
            }
            ArrayDeque<INDArray> q = d == null ? null : free.get(key);
            int kept = q == null ? 0 : q.size();
            if (d != null && kept < d[1] && reusable(a) && bytes + size <= maxBytes) {
                free.computeIfAbsent(key, k -> new ArrayDeque<>()).push(a);
                bytes += size;
            } else {
                GraphOps.release(a);
            }
        }
    }

    /** Bytes held for reuse. */
    public long heldBytes() {
        return bytes;
    }

    /** Frees what is kept. The pool stays usable. */
    @Override
    public void close() {
        for (ArrayDeque<INDArray> q : free.values()) {
            q.forEach(GraphOps::release);
        }
        free.clear();
        bytes = 0;
    }

    private static boolean reusable(INDArray a) {
        return a.dataType() == DataType.FLOAT && a.closeable() && !a.isView() && a.ordering() == 'c'
                && a.data().length() == a.length();
    }

    private static long sizeOf(INDArray a) {
        return a.length() * a.dataType().width();
    }

    private static List<Long> key(long[] shape) {
        Long[] boxed = new Long[shape.length];
        for (int i = 0; i < shape.length; i++) {
            boxed[i] = shape[i];
        }
        return List.of(boxed);
    }
}
