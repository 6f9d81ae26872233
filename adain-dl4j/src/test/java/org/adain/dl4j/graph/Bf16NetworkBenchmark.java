package org.adain.dl4j.graph;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.adain.Semantics;
import org.adain.dl4j.TestNets;
import org.adain.dl4j.ops.AdainOps;
import org.adain.spi.DecoderWeights;
import org.adain.spi.EncoderKind;
import org.adain.spi.EncoderWeights;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Whole networks in float32 ({@link VggEncoder}, {@link AdainDecoder} with a {@link BufferPool}, as the model runs
 * them) against bfloat16 ({@link Bf16Encoder}, {@link Bf16Decoder}) on full-size random He-scaled weights
 * (64/128/256/512 channels, {@link TestNets}), in one JVM: the encoder on a 1×3×S×S image and the decoder on
 * 1×512×(S/8)×(S/8) features, S in {@code --sizes}, and a whole stylisation (two encodes, float32 AdaIN, a
 * decode). Prints the medians of wall and process CPU time (all threads,
 * {@link ConvBench#processCpuNanos}), their ratio, and max/mean |bf16 − f32| over the f32 output's range. Not a
 * test; the load average is printed with every row (a shared machine is not quiet).
 *
 * <pre>
 * OMP_NUM_THREADS=2 java -cp ... org.adain.dl4j.graph.Bf16NetworkBenchmark --sizes 256,512,1024 --warmup 1 --runs 5
 * </pre>
 *
 * Options: {@code --sizes 256,512,1024}, {@code --kind KERAS_APPLICATIONS_VGG19|NORMALISED_VGG19},
 * {@code --warmup 1}, {@code --runs 5}.
 */
public final class Bf16NetworkBenchmark {
    private Bf16NetworkBenchmark() {
    }

    public static void main(String[] args) {
        Map<String, String> opt = new LinkedHashMap<>(Map.of("sizes", "256,512,1024", "kind",
                EncoderKind.KERAS_APPLICATIONS_VGG19.name(), "warmup", "1", "runs", "5"));
        for (int i = 0; i < args.length; i += 2) {
            if (!args[i].startsWith("--") || i + 1 >= args.length || !opt.containsKey(args[i].substring(2))) {
                throw new IllegalArgumentException("unexpected argument " + args[i] + "; options: " + opt.keySet());
            }
            opt.put(args[i].substring(2), args[i + 1]);
        }
        EncoderKind kind = EncoderKind.valueOf(opt.get("kind"));
        int warmup = Integer.parseInt(opt.get("warmup"));
        int runs = Integer.parseInt(opt.get("runs"));
        Dnnl.Bf16Support support = Dnnl.bf16Support();
        System.out.printf(Locale.ROOT, "bench.info omp_threads=%s bf16=%s isa=%s kind=%s load=%s%n",
                System.getenv("OMP_NUM_THREADS"), support.level(), support.isa(), kind, ConvBench.loadAverage());
        EncoderWeights ew = TestNets.encoder(kind, 64, 128, 256, 512, 1);
        DecoderWeights dw = TestNets.decoder(64, 128, 256, 512, 2);
        try (BufferPool pool = new BufferPool(2L << 30); VggEncoder f32e = new VggEncoder(ew, pool);
                AdainDecoder f32d = new AdainDecoder(dw, pool); Bf16Encoder bf16e = new Bf16Encoder(ew);
                Bf16Decoder bf16d = new Bf16Decoder(dw)) {
            for (String s : opt.get("sizes").split(",")) {
                int size = Integer.parseInt(s);
                INDArray image = Nd4j.rand(DataType.FLOAT, 1, 3, size, size);
                // features of the scale relu4_1 has on this image, so the decoder sees realistic magnitudes
                INDArray features = f32e.encode(image);
                compare("encoder", size, image, f32e::encode, bf16e::encode, warmup, runs);
                compare("decoder", size, features, f32d::decode, bf16d::decode, warmup, runs);
                // a whole stylisation, AdaIN in float32 between the networks as in Dl4jStyleModel
                INDArray style = Nd4j.rand(DataType.FLOAT, 1, 3, size, size);
                compare("stylise", size, image,
                        c -> stylise(c, style, f32e::encode, f32d::decode),
                        c -> stylise(c, style, bf16e::encode, bf16d::decode), warmup, runs);
                GraphOps.release(image, features, style);
            }
        }
        System.out.printf(Locale.ROOT, "bench.done load=%s%n", ConvBench.loadAverage());
    }

    private static INDArray stylise(INDArray content, INDArray style, UnaryOperator<INDArray> encode,
            UnaryOperator<INDArray> decode) {
        INDArray fc = encode.apply(content);
        INDArray fs = encode.apply(style);
        INDArray t = AdainOps.adain(fc, fs, Semantics.PYTORCH_PORT);
        try {
            return decode.apply(t);
        } finally {
            GraphOps.release(fc, fs, t);
        }
    }

    private static void compare(String net, int size, INDArray in, UnaryOperator<INDArray> f32,
            UnaryOperator<INDArray> bf16, int warmup, int runs) {
        double[] f32Times = time(in, f32, warmup, runs);
        double[] bf16Times = time(in, bf16, warmup, runs);
        INDArray want = f32.apply(in);
        INDArray got = bf16.apply(in);
        double range = want.maxNumber().doubleValue() - want.minNumber().doubleValue();
        INDArray diff = got.sub(want);
        double max = diff.amaxNumber().doubleValue() / range;
        double mean = diff.norm1Number().doubleValue() / diff.length() / range;
        System.out.printf(Locale.ROOT, "bench.result net=%s size=%d input=%s f32_wall_ms=%.1f f32_cpu_ms=%.1f "
                + "bf16_wall_ms=%.1f bf16_cpu_ms=%.1f speedup_wall=%.2f speedup_cpu=%.2f max_diff=%.4f "
                + "mean_diff=%.5f (of the f32 range %.4g) load=%s%n", net, size,
                java.util.Arrays.toString(in.shape()), f32Times[0], f32Times[1], bf16Times[0], bf16Times[1],
                f32Times[0] / bf16Times[0], f32Times[1] / bf16Times[1], max, mean, range, ConvBench.loadAverage());
        GraphOps.release(want, got, diff);
    }

    /** Medians of wall and CPU milliseconds. */
    private static double[] time(INDArray in, UnaryOperator<INDArray> net, int warmup, int runs) {
        List<Double> wall = new ArrayList<>();
        List<Double> cpu = new ArrayList<>();
        for (int i = 0; i < warmup + runs; i++) {
            long w0 = System.nanoTime();
            long c0 = ConvBench.processCpuNanos();
            INDArray out = net.apply(in);
            long w1 = System.nanoTime();
            long c1 = ConvBench.processCpuNanos();
            GraphOps.release(out);
            if (i >= warmup) {
                wall.add((w1 - w0) / 1e6);
                cpu.add((c1 - c0) / 1e6);
            }
        }
        return new double[] {ConvBench.median(wall), ConvBench.median(cpu)};
    }
}
