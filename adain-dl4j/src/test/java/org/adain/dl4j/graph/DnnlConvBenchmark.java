package org.adain.dl4j.graph;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.bytedeco.dnnl.IntMemoryMap;
import org.bytedeco.dnnl.convolution_forward;
import org.bytedeco.dnnl.engine;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.post_ops;
import org.bytedeco.dnnl.primitive_attr;
import org.bytedeco.dnnl.reorder;
import org.bytedeco.dnnl.stream;
import org.bytedeco.dnnl.global.dnnl;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.PointerScope;

/**
 * The bf16 probe's second half: the same 3×3 convolutions as {@link ConvPrecisionBenchmark}, with bias and a fused
 * ReLU post-op, through oneDNN 2.5 called directly (JavaCPP's dnnl preset), in f32, bf16 (bf16 source, weights and
 * destination, f32 bias) and int8 (u8 source, s8 weights with per-channel scales, f32 destination). Not a test.
 * Weights are reordered once to the layout the primitive asks for ({@code any}), as a library holding its own
 * primitives would; the timed call is the convolution alone. Source and destination are NHWC ({@code --formats
 * nhwc}) or whatever blocked layout oneDNN prefers ({@code any}). Run with {@code ONEDNN_VERBOSE=1} to see the
 * kernel per call; each case also prints the implementation oneDNN picked.
 *
 * <pre>
 * OMP_NUM_THREADS=2 java -cp ... org.adain.dl4j.graph.DnnlConvBenchmark --warmup 2 --runs 7
 * </pre>
 *
 * Options: {@code --shapes 64@512,512@64}, {@code --dtypes f32,bf16,int8}, {@code --formats nhwc,any},
 * {@code --warmup 2}, {@code --runs 7}.
 *
 * <p>Errors: {@code err_f32} is max |y − y_f32| / max |y_f32| against this benchmark's own f32 case (same format);
 * {@code err_exact} the same against a double-precision sum at 4096 sampled output points, for every case (so the
 * f32 case is checked too); {@code err_rounded} against the double sum of the inputs rounded to bf16, which leaves
 * what the bf16 kernel itself adds.
 */
public final class DnnlConvBenchmark {
    private static final int SAMPLES = 4096;

    private DnnlConvBenchmark() {
    }

    public static void main(String[] args) {
        Map<String, String> opt = new LinkedHashMap<>(Map.of("shapes", "64@512,512@64", "dtypes", "f32,bf16,int8",
                "formats", "nhwc,any", "warmup", "2", "runs", "7"));
        for (int i = 0; i < args.length; i += 2) {
            if (!args[i].startsWith("--") || i + 1 >= args.length || !opt.containsKey(args[i].substring(2))) {
                throw new IllegalArgumentException("unexpected argument " + args[i] + "; options: " + opt.keySet());
            }
            opt.put(args[i].substring(2), args[i + 1]);
        }
        int warmup = Integer.parseInt(opt.get("warmup"));
        int runs = Integer.parseInt(opt.get("runs"));
        System.out.printf(Locale.ROOT, "bench.info omp_threads=%s onednn=%d.%d.%d load=%s%n",
                System.getenv("OMP_NUM_THREADS"), dnnl.dnnl_version().major(), dnnl.dnnl_version().minor(),
                dnnl.dnnl_version().patch(), ConvBench.loadAverage());
        try (PointerScope scope = new PointerScope()) {
            engine eng = new engine(engine.kind.cpu, 0);
            stream strm = new stream(eng);
            for (String shape : opt.get("shapes").split(",")) {
                String[] cs = shape.split("@");
                int channels = Integer.parseInt(cs[0]);
                int side = Integer.parseInt(cs[1]);
                float[][] in = ConvBench.inputs(channels, side);
                int[] samples = samples(channels, side);
                double[] exact = exact(in, channels, side, samples, false);
                double[] exactRounded = exact(in, channels, side, samples, true);
                for (String format : opt.get("formats").split(",")) {
                    float[] f32 = null;
                    for (String dtype : opt.get("dtypes").split(",")) {
                        float[] out = runCase(eng, strm, in, channels, side, dtype, format, warmup, runs, samples,
                                exact, exactRounded, f32);
                        if (dtype.equals("f32")) {
                            f32 = out;
                        }
                    }
                }
            }
        }
        System.out.printf(Locale.ROOT, "bench.done load=%s%n", ConvBench.loadAverage());
    }

    private static float[] runCase(engine eng, stream strm, float[][] in, int c, int side, String dtype,
            String format, int warmup, int runs, int[] samples, double[] exact, double[] exactRounded,
            float[] f32Out) {
        try (PointerScope scope = new PointerScope()) {
            long[] act = {1, c, side, side};
            long[] wei = {c, c, 3, 3};
            memory.data_type srcType;
            memory.data_type weiType;
            memory.data_type dstType;
            switch (dtype) {
                case "f32" -> {
                    srcType = memory.data_type.f32;
                    weiType = memory.data_type.f32;
                    dstType = memory.data_type.f32;
                }
                case "bf16" -> {
                    srcType = memory.data_type.bf16;
                    weiType = memory.data_type.bf16;
                    dstType = memory.data_type.bf16;
                }
                case "int8" -> {
                    srcType = memory.data_type.u8;
                    weiType = memory.data_type.s8;
                    dstType = memory.data_type.f32;
                }
                default -> throw new IllegalArgumentException("dtype must be f32, bf16 or int8, got " + dtype);
            }
            memory.format_tag actTag = switch (format) {
                case "nhwc" -> memory.format_tag.nhwc;
                case "any" -> memory.format_tag.any;
                default -> throw new IllegalArgumentException("format must be nhwc or any, got " + format);
            };
            // The user's arrays: x NCHW, kernel HWIO, bias; f32. ConvBench.inputs lays them out so.
            memory userSrc = userMemory(eng, act, memory.format_tag.nchw, in[0]);
            memory userWei = userMemory(eng, wei, memory.format_tag.hwio, in[1]);
            memory userBias = userMemory(eng, new long[] {c}, memory.format_tag.a, in[2]);

            // int8: x in [0, 1) → u8 with one scale; weights → s8 with one scale per output channel; the conv's
            // output scales undo both, so the f32 destination is on the f32 conv's scale.
            float srcScale = 255f;
            float[] weiScales = new float[c];
            float[] outScales = new float[c];
            for (int o = 0; o < c; o++) {
                float m = 0;
                for (int k = 0; k < 9 * c; k++) {
                    m = Math.max(m, Math.abs(in[1][k * c + o]));
                }
                weiScales[o] = 127f / m;
                outScales[o] = 1f / (srcScale * weiScales[o]);
            }

            memory.desc srcMd = new memory.desc(act, srcType, actTag);
            memory.desc weiMd = new memory.desc(wei, weiType, memory.format_tag.any);
            memory.desc biasMd = new memory.desc(new long[] {c}, memory.data_type.f32, memory.format_tag.a);
            memory.desc dstMd = new memory.desc(act, dstType, actTag);
            convolution_forward.desc desc = new convolution_forward.desc(dnnl.prop_kind.forward_inference,
                    dnnl.algorithm.convolution_direct, srcMd, weiMd, biasMd, dstMd, new long[] {1, 1},
                    new long[] {1, 1}, new long[] {1, 1});
            primitive_attr attr = new primitive_attr();
            post_ops ops = new post_ops();
            ops.append_eltwise(1f, dnnl.algorithm.eltwise_relu, 0f, 0f);
            attr.set_post_ops(ops);
            if (dtype.equals("int8")) {
                attr.set_output_scales(1 << 1, outScales);
            }
            convolution_forward.primitive_desc pd = new convolution_forward.primitive_desc(desc, attr, eng);
            String impl = pd.impl_info_str().getString();

            memory src = new memory(pd.src_desc(), eng);
            memory weights = new memory(pd.weights_desc(), eng);
            memory bias = new memory(pd.bias_desc(), eng);
            memory dst = new memory(pd.dst_desc(), eng);
            primitive_attr srcAttr = new primitive_attr();
            primitive_attr weiAttr = new primitive_attr();
            if (dtype.equals("int8")) {
                srcAttr.set_output_scales(0, new float[] {srcScale});
                weiAttr.set_output_scales(1, weiScales); // mask bit 0: per output channel (dim 0 of OIHW)
            }
            // Weights and bias once, untimed; the source reorder (f32 NCHW → the conv's type and layout) is timed
            // apart: a pipeline that keeps its maps in bf16 pays it once per image, not per layer.
            new reorder(userWei, weights, weiAttr).execute(strm, userWei, weights);
            new reorder(userBias, bias).execute(strm, userBias, bias);
            reorder srcReorder = new reorder(userSrc, src, srcAttr);
            convolution_forward conv = new convolution_forward(pd);
            IntMemoryMap args = new IntMemoryMap();
            args.put(dnnl.DNNL_ARG_SRC, src);
            args.put(dnnl.DNNL_ARG_WEIGHTS, weights);
            args.put(dnnl.DNNL_ARG_BIAS, bias);
            args.put(dnnl.DNNL_ARG_DST, dst);

            String name = String.format(Locale.ROOT, "%d->%d@%dx%d %s %s", c, c, side, side, format, dtype);
            System.out.printf(Locale.ROOT, "bench.case name=\"%s\" impl=%s src=%s dst=%s%n", name, impl,
                    tag(pd.src_desc()), tag(pd.dst_desc()));
            System.out.flush();
            List<Double> convWall = new ArrayList<>();
            List<Double> convCpu = new ArrayList<>();
            List<Double> reorderWall = new ArrayList<>();
            for (int i = 0; i < warmup + runs; i++) {
                long r0 = System.nanoTime();
                srcReorder.execute(strm, userSrc, src);
                strm._wait();
                long w0 = System.nanoTime();
                long c0 = ConvBench.processCpuNanos();
                conv.execute(strm, args);
                strm._wait();
                long w1 = System.nanoTime();
                long c1 = ConvBench.processCpuNanos();
                if (i >= warmup) {
                    reorderWall.add((w0 - r0) / 1e6);
                    convWall.add((w1 - w0) / 1e6);
                    convCpu.add((c1 - c0) / 1e6);
                }
            }
            memory userDst = new memory(new memory.desc(act, memory.data_type.f32, memory.format_tag.nchw), eng);
            new reorder(dst, userDst).execute(strm, dst, userDst);
            strm._wait();
            float[] out = new float[c * side * side];
            new FloatPointer(userDst.get_data_handle()).capacity(out.length).get(out);

            double scale = ConvBench.maxAbs(out);
            double errExact = sampledError(out, samples, exact, scale);
            double errRounded = sampledError(out, samples, exactRounded, scale);
            double gflop = 2.0 * c * c * 9 * side * side / 1e9;
            double wall = ConvBench.median(convWall);
            System.out.printf(Locale.ROOT, "bench.result name=\"%s\" impl=%s runs=%d conv_wall_ms=%.1f "
                    + "conv_cpu_ms=%.1f gflops=%.0f src_reorder_ms=%.1f err_f32=%s err_exact=%.3g err_rounded=%.3g "
                    + "out_max=%.4g load=%s%n", name, impl, runs, wall, ConvBench.median(convCpu),
                    gflop / (wall / 1e3), ConvBench.median(reorderWall),
                    f32Out == null ? "n/a" : String.format(Locale.ROOT, "%.3g", ConvBench.relError(out, f32Out)),
                    errExact, errRounded, scale, ConvBench.loadAverage());
            System.out.printf(Locale.ROOT, "bench.runs name=\"%s\" conv_wall_ms=%s conv_cpu_ms=%s%n", name,
                    ConvBench.list(convWall), ConvBench.list(convCpu));
            return out;
        }
    }

    private static memory userMemory(engine eng, long[] dims, memory.format_tag tag, float[] data) {
        memory m = new memory(new memory.desc(dims, memory.data_type.f32, tag), eng);
        new FloatPointer(m.get_data_handle()).capacity(data.length).put(data);
        return m;
    }

    /** "nhwc" when the layout is plain NHWC (acdb), else "blocked": what a caller would have to reorder from. */
    private static String tag(memory.desc md) {
        long[] dims = {md.dims().get(0), md.dims().get(1), md.dims().get(2), md.dims().get(3)};
        memory.desc nhwc = new memory.desc(dims, memory.data_type.f32, memory.format_tag.nhwc);
        memory.desc sameTypeNhwc = new memory.desc(dims, dataType(md), memory.format_tag.nhwc);
        return md.equals(sameTypeNhwc) || md.equals(nhwc) ? "nhwc" : "blocked";
    }

    private static memory.data_type dataType(memory.desc md) {
        int dt = md.data().data_type();
        for (memory.data_type t : memory.data_type.values()) {
            if (t.value == dt) {
                return t;
            }
        }
        throw new IllegalStateException("unknown oneDNN data type " + dt);
    }

    /** Flat NCHW indices of output points to check, fixed per shape. */
    private static int[] samples(int c, int side) {
        SplittableRandom rnd = new SplittableRandom(7L * c + side);
        int[] s = new int[SAMPLES];
        for (int i = 0; i < s.length; i++) {
            s[i] = rnd.nextInt(c * side * side);
        }
        return s;
    }

    /** ReLU(bias + 3×3 cross-correlation, zero-padded by 1) at the sampled points, summed in double. */
    private static double[] exact(float[][] in, int c, int side, int[] samples, boolean roundToBf16) {
        float[] x = in[0];
        float[] w = in[1];
        float[] b = in[2];
        double[] out = new double[samples.length];
        for (int s = 0; s < samples.length; s++) {
            int o = samples[s] / (side * side);
            int y = samples[s] / side % side;
            int xx = samples[s] % side;
            double sum = roundToBf16 ? bf16(b[o]) : b[o];
            for (int ky = 0; ky < 3; ky++) {
                int iy = y + ky - 1;
                if (iy < 0 || iy >= side) {
                    continue;
                }
                for (int kx = 0; kx < 3; kx++) {
                    int ix = xx + kx - 1;
                    if (ix < 0 || ix >= side) {
                        continue;
                    }
                    for (int i = 0; i < c; i++) {
                        float xv = x[(i * side + iy) * side + ix];
                        float wv = w[((ky * 3 + kx) * c + i) * c + o];
                        sum += roundToBf16 ? (double) bf16(xv) * bf16(wv) : (double) xv * wv;
                    }
                }
            }
            out[s] = Math.max(0, sum);
        }
        return out;
    }

    /** Round to nearest even bfloat16, as oneDNN's f32 → bf16 conversion does (no NaN or overflow here). */
    private static float bf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        bits += 0x7FFF + ((bits >>> 16) & 1);
        return Float.intBitsToFloat(bits & 0xFFFF0000);
    }

    private static double sampledError(float[] out, int[] samples, double[] exact, double scale) {
        double max = 0;
        for (int s = 0; s < samples.length; s++) {
            double d = Math.abs(out[samples[s]] - exact[s]);
            if (!(d <= max)) {
                max = d;
            }
        }
        return max / scale;
    }
}
