package org.adain.dl4j.graph;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.adain.dl4j.graph.GraphOps.Layout;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * One 3×3 convolution with bias and a following ReLU through {@link GraphOps#conv2d(INDArray, INDArray, INDArray,
 * int, Layout, BufferPool)} (output from a {@link BufferPool}, as in the networks), in float32 and in bfloat16 (input, kernel and bias cast), NCHW and NHWC: the bf16 probe
 * of docs/BENCHMARKS.md. Not a test. Run it with {@code DNNL_VERBOSE=1} to see which oneDNN kernel (if any) each
 * case runs; a {@code bench.case} line is printed before each case's calls, and a {@code bench.reference} line before
 * the untimed float32 reference convolutions, so the verbose lines can be told apart.
 *
 * <pre>
 * OMP_NUM_THREADS=2 java -cp ... org.adain.dl4j.graph.ConvPrecisionBenchmark --warmup 1 --runs 5
 * OMP_NUM_THREADS=2 DNNL_VERBOSE=1 java -cp ... org.adain.dl4j.graph.ConvPrecisionBenchmark --warmup 0 --runs 1
 * </pre>
 *
 * Options: {@code --shapes 64@512,512@64} (channels@side, in = out channels, batch 1), {@code --layouts NCHW,NHWC},
 * {@code --dtypes FLOAT,BFLOAT16}, {@code --warmup 1}, {@code --runs 5}.
 *
 * <p>Prints {@code bench.*} key=value lines: per case the medians of wall and process CPU time (all threads, so
 * oneDNN's OpenMP workers count) for the conv with bias and for the ReLU, and the error of the output against the
 * float32 result of the same layout: {@code err_f32} is max |y − y_f32| / max |y_f32|, {@code err_rounded} the same
 * against float32 run on the bf16-rounded inputs, which leaves only what the kernel itself adds (accumulation and
 * output rounding). A fast case that computes garbage shows there.
 */
public final class ConvPrecisionBenchmark {
    private ConvPrecisionBenchmark() {
    }

    public static void main(String[] args) {
        Map<String, String> opt = new LinkedHashMap<>(Map.of("shapes", "64@512,512@64", "layouts", "NCHW,NHWC",
                "dtypes", "FLOAT,BFLOAT16", "warmup", "1", "runs", "5"));
        for (int i = 0; i < args.length; i += 2) {
            if (!args[i].startsWith("--") || i + 1 >= args.length || !opt.containsKey(args[i].substring(2))) {
                throw new IllegalArgumentException("unexpected argument " + args[i] + "; options: " + opt.keySet());
            }
            opt.put(args[i].substring(2), args[i + 1]);
        }
        int warmup = Integer.parseInt(opt.get("warmup"));
        int runs = Integer.parseInt(opt.get("runs"));
        System.out.printf(Locale.ROOT, "bench.info omp_threads=%s backend=%s load=%s%n",
                System.getenv("OMP_NUM_THREADS"), Nd4j.getBackend().getClass().getSimpleName(),
                ConvBench.loadAverage());
        for (String shape : opt.get("shapes").split(",")) {
            String[] cs = shape.split("@");
            int channels = Integer.parseInt(cs[0]);
            int side = Integer.parseInt(cs[1]);
            runShape(channels, side, opt.get("layouts").split(","), opt.get("dtypes").split(","), warmup, runs);
        }
        System.out.printf(Locale.ROOT, "bench.done load=%s%n", ConvBench.loadAverage());
    }

    private static void runShape(int channels, int side, String[] layouts, String[] dtypes, int warmup, int runs) {
        float[][] in = ConvBench.inputs(channels, side);
        INDArray xNchw = Nd4j.create(in[0], new long[] {1, channels, side, side}, DataType.FLOAT);
        INDArray kernel = Nd4j.create(in[1], new long[] {3, 3, channels, channels}, DataType.FLOAT);
        INDArray bias = Nd4j.create(in[2], new long[] {channels}, DataType.FLOAT);
        for (String layoutName : layouts) {
            Layout layout = Layout.valueOf(layoutName);
            INDArray x = GraphOps.toLayout(xNchw, Layout.NCHW, layout);
            // Untimed float32 reference of this layout, so a bf16-only run still reports its error. The marker line
            // keeps its verbose lines apart from the cases'.
            System.out.printf(Locale.ROOT, "bench.reference layout=%s%n", layout);
            System.out.flush();
            float[] reference = roundedReference(x, kernel, bias, layout, DataType.FLOAT);
            float[] referenceRounded = null;
            for (String dtypeName : dtypes) {
                DataType dtype = DataType.valueOf(dtypeName);
                INDArray xd = x.castTo(dtype);
                INDArray kd = kernel.castTo(dtype);
                INDArray bd = bias.castTo(dtype);
                String name = String.format(Locale.ROOT, "%d->%d@%dx%d %s %s", channels, channels, side, side, layout,
                        dtype);
                System.out.printf(Locale.ROOT, "bench.case name=\"%s\" input=%s%n", name, Arrays.toString(xd.shape()));
                System.out.flush();
                List<Double> convWall = new ArrayList<>();
                List<Double> convCpu = new ArrayList<>();
                List<Double> reluWall = new ArrayList<>();
                List<Double> reluCpu = new ArrayList<>();
                float[] out = null;
                // The outputs come from a pool, as in the library's networks: a fresh 64 MiB ND4J array costs about
                // 200 ms here (page faults and zeroing), four times the 64->64@512² conv itself. BufferPool keeps
                // float32 arrays only, so the bf16 case allocates each time (a second's fraction of its run).
                BufferPool pool = new BufferPool(1L << 30);
                for (int i = 0; i < warmup + runs; i++) {
                    long w0 = System.nanoTime();
                    long c0 = ConvBench.processCpuNanos();
                    INDArray y = GraphOps.conv2d(xd, kd, bd, 1, layout, pool);
                    long w1 = System.nanoTime();
                    long c1 = ConvBench.processCpuNanos();
                    Transforms.relu(y, false);
                    long w2 = System.nanoTime();
                    long c2 = ConvBench.processCpuNanos();
                    if (i >= warmup) {
                        convWall.add((w1 - w0) / 1e6);
                        convCpu.add((c1 - c0) / 1e6);
                        reluWall.add((w2 - w1) / 1e6);
                        reluCpu.add((c2 - c1) / 1e6);
                    }
                    if (i == warmup + runs - 1) {
                        out = floats(y);
                    }
                    pool.give(y);
                }
                pool.close();
                if (dtype != DataType.FLOAT && referenceRounded == null) {
                    System.out.printf(Locale.ROOT, "bench.reference layout=%s rounded_to=%s%n", layout, dtype);
                    System.out.flush();
                    referenceRounded = roundedReference(x, kernel, bias, layout, dtype);
                }
                System.out.printf(Locale.ROOT, "bench.result name=\"%s\" runs=%d conv_wall_ms=%.1f conv_cpu_ms=%.1f "
                        + "relu_wall_ms=%.1f relu_cpu_ms=%.1f err_f32=%s err_rounded=%s out_max=%.4g load=%s%n",
                        name, runs, ConvBench.median(convWall), ConvBench.median(convCpu),
                        ConvBench.median(reluWall), ConvBench.median(reluCpu),
                        String.format(Locale.ROOT, "%.3g", ConvBench.relError(out, reference)),
                        dtype == DataType.FLOAT ? "n/a"
                                : String.format(Locale.ROOT, "%.3g", ConvBench.relError(out, referenceRounded)),
                        ConvBench.maxAbs(out), ConvBench.loadAverage());
                System.out.printf(Locale.ROOT, "bench.runs name=\"%s\" conv_wall_ms=%s conv_cpu_ms=%s%n", name,
                        ConvBench.list(convWall), ConvBench.list(convCpu));
                // castTo returns the array itself when the type already matches
                if (dtype != DataType.FLOAT) {
                    GraphOps.release(xd, kd, bd);
                }
            }
            x.close();
        }
        GraphOps.release(xNchw, kernel, bias);
    }

    /**
     * Float32 conv + ReLU on the inputs rounded to {@code dtype} and back: what an exact kernel would output (for
     * FLOAT, the float32 result itself).
     */
    private static float[] roundedReference(INDArray x, INDArray kernel, INDArray bias, Layout layout,
            DataType dtype) {
        INDArray xr = rounded(x, dtype);
        INDArray kr = rounded(kernel, dtype);
        INDArray br = rounded(bias, dtype);
        INDArray y = Transforms.relu(GraphOps.conv2d(xr, kr, br, 1, layout, BufferPool.NONE), false);
        float[] out = floats(y);
        GraphOps.release(xr, kr, br, y);
        return out;
    }

    /** A float32 copy of {@code a} rounded to {@code dtype} (a plain copy for FLOAT). */
    private static INDArray rounded(INDArray a, DataType dtype) {
        if (dtype == DataType.FLOAT) {
            return a.dup();
        }
        INDArray narrow = a.castTo(dtype);
        INDArray back = narrow.castTo(DataType.FLOAT);
        narrow.close();
        return back;
    }

    private static float[] floats(INDArray y) {
        INDArray f = y.dataType() == DataType.FLOAT ? y : y.castTo(DataType.FLOAT);
        float[] out = f.data().asFloat();
        if (f != y) {
            f.close();
        }
        return out;
    }
}
