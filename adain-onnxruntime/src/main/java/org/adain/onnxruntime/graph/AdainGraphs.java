package org.adain.onnxruntime.graph;

import java.util.List;
import org.adain.onnxruntime.onnx.OnnxGraph;
import org.adain.onnxruntime.onnx.OnnxGraph.Attr;
import org.adain.spi.ConvLayer;
import org.adain.spi.DecoderWeights;
import org.adain.spi.EncoderKind;
import org.adain.spi.EncoderWeights;

/**
 * The AdaIN encoder and decoder as ONNX graphs (SEMANTICS §6–7), built from the SPI's weight values so that every
 * weight format runs, with the same operations as adain-dl4j's {@code VggEncoder} and {@code AdainDecoder}:
 * <ul>
 *   <li>normalised VGG-19: the stored 1×1 preprocessing conv, then before each 3×3 conv a reflection pad of 1
 *   ({@code Pad} mode reflect), ReLU, 2×2/2 max-pooling in ceil mode;</li>
 *   <li>Keras-applications VGG-19: the input reflection-padded at the bottom/right by the amounts fed in
 *   {@link #PADS} (to a multiple of 8), RGB [0,1] → BGR ×255 minus the Caffe mean as a constant 1×1 conv, 3×3
 *   convs zero-padded by 1, ReLU, 2×2/2 max-pooling that floors;</li>
 *   <li>decoder: nine times reflection pad 1 + 3×3 conv, ReLU after all but the last, nearest ×2 upsampling
 *   ({@code Resize} nearest, asymmetric, floor: {@code out[y][x] = in[y/2][x/2]}) after the convs in
 *   {@link DecoderWeights#UPSAMPLE_AFTER}.</li>
 * </ul>
 * Input and output sizes are symbolic, so one session serves every image size.
 */
public final class AdainGraphs {
    /** The encoder's image input, N×3×H×W RGB in [0, 1]. */
    public static final String IMAGES = "images";
    /** The Keras encoder's second input: int64[8] ONNX pads, bottom/right reflection padding of the images. */
    public static final String PADS = "pads";
    /** The decoder's feature input. */
    public static final String FEATURES = "features";
    /** The decoder's output image. */
    public static final String IMAGE = "image";

    /**
     * How the reflection padding of 1 is expressed. {@link #PAD} is used: ORT's MLAS convolutions run in a blocked
     * (NCHWc) layout and convert out of it around every {@code Pad}; {@link #SLICE_CONCAT} mirrors the border rows
     * and columns with Slice + Concat instead, to see whether ORT keeps the blocked layout through those. Measured
     * by {@code NetworkBenchmark} (test scope); see docs/BENCHMARKS.md.
     */
    public enum Padding {
        /** {@code Pad(mode=reflect)}. */
        PAD,
        /** Two Slices and a Concat per axis. */
        SLICE_CONCAT
    }

    private AdainGraphs() {
    }

    /** The encoder with the four taps as outputs, named {@link EncoderWeights#TAP_NAMES}. */
    public static byte[] encoder(EncoderWeights weights) {
        return encoder(weights, Padding.PAD);
    }

    /** The decoder, {@link #FEATURES} N×C×h×w to {@link #IMAGE} N×3×8h×8w. */
    public static byte[] decoder(DecoderWeights weights) {
        return decoder(weights, Padding.PAD);
    }

    /** {@link #encoder(EncoderWeights)} with the reflection padding expressed as {@code padding}. */
    public static byte[] encoder(EncoderWeights weights, Padding padding) {
        boolean keras = weights.kind() == EncoderKind.KERAS_APPLICATIONS_VGG19;
        OnnxGraph g = new OnnxGraph("adain_encoder");
        g.input(IMAGES, OnnxGraph.FLOAT, "N", 3, "H", "W");
        String x;
        if (keras) {
            g.input(PADS, OnnxGraph.INT64, 8);
            String padded = g.node("Pad", List.of(IMAGES, PADS), List.of(Attr.of("mode", "reflect")));
            x = conv(g, padded, "caffe_preprocess", 3, 3, 1, caffeKernel(), caffeBias(), 0, false, null);
        } else {
            x = conv(g, IMAGES, "preprocess", weights.preprocess(), 0, false, null);
        }
        Reflect reflect1 = keras ? null : new Reflect(g, padding);
        List<ConvLayer> convs = weights.convs();
        int tap = 0;
        for (int i = 0; i < convs.size(); i++) {
            if (!keras) {
                x = reflect1.pad(x);
            }
            boolean isTap = EncoderWeights.RELU_TAPS.contains(i);
            String out = isTap ? EncoderWeights.TAP_NAMES.get(tap++) : null;
            x = conv(g, x, "enc" + i, convs.get(i), keras ? 1 : 0, true, out);
            if (isTap) {
                g.output(x, OnnxGraph.FLOAT, "N", convs.get(i).outChannels(), "h" + tap, "w" + tap);
            }
            if (EncoderWeights.POOL_AFTER.contains(i)) {
                x = g.node("MaxPool", List.of(x), List.of(Attr.ints("kernel_shape", 2, 2), Attr.ints("strides", 2, 2),
                        Attr.of("ceil_mode", keras ? 0L : 1L)));
            }
        }
        return g.toModel();
    }

    /** {@link #decoder(DecoderWeights)} with the reflection padding expressed as {@code padding}. */
    public static byte[] decoder(DecoderWeights weights, Padding padding) {
        OnnxGraph g = new OnnxGraph("adain_decoder");
        g.input(FEATURES, OnnxGraph.FLOAT, "N", weights.inputChannels(), "h", "w");
        Reflect reflect1 = new Reflect(g, padding);
        String scales = g.initializer("upsample_scales", new float[] {1, 1, 2, 2}, 4);
        List<ConvLayer> convs = weights.convs();
        String x = FEATURES;
        int last = convs.size() - 1;
        for (int i = 0; i <= last; i++) {
            x = reflect1.pad(x);
            x = conv(g, x, "dec" + i, convs.get(i), 0, i != last, i == last ? IMAGE : null);
            if (DecoderWeights.UPSAMPLE_AFTER.contains(i)) {
                x = g.node("Resize", List.of(x, "", scales), List.of(Attr.of("mode", "nearest"),
                        Attr.of("coordinate_transformation_mode", "asymmetric"), Attr.of("nearest_mode", "floor")));
            }
        }
        g.output(IMAGE, OnnxGraph.FLOAT, "N", 3, "H", "W");
        return g.toModel();
    }

    /** Reflection padding of 1 on H and W (x[-1] = x[1]), as {@code Pad} or as Slice + Concat. */
    private static final class Reflect {
        private final OnnxGraph g;
        private final Padding padding;
        private final String pads;
        private String[] constants;

        Reflect(OnnxGraph g, Padding padding) {
            this.g = g;
            this.padding = padding;
            this.pads = padding == Padding.PAD ? g.initializer("reflect_pads_1", new long[] {0, 0, 1, 1, 0, 0, 1, 1}, 8)
                    : null;
        }

        String pad(String x) {
            if (padding == Padding.PAD) {
                return g.node("Pad", List.of(x, pads), List.of(Attr.of("mode", "reflect")));
            }
            if (constants == null) {
                constants = new String[] {g.initializer("one", new long[] {1}, 1), g.initializer("two", new long[] {2}, 1),
                    g.initializer("minus2", new long[] {-2}, 1), g.initializer("minus1", new long[] {-1}, 1),
                    g.initializer("axis_h", new long[] {2}, 1), g.initializer("axis_w", new long[] {3}, 1)};
            }
            String h = mirror(x, constants[4]);
            return mirror(h, constants[5]);
        }

        private String mirror(String x, String axis) {
            String first = g.node("Slice", List.of(x, constants[0], constants[1], axis), List.of());
            String last = g.node("Slice", List.of(x, constants[2], constants[3], axis), List.of());
            long a = axis.equals(constants[4]) ? 2 : 3;
            return g.node("Concat", List.of(first, x, last), List.of(Attr.of("axis", a)));
        }
    }

    /** A conv of the weights; {@code role} (unique per graph) names its initializers with the file's layer name. */
    private static String conv(OnnxGraph g, String x, String role, ConvLayer c, int zeroPad, boolean relu,
            String outName) {
        return conv(g, x, role + ":" + c.name(), c.outChannels(), c.inChannels(), c.kernelHeight(), c.kernelOihw(),
                c.bias(), zeroPad, relu, outName);
    }

    /** Conv (+ ReLU); ORT fuses the pair. Kernels are OIHW, as ONNX wants them. */
    private static String conv(OnnxGraph g, String x, String layer, int out, int in, int k, float[] kernel,
            float[] bias, int zeroPad, boolean relu, String outName) {
        String w = g.initializer(layer + ".weight", kernel, out, in, k, k);
        String b = g.initializer(layer + ".bias", bias, out);
        List<Attr> attrs = List.of(Attr.ints("kernel_shape", k, k), Attr.ints("strides", 1, 1),
                Attr.ints("pads", zeroPad, zeroPad, zeroPad, zeroPad), Attr.ints("dilations", 1, 1),
                Attr.of("group", 1L));
        if (!relu) {
            return outName == null ? g.node("Conv", List.of(x, w, b), attrs) : g.node("Conv", List.of(x, w, b), attrs,
                    outName);
        }
        String y = g.node("Conv", List.of(x, w, b), attrs);
        return outName == null ? g.node("Relu", List.of(y), List.of()) : g.node("Relu", List.of(y), List.of(),
                outName);
    }

    /** RGB → BGR ×255 as a 1×1 conv: output channel o reads input channel 2 − o. */
    private static float[] caffeKernel() {
        float[] k = new float[9];
        for (int o = 0; o < 3; o++) {
            k[o * 3 + (2 - o)] = 255f;
        }
        return k;
    }

    private static float[] caffeBias() {
        float[] b = new float[3];
        for (int o = 0; o < 3; o++) {
            b[o] = -EncoderKind.CAFFE_BGR_MEAN[o];
        }
        return b;
    }
}
