package org.adain.train;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import org.adain.spi.ConvLayer;
import org.adain.spi.DecoderWeights;
import org.adain.spi.EncoderWeights;

/** A fresh decoder for an encoder, and fingerprints of weights. */
final class DecoderInit {
    private DecoderInit() {
    }

    /**
     * The decoder that mirrors {@code encoder} (SEMANTICS §7): decoder conv k undoes encoder conv 8 − k, so it
     * maps that conv's output channels to its input channels (for the real VGG-19: 512→256, 256→256 ×3, 256→128,
     * 128→128, 128→64, 64→64, 64→3). Weights and biases are drawn as PyTorch's default {@code Conv2d} init does
     * (kaiming-uniform with a = √5, i.e. U(−1/√fan_in, 1/√fan_in) with fan_in = in·3·3, the bias likewise),
     * from a generator seeded with {@code seed}. Layers are named {@code dec_<mirrored encoder conv>}, e.g.
     * {@code dec_conv4_1} first.
     */
    static DecoderWeights fresh(EncoderWeights encoder, long seed) {
        List<ConvLayer> enc = encoder.convs();
        int n = enc.size();
        SplittableRandom rng = new SplittableRandom(TrainingData.mix(seed, 7, 0x1417));
        List<ConvLayer> convs = new ArrayList<>(n);
        for (int k = 0; k < n; k++) {
            ConvLayer mirror = enc.get(n - 1 - k);
            int in = mirror.outChannels();
            int out = mirror.inChannels();
            int fanIn = in * 9;
            double bound = 1.0 / Math.sqrt(fanIn);
            float[] kernel = new float[out * in * 9];
            for (int i = 0; i < kernel.length; i++) {
                kernel[i] = (float) ((rng.nextDouble() * 2 - 1) * bound);
            }
            float[] bias = new float[out];
            for (int i = 0; i < out; i++) {
                bias[i] = (float) ((rng.nextDouble() * 2 - 1) * bound);
            }
            convs.add(new ConvLayer("dec_" + EncoderWeights.CONV_NAMES.get(n - 1 - k), out, in, 3, 3, kernel, bias));
        }
        return new DecoderWeights(convs, "fresh decoder (seed " + seed + ")");
    }

    /** SHA-256 of the encoder's kind, shapes and raw weight bits: identifies it across runs. */
    static String fingerprint(EncoderWeights encoder) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(encoder.kind().name().getBytes(StandardCharsets.US_ASCII));
            if (encoder.preprocess() != null) {
                update(md, encoder.preprocess());
            }
            for (ConvLayer c : encoder.convs()) {
                update(md, c);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void update(MessageDigest md, ConvLayer c) {
        md.update(c.shapeString().getBytes(StandardCharsets.US_ASCII));
        for (float[] v : new float[][] {c.kernelOihw(), c.bias()}) {
            ByteBuffer b = ByteBuffer.allocate(4 * v.length);
            b.asFloatBuffer().put(v);
            md.update(b.array());
        }
    }
}
