package org.adain.dl4j.graph;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.adain.spi.ConvLayer;
import org.bytedeco.dnnl.IntMemoryMap;
import org.bytedeco.dnnl.convolution_forward;
import org.bytedeco.dnnl.engine;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.pooling_forward;
import org.bytedeco.dnnl.post_ops;
import org.bytedeco.dnnl.primitive;
import org.bytedeco.dnnl.primitive_attr;
import org.bytedeco.dnnl.reorder;
import org.bytedeco.dnnl.stream;
import org.bytedeco.dnnl.global.dnnl;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.javacpp.ShortPointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A chain of bf16 NHWC steps on oneDNN (convolution with bias and fused ReLU, 2×2 max-pooling, reflection padding,
 * nearest ×2 upsampling into a padded map), run from a float32 NCHW INDArray to a float32 NCHW INDArray: the engine
 * under {@link Bf16Encoder} and {@link Bf16Decoder}.
 *
 * <ul>
 *   <li>Weights are reordered once, at construction, to bf16 in the layout the convolution asks for
 *   ({@code format_tag::any}); biases stay float32.</li>
 *   <li>The input is reordered once to bf16 NHWC; every map after that stays bf16 NHWC; the last step may write
 *   float32, which one reorder turns into the NCHW output.</li>
 *   <li>Primitives are built per input shape and kept for the {@code maxShapes} shapes used last; an evicted shape's
 *   primitives are freed at once.</li>
 *   <li>Every map lives in one of two native buffers (a step reads one and writes the other), kept across calls (up
 *   to {@code keepBytes}) and grown when a larger shape comes: no allocation per call once a size was seen.</li>
 * </ul>
 * All native memory is freed by {@link #close()}; nothing waits for the GC. Not thread-safe.
 */
final class Bf16Chain implements AutoCloseable {
    /** One step, on NCHW-ordered dims {@code [n, c, h, w]} of NHWC maps. */
    sealed interface Step permits Conv, Pad, Pool {
    }

    /** Convolution with layer {@code layer}'s weights, zero-padded by {@code zeroPad}; float32 out if {@code f32Out}. */
    record Conv(int layer, int zeroPad, boolean relu, boolean f32Out) implements Step {
    }

    /** Reflection padding of 1 on every side, after nearest ×2 upsampling when {@code upsample}. */
    record Pad(boolean upsample) implements Step {
    }

    /** 2×2/2 max-pooling, ceil mode (PyTorch {@code ceil_mode=True}) or floor mode. */
    record Pool(boolean ceil) implements Step {
    }

    private final List<ConvLayer> layers;
    private final List<Step> steps;
    private final int maxShapes;
    private final long keepBytes;
    private final engine eng;
    private final stream strm;
    /** Per layer: bf16 weights in the layout a representative primitive asked for, and the float32 bias. */
    private final memory[] weights;
    private final memory[] biases;
    private final Natives owned = new Natives();
    private final LinkedHashMap<List<Long>, Plan> plans;
    /** The two buffers every map lives in, and their size in bytes (0: none yet). */
    private memory[] arena;
    private long arenaBytes;
    private long plansBuilt;
    private boolean closed;

    /**
     * @param maxShapes input shapes whose primitives are kept
     * @param keepBytes the most the two map buffers may hold between calls; larger ones are freed after the call
     */
    Bf16Chain(List<ConvLayer> layers, List<Step> steps, int maxShapes, long keepBytes) {
        this.layers = List.copyOf(layers);
        this.steps = List.copyOf(steps);
        if (maxShapes < 1) {
            throw new IllegalArgumentException("maxShapes must be ≥ 1, got " + maxShapes);
        }
        this.maxShapes = maxShapes;
        if (keepBytes < 0) {
            throw new IllegalArgumentException("keepBytes must be ≥ 0, got " + keepBytes);
        }
        this.keepBytes = keepBytes;
        Dnnl.requireBf16();
        this.plans = new LinkedHashMap<>(16, 0.75f, true);
        this.weights = new memory[layers.size()];
        this.biases = new memory[layers.size()];
        try (PointerScope scope = new PointerScope()) {
            this.eng = owned.keep(new engine(engine.kind.cpu, 0));
            this.strm = owned.keep(new stream(eng));
            for (Step s : steps) {
                if (s instanceof Conv c && weights[c.layer()] == null) {
                    convertWeights(c);
                }
            }
            strm._wait();
        } catch (RuntimeException | Error e) {
            owned.close();
            throw e;
        }
    }

    /**
     * Reorders a layer's OIHW float32 kernel to bf16 in the layout a 1×C×32×32 convolution asks for (a shape that wants
     * another layout gets its own copy, {@link Plan}). Called inside a {@link PointerScope}.
     */
    private void convertWeights(Conv c) {
        ConvLayer l = layers.get(c.layer());
        long[] oihw = {l.outChannels(), l.inChannels(), l.kernelHeight(), l.kernelWidth()};
        convolution_forward.primitive_desc pd = convDesc(c, new long[] {1, l.inChannels(), 32, 32});
        memory user = new memory(new memory.desc(oihw, memory.data_type.f32, memory.format_tag.oihw), eng);
        new FloatPointer(user.get_data_handle()).capacity(l.kernelOihw().length).put(l.kernelOihw());
        memory w = owned.keep(new memory(pd.weights_desc(), eng));
        new reorder(user, w).execute(strm, user, w);
        weights[c.layer()] = w;
        memory b = owned.keep(new memory(new memory.desc(new long[] {l.outChannels()}, memory.data_type.f32,
                memory.format_tag.a), eng));
        new FloatPointer(b.get_data_handle()).capacity(l.bias().length).put(l.bias());
        biases[c.layer()] = b;
    }

    /** The convolution descriptor of a step for a bf16 NHWC input of {@code in} (weights: any layout). */
    private convolution_forward.primitive_desc convDesc(Conv c, long[] in) {
        ConvLayer l = layers.get(c.layer());
        long[] out = convOut(c, in);
        memory.desc src = nhwc(in, memory.data_type.bf16);
        memory.desc wei = new memory.desc(new long[] {l.outChannels(), l.inChannels(), l.kernelHeight(),
                l.kernelWidth()}, memory.data_type.bf16, memory.format_tag.any);
        memory.desc bias = new memory.desc(new long[] {l.outChannels()}, memory.data_type.f32, memory.format_tag.a);
        memory.desc dst = nhwc(out, c.f32Out() ? memory.data_type.f32 : memory.data_type.bf16);
        long[] pad = {c.zeroPad(), c.zeroPad()};
        convolution_forward.desc desc = new convolution_forward.desc(dnnl.prop_kind.forward_inference,
                dnnl.algorithm.convolution_direct, src, wei, bias, dst, new long[] {1, 1}, pad, pad);
        primitive_attr attr = new primitive_attr();
        if (c.relu()) {
            post_ops ops = new post_ops();
            ops.append_eltwise(1f, dnnl.algorithm.eltwise_relu, 0f, 0f);
            attr.set_post_ops(ops);
        }
        try {
            return new convolution_forward.primitive_desc(desc, attr, eng);
        } catch (RuntimeException e) {
            throw new IllegalStateException("oneDNN has no bf16 convolution for layer '" + l.name() + "' on input "
                    + Arrays.toString(in) + " (NCHW dims of an NHWC map; " + Dnnl.bf16Support().message() + "): "
                    + e.getMessage(), e);
        }
    }

    private long[] convOut(Conv c, long[] in) {
        ConvLayer l = layers.get(c.layer());
        return new long[] {in[0], l.outChannels(), in[2] + 2L * c.zeroPad() - l.kernelHeight() + 1,
                in[3] + 2L * c.zeroPad() - l.kernelWidth() + 1};
    }

    private static memory.desc nhwc(long[] dims, memory.data_type type) {
        return new memory.desc(dims, type, memory.format_tag.nhwc);
    }

    /**
     * Runs the chain on a float32 NCHW input whose channels the first step takes (the caller validated its shape) and
     * returns a new float32 NCHW array the caller owns. The input is not modified.
     */
    INDArray run(INDArray input) {
        requireOpen();
        INDArray x = dense(input);
        try {
            Plan plan = plan(x.shape());
            ensureArena(plan.maxBytes);
            INDArray out = Nd4j.createUninitialized(DataType.FLOAT, plan.outShape, 'c');
            try {
                plan.execute(x, out);
            } catch (RuntimeException | Error e) {
                GraphOps.release(out);
                throw e;
            }
            return out;
        } finally {
            if (x != input) {
                GraphOps.release(x);
            }
            if (bufferBytes() > keepBytes) {
                releaseBuffers(); // a size beyond the budget: its buffers are not kept for the next call
            }
        }
    }

    void requireOpen() {
        if (closed) {
            throw new IllegalStateException("This bf16 network was closed");
        }
    }

    /** The input itself when oneDNN can read its buffer as dense float32 NCHW, else a dense copy. */
    private static INDArray dense(INDArray x) {
        boolean ok = x.dataType() == DataType.FLOAT && x.ordering() == 'c' && x.offset() == 0
                && Shape.hasDefaultStridesForShape(x) && x.data().length() == x.length();
        return ok ? x : x.castTo(DataType.FLOAT).dup('c');
    }

    /** The shapes whose primitives are kept, least recently used first. */
    List<List<Long>> cachedShapes() {
        return List.copyOf(plans.keySet());
    }

    /** How many shapes' primitives were built since construction (a cache miss builds one). */
    long plansBuilt() {
        return plansBuilt;
    }

    /** Bytes of the two map buffers kept between calls. */
    long bufferBytes() {
        return 2 * arenaBytes;
    }

    /** Frees the map buffers (the next call allocates them again); the primitives stay. */
    void releaseBuffers() {
        if (arena != null) {
            for (memory m : arena) {
                owned.free(m);
            }
            arena = null;
            arenaBytes = 0;
        }
    }

    private Plan plan(long[] shape) {
        List<Long> key = Arrays.stream(shape).boxed().toList();
        Plan p = plans.get(key);
        if (p != null) {
            return p;
        }
        p = new Plan(shape);
        plansBuilt++;
        plans.put(key, p);
        if (plans.size() > maxShapes) {
            Map.Entry<List<Long>, Plan> eldest = plans.entrySet().iterator().next();
            plans.remove(eldest.getKey());
            eldest.getValue().close();
        }
        return p;
    }

    private void ensureArena(long bytes) {
        if (bytes <= arenaBytes) {
            return;
        }
        releaseBuffers();
        try (PointerScope scope = new PointerScope()) {
            memory.desc d = new memory.desc(new long[] {bytes}, memory.data_type.u8, memory.format_tag.a);
            memory a = owned.keep(new memory(d, eng));
            memory b;
            try {
                b = owned.keep(new memory(d, eng));
            } catch (RuntimeException | Error e) {
                owned.free(a);
                throw e;
            }
            arena = new memory[] {a, b};
            arenaBytes = bytes;
        }
    }

    /** Frees the primitives, weights and buffers. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        plans.values().forEach(Plan::close);
        plans.clear();
        arena = null;
        owned.close();
    }

    /** One input shape's primitives and map descriptors. */
    private final class Plan implements AutoCloseable {
        private final Natives natives = new Natives();
        private final long[] outShape;
        /** Bytes of the largest map: what each arena buffer must hold. */
        private final long maxBytes;
        /** Map i (0: the converted input) lives in arena buffer i % 2. */
        private final List<memory> maps = new ArrayList<>();
        private final List<long[]> dims = new ArrayList<>();
        private final List<Runnable> ops = new ArrayList<>();
        private final memory userIn;
        private final memory userOut;
        private final List<IntMemoryMap> args = new ArrayList<>();

        Plan(long[] inShape) {
            try (PointerScope scope = new PointerScope()) {
                userIn = natives.keep(new memory(new memory.desc(inShape, memory.data_type.f32,
                        memory.format_tag.nchw), eng, null));
                long[] cur = inShape.clone();
                memory.data_type curType = memory.data_type.bf16;
                addMap(nhwc(cur, curType), cur);
                primitive toBf16 = natives.keep(new reorder(userIn, maps.get(0)));
                IntMemoryMap first = reorderArgs(userIn, maps.get(0));
                ops.add(() -> toBf16.execute(strm, first));
                for (Step s : steps) {
                    if (curType != memory.data_type.bf16) {
                        throw new IllegalStateException("A float32 map must be the last: " + steps);
                    }
                    int src = maps.size() - 1;
                    if (s instanceof Conv c) {
                        convolution_forward.primitive_desc pd = convDesc(c, cur);
                        memory w = weights[c.layer()];
                        if (!pd.weights_desc().equals(w.get_desc())) {
                            // this shape wants another weight layout than the representative one: a copy of its own
                            memory own = natives.keep(new memory(pd.weights_desc(), eng));
                            new reorder(w, own).execute(strm, w, own);
                            strm._wait();
                            w = own;
                        }
                        cur = convOut(c, cur);
                        curType = c.f32Out() ? memory.data_type.f32 : memory.data_type.bf16;
                        addMap(pd.dst_desc(), cur);
                        primitive conv = natives.keep(new convolution_forward(pd));
                        IntMemoryMap a = keepArgs(new IntMemoryMap());
                        a.put(dnnl.DNNL_ARG_SRC, maps.get(src));
                        a.put(dnnl.DNNL_ARG_WEIGHTS, w);
                        a.put(dnnl.DNNL_ARG_BIAS, biases[c.layer()]);
                        a.put(dnnl.DNNL_ARG_DST, maps.get(src + 1));
                        ops.add(() -> conv.execute(strm, a));
                    } else if (s instanceof Pool p) {
                        long oh = p.ceil() ? (cur[2] + 1) / 2 : cur[2] / 2;
                        long ow = p.ceil() ? (cur[3] + 1) / 2 : cur[3] / 2;
                        long[] out = {cur[0], cur[1], oh, ow};
                        // ceil mode: one padded row/column at the bottom/right; oneDNN's max ignores padding, and
                        // the maps are ReLU outputs (≥ 0) anyway
                        long[] padR = p.ceil() ? new long[] {2 * oh - cur[2], 2 * ow - cur[3]} : new long[] {0, 0};
                        pooling_forward.desc desc = new pooling_forward.desc(dnnl.prop_kind.forward_inference,
                                dnnl.algorithm.pooling_max, nhwc(cur, curType), nhwc(out, curType),
                                new long[] {2, 2}, new long[] {2, 2}, new long[] {0, 0}, padR);
                        pooling_forward.primitive_desc pd = new pooling_forward.primitive_desc(desc, eng);
                        cur = out;
                        addMap(pd.dst_desc(), cur);
                        primitive pool = natives.keep(new pooling_forward(pd));
                        IntMemoryMap a = keepArgs(new IntMemoryMap());
                        a.put(dnnl.DNNL_ARG_SRC, maps.get(src));
                        a.put(dnnl.DNNL_ARG_DST, maps.get(src + 1));
                        ops.add(() -> pool.execute(strm, a));
                    } else if (s instanceof Pad p) {
                        long[] in = cur;
                        int f = p.upsample() ? 2 : 1;
                        cur = new long[] {in[0], in[1], f * in[2] + 2, f * in[3] + 2};
                        addMap(nhwc(cur, curType), cur);
                        ops.add(() -> {
                            strm._wait(); // the Java copy reads what the previous primitive wrote
                            Bf16Ops.reflectPad1(buffer(src), buffer(src + 1), in, p.upsample());
                        });
                    }
                }
                outShape = cur;
                userOut = natives.keep(new memory(new memory.desc(outShape, memory.data_type.f32,
                        memory.format_tag.nchw), eng, null));
                int last = maps.size() - 1;
                primitive toNchw = natives.keep(new reorder(maps.get(last), userOut));
                IntMemoryMap lastArgs = reorderArgs(maps.get(last), userOut);
                ops.add(() -> toNchw.execute(strm, lastArgs));
                long max = 0;
                for (memory m : maps) {
                    max = Math.max(max, m.get_desc().get_size());
                }
                maxBytes = max;
            } catch (RuntimeException | Error e) {
                natives.close();
                throw e;
            }
        }

        private void addMap(memory.desc desc, long[] d) {
            maps.add(natives.keep(new memory(desc, eng, null)));
            dims.add(d.clone());
        }

        private IntMemoryMap reorderArgs(memory from, memory to) {
            IntMemoryMap a = keepArgs(new IntMemoryMap());
            a.put(dnnl.DNNL_ARG_FROM, from);
            a.put(dnnl.DNNL_ARG_TO, to);
            return a;
        }

        private IntMemoryMap keepArgs(IntMemoryMap a) {
            args.add(natives.keep(a));
            return a;
        }

        private ShortPointer buffer(int map) {
            return new ShortPointer(arena[map % 2].get_data_handle());
        }

        void execute(INDArray in, INDArray out) {
            try (PointerScope scope = new PointerScope()) {
                userIn.set_data_handle(in.data().addressPointer());
                userOut.set_data_handle(out.data().addressPointer());
                for (int i = 0; i < maps.size(); i++) {
                    maps.get(i).set_data_handle(arena[i % 2].get_data_handle());
                }
                for (Runnable op : ops) {
                    op.run();
                }
                strm._wait();
            } finally {
                // never leave a handle to the caller's arrays behind
                userIn.set_data_handle(null);
                userOut.set_data_handle(null);
            }
        }

        @Override
        public void close() {
            natives.close();
        }
    }

    /** Native objects freed together, last made first, without the GC. */
    static final class Natives implements AutoCloseable {
        private final List<Pointer> pointers = new ArrayList<>();

        /** Takes {@code p} out of the current {@link PointerScope} (if any) and frees it in {@link #close()}. */
        <P extends Pointer> P keep(P p) {
            Objects.requireNonNull(p);
            PointerScope scope = PointerScope.getInnerScope();
            if (scope != null) {
                // detach() drops the reference attach() took, which would free p now: take one of our own first
                p.retainReference();
                scope.detach(p);
            }
            pointers.add(p);
            return p;
        }

        /** Frees one kept pointer now. */
        void free(Pointer p) {
            if (pointers.remove(p)) {
                p.deallocate();
            }
        }

        @Override
        public void close() {
            for (int i = pointers.size() - 1; i >= 0; i--) {
                pointers.get(i).deallocate(); // at once, whatever the reference count
            }
            pointers.clear();
        }
    }
}
