package org.adain.onnxruntime;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.adain.format.WeightFormats;
import org.adain.onnxruntime.graph.AdainGraphs;
import org.adain.onnxruntime.graph.AdainGraphs.Padding;
import org.adain.spi.DecoderWeights;
import org.adain.spi.EncoderWeights;

/**
 * Not a test: the encoder (512×512 image → relu4_1) and the decoder (1×512×64×64 → 512×512) as ORT sessions with the
 * reflection padding as {@code Pad} or as Slice + Concat ({@link Padding}), medians of the timed runs, same settings
 * as the backend (arena, ALL_OPT). Full-size weights from bench/make_full_weights.py:
 *
 * <pre>
 * java -Dthreads=2 -cp ... org.adain.onnxruntime.NetworkBenchmark /tmp/adain-bench/encoder_tf2.h5 /tmp/adain-bench/decoder_tf2.h5
 * </pre>
 */
public final class NetworkBenchmark {
    private NetworkBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        ClassLoader loader = NetworkBenchmark.class.getClassLoader();
        EncoderWeights enc = WeightFormats.readEncoder(Path.of(args[0]), loader);
        DecoderWeights dec = WeightFormats.readDecoder(Path.of(args[1]), loader);
        int runs = Integer.getInteger("runs", 5);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        float[] image = new float[3 * 512 * 512];
        for (int i = 0; i < image.length; i++) {
            image[i] = (i * 17 % 256) / 255f;
        }
        float[] features = new float[512 * 64 * 64];
        for (int i = 0; i < features.length; i++) {
            features[i] = (i * 31 % 97) / 40f;
        }
        for (Padding p : Padding.values()) {
            double e = time(env, AdainGraphs.encoder(enc, p), AdainGraphs.IMAGES, image, new long[] {1, 3, 512, 512},
                    "relu4_1", runs);
            double d = time(env, AdainGraphs.decoder(dec, p), AdainGraphs.FEATURES, features,
                    new long[] {1, 512, 64, 64}, AdainGraphs.IMAGE, runs);
            System.out.printf(Locale.ROOT, "padding %-12s encoder 512px %.3f s, decoder 64x64x512 %.3f s (medians of %d; "
                    + "load %s)%n", p, e, d, runs, Files.readString(Path.of("/proc/loadavg")).trim());
        }
    }

    private static double time(OrtEnvironment env, byte[] model, String input, float[] x, long[] shape, String output,
            int runs) throws Exception {
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
            o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            o.setCPUArenaAllocator(true);
            o.setIntraOpNumThreads(Integer.getInteger("threads", 2));
            try (OrtSession s = env.createSession(model, o)) {
                double[] t = new double[runs + 1];
                for (int i = 0; i <= runs; i++) {
                    long t0 = System.nanoTime();
                    try (OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), shape);
                            OrtSession.Result r = s.run(Map.of(input, in), Set.of(output))) {
                        r.get(output).orElseThrow();
                    }
                    t[i] = (System.nanoTime() - t0) / 1e9;
                }
                double[] timed = Arrays.copyOfRange(t, 1, t.length); // the first run is a warm-up
                Arrays.sort(timed);
                return timed[timed.length / 2];
            }
        }
    }
}
