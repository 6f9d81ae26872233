package org.adain.onnxruntime.graph;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
     * How the reflection padding of 1 before each 3×3 conv is expressed. ORT's MLAS convolutions run in a blocked
     * (NCHWc) layout and convert out of it around every {@code Pad}; the others are attempts to keep more of the
     * data in that layout. The backend uses {@link #NHWC_PAD} on an x86-64 CPU and {@link #PAD} elsewhere
     * ({@code OrtSettings.padding()}). Measured by {@code NetworkBenchmark} (test scope); see docs/BENCHMARKS.md.
     */
    public enum Padding {
        /** {@code Pad(mode=reflect)}. */
        PAD,
        /** Two Slices and a Concat per axis. */
        SLICE_CONCAT,
        /**
         * {@code Pad} between Transposes to NHWC and back, which ORT's NCHWc transformer folds into channels-last
         * reorders, so the pad copies whole pixels instead of single floats. Where the input is needed in plain
         * NCHW anyway (before each network's first conv and after an encoder tap) it is padded as {@link #PAD} does.
         */
        NHWC_PAD,
        /**
         * As {@link #NHWC_PAD}, but the padded pixels are gathered in one parallel pass instead of ORT's
         * single-threaded {@code Pad}: a {@code Gather} along the flattened H·W axis of the channels-last map, with
         * the reflected index of every padded position ({@code (H+2)·(W+2)} indices computed in the graph from the
         * shape), copies whole pixels of C floats on ORT's intra-op pool. Measured no faster than {@link #NHWC_PAD}.
         */
        NHWC_GATHER,
        /**
         * The conv with zero {@code pads} (runs in NCHWc without a pad), then its outer ring of output rows and
         * columns recomputed exactly from thin reflected strips of the input (Gather, Pad, strided Conv) and written
         * over it with {@code ScatterElements}.
         */
        ZERO_RING
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
        Reflect reflect1 = keras ? null : new Reflect(g, padding, IMAGES);
        List<ConvLayer> convs = weights.convs();
        int tap = 0;
        for (int i = 0; i < convs.size(); i++) {
            boolean isTap = EncoderWeights.RELU_TAPS.contains(i);
            String out = isTap ? EncoderWeights.TAP_NAMES.get(tap++) : null;
            boolean plainInput = i == 0 || (EncoderWeights.RELU_TAPS.contains(i - 1)
                    && !EncoderWeights.POOL_AFTER.contains(i - 1));
            x = keras ? conv(g, x, "enc" + i, convs.get(i), 1, true, out)
                    : reflect1.conv(x, "enc" + i, convs.get(i), true, out, plainInput);
            if (isTap) {
                g.output(x, OnnxGraph.FLOAT, "N", convs.get(i).outChannels(), "h" + tap, "w" + tap);
            }
            if (EncoderWeights.POOL_AFTER.contains(i)) {
                x = g.node("MaxPool", List.of(x), List.of(Attr.ints("kernel_shape", 2, 2), Attr.ints("strides", 2, 2),
                        Attr.of("ceil_mode", keras ? 0L : 1L)));
                if (!keras) {
                    reflect1.pooled();
                }
            }
        }
        return g.toModel();
    }

    /** {@link #decoder(DecoderWeights)} with the reflection padding expressed as {@code padding}. */
    public static byte[] decoder(DecoderWeights weights, Padding padding) {
        OnnxGraph g = new OnnxGraph("adain_decoder");
        g.input(FEATURES, OnnxGraph.FLOAT, "N", weights.inputChannels(), "h", "w");
        Reflect reflect1 = new Reflect(g, padding, FEATURES);
        String scales = g.initializer("upsample_scales", new float[] {1, 1, 2, 2}, 4);
        List<ConvLayer> convs = weights.convs();
        String x = FEATURES;
        int last = convs.size() - 1;
        for (int i = 0; i <= last; i++) {
            x = reflect1.conv(x, "dec" + i, convs.get(i), i != last, i == last ? IMAGE : null, i == 0);
            if (DecoderWeights.UPSAMPLE_AFTER.contains(i)) {
                x = g.node("Resize", List.of(x, "", scales), List.of(Attr.of("mode", "nearest"),
                        Attr.of("coordinate_transformation_mode", "asymmetric"), Attr.of("nearest_mode", "floor")));
                reflect1.upsampled();
            }
        }
        g.output(IMAGE, OnnxGraph.FLOAT, "N", 3, "H", "W");
        return g.toModel();
    }

    /** Reflection padding of 1 on H and W (x[-1] = x[1]) followed by a 3×3 conv, in the form {@link Padding} says. */
    private static final class Reflect {
        private final OnnxGraph g;
        private final Padding padding;
        private final Map<String, String> constants = new HashMap<>();
        /** For {@link Padding#NHWC_GATHER}: int64 [H, W] of the maps the next conv reads, tracked from the input. */
        private String size;
        /** For {@link Padding#NHWC_GATHER}: per {@link #size}, the flat gather indices and the padded [H+2, W+2]. */
        private final Map<String, String[]> gathers = new HashMap<>();

        /** {@code input}: the graph's N×C×H×W input, whose H and W the first convs read. */
        Reflect(OnnxGraph g, Padding padding, String input) {
            this.g = g;
            this.padding = padding;
            if (padding == Padding.NHWC_GATHER) {
                // the size comes from the graph input, not from the maps themselves: a Shape of a map in the blocked
                // layout would make ORT convert it out of that layout
                size = g.node("Slice", List.of(g.node("Shape", List.of(input), List.of()), constant("two", 2),
                        constant("four", 4)), List.of());
            }
        }

        /** The maps were max-pooled 2×2/2 in ceil mode: H and W become ⌈H/2⌉ and ⌈W/2⌉. */
        void pooled() {
            if (size != null) {
                size = g.node("Div", List.of(g.node("Add", List.of(size, scalar("one_scalar", 1)), List.of()),
                        scalar("two_scalar", 2)), List.of());
            }
        }

        /** The maps were upsampled ×2. */
        void upsampled() {
            if (size != null) {
                size = g.node("Mul", List.of(size, scalar("two_scalar", 2)), List.of());
            }
        }

        /**
         * Reflection pad 1, conv (stride 1) and, if {@code relu}, ReLU; {@code role} as in {@link #conv}.
         * {@code plainInput}: {@code x} is needed in plain NCHW anyway (a graph input or output, or the 3-channel
         * preprocessing output, whose conv reads NCHW directly), so {@link Padding#NHWC_PAD} pads it as
         * {@link Padding#PAD} does: its Transposes would be real copies or an extra reorder there.
         */
        String conv(String x, String role, ConvLayer c, boolean relu, String outName, boolean plainInput) {
            String layer = role + ":" + c.name();
            int k = c.kernelHeight();
            String w = g.initializer(layer + ".weight", c.kernelOihw(), c.outChannels(), c.inChannels(), k, k);
            String b = g.initializer(layer + ".bias", c.bias(), c.outChannels());
            if (padding != Padding.ZERO_RING) {
                return convNode(g, pad(x, plainInput, c.inChannels()), w, b, k, 0, 1, 1, relu, outName);
            }
            if (k != 3) {
                throw new IllegalArgumentException("Layer '" + c.name() + "': the zero-pad-and-ring form needs a 3×3 "
                        + "kernel, got " + k + "×" + k);
            }
            return ring(x, w, b, relu, outName);
        }

        private String pad(String x, boolean plainInput, int channels) {
            boolean channelsLast = padding == Padding.NHWC_PAD || padding == Padding.NHWC_GATHER;
            switch (plainInput && channelsLast ? Padding.PAD : padding) {
                case PAD:
                    return g.node("Pad", List.of(x, constant("reflect_pads_1", 0, 0, 1, 1, 0, 0, 1, 1)),
                            List.of(Attr.of("mode", "reflect")));
                case NHWC_PAD:
                    // the Reshapes to 5-D and back stop ORT's transpose optimizer from pushing the Transposes
                    // through the Pad and cancelling them; ORT's Reshape aliases its input, so they cost nothing
                    String nhwc = g.node("Transpose", List.of(x), List.of(Attr.ints("perm", 0, 2, 3, 1)));
                    String five = g.node("Reshape", List.of(nhwc, constant("shape_5d", 0, 0, 0, 0, 1)), List.of());
                    String padded = g.node("Pad", List.of(five, constant("reflect_pads_nhwc", 0, 1, 1, 0, 0, 0, 1,
                            1, 0, 0)), List.of(Attr.of("mode", "reflect")));
                    String four = g.node("Reshape", List.of(padded, constant("shape_4d", 0, 0, 0, 0)), List.of());
                    return g.node("Transpose", List.of(four), List.of(Attr.ints("perm", 0, 3, 1, 2)));
                case NHWC_GATHER:
                    return gatherPad(x, channels);
                case SLICE_CONCAT:
                    return mirror(mirror(x, 2), 3);
                default:
                    throw new IllegalStateException("no pad node for " + padding);
            }
        }

        /**
         * Reflection pad 1 of an NCHW map as one Gather of whole pixels in channels-last order. The Reshape to
         * N×(H·W)×C, like {@link Padding#NHWC_PAD}'s 5-D one, keeps ORT from cancelling the Transposes, which its
         * NCHWc transformer turns into channels-last reorders.
         */
        private String gatherPad(String x, int channels) {
            String[] gather = gathers.computeIfAbsent(size, sz -> {
                String rows = reflectIndex(g.node("Gather", List.of(sz, scalar("zero", 0)), List.of(Attr.of("axis",
                        0L))));
                String width = g.node("Gather", List.of(sz, scalar("one_scalar", 1)), List.of(Attr.of("axis", 0L)));
                String cols = reflectIndex(width);
                // padded position (i, j) reads flat pixel rows[i]·W + cols[j]
                String grid = g.node("Add", List.of(
                        g.node("Mul", List.of(g.node("Unsqueeze", List.of(rows, constant("axes_1", 1)), List.of()),
                                width), List.of()),
                        g.node("Unsqueeze", List.of(cols, constant("axes_0", 0)), List.of())), List.of());
                return new String[] {g.node("Reshape", List.of(grid, constant("shape_flat", -1)), List.of()),
                        g.node("Add", List.of(sz, scalar("two_scalar", 2)), List.of())};
            });
            String nhwc = g.node("Transpose", List.of(x), List.of(Attr.ints("perm", 0, 2, 3, 1)));
            String pixels = g.node("Reshape", List.of(nhwc, constant("shape_pixels_" + channels, 0, -1, channels)),
                    List.of());
            String gathered = g.node("Gather", List.of(pixels, gather[0]), List.of(Attr.of("axis", 1L)));
            String paddedShape = g.node("Concat", List.of(constant("zero_1d", 0), gather[1],
                    constant("channels_" + channels, channels)), List.of(Attr.of("axis", 0L)));
            String padded = g.node("Reshape", List.of(gathered, paddedShape), List.of());
            return g.node("Transpose", List.of(padded), List.of(Attr.ints("perm", 0, 3, 1, 2)));
        }

        /** [1, 0, 1, …, n−1, n−2]: the source index of each position of a side of n padded by 1 with reflection. */
        private String reflectIndex(String n) {
            String range = g.node("Range", List.of(scalar("zero", 0), n, scalar("one_scalar", 1)), List.of());
            String last = g.node("Unsqueeze", List.of(g.node("Sub", List.of(n, scalar("two_scalar", 2)), List.of()),
                    constant("axes_0", 0)), List.of());
            return g.node("Concat", List.of(constant("one", 1), range, last), List.of(Attr.of("axis", 0L)));
        }

        private String scalar(String name, long value) {
            return constants.computeIfAbsent("scalar " + name, n -> g.initializer(name, new long[] {value}));
        }

        private String mirror(String x, int axis) {
            String ax = constant("axis_" + axis, axis);
            String first = g.node("Slice", List.of(x, constant("one", 1), constant("two", 2), ax), List.of());
            String last = g.node("Slice", List.of(x, constant("minus2", -2), constant("minus1", -1), ax), List.of());
            return g.node("Concat", List.of(first, x, last), List.of(Attr.of("axis", (long) axis)));
        }

        /**
         * Conv with zero padding, then its first and last output rows and columns replaced by their exact
         * reflect-padded values. Row 0 reads padded rows −1, 0, 1 = x[1], x[0], x[1] and row H−1 reads x[H−2],
         * x[H−1], x[H−2]: Gather builds those six rows, a reflect Pad along W completes them, and the same conv with
         * stride 3 over them gives exactly the two rows. Columns likewise. ScatterElements writes the strips over
         * the conv's output (ORT's kernel may run in place), corners included in both, with the same values.
         */
        private String ring(String x, String w, String b, boolean relu, String outName) {
            String y = convNode(g, x, w, b, 3, 1, 1, 1, relu, null);
            String six = constant("ring_gather", 1, 0, 1, -2, -1, -2);
            String rows = g.node("Gather", List.of(x, six), List.of(Attr.of("axis", 2L)));
            rows = g.node("Pad", List.of(rows, constant("reflect_pads_w", 0, 0, 0, 1, 0, 0, 0, 1)),
                    List.of(Attr.of("mode", "reflect")));
            String rowOut = convNode(g, rows, w, b, 3, 0, 3, 1, relu, null);
            y = scatter(y, rowOut, 2);
            String cols = g.node("Gather", List.of(x, six), List.of(Attr.of("axis", 3L)));
            cols = g.node("Pad", List.of(cols, constant("reflect_pads_h", 0, 0, 1, 0, 0, 0, 1, 0)),
                    List.of(Attr.of("mode", "reflect")));
            String colOut = convNode(g, cols, w, b, 3, 0, 1, 3, relu, null);
            return scatter(y, colOut, 3, outName);
        }

        private String scatter(String y, String strips, int axis) {
            return scatter(y, strips, axis, null);
        }

        /** Writes {@code strips} (two along {@code axis}) over the first and last index of {@code y} on it. */
        private String scatter(String y, String strips, int axis, String outName) {
            String firstLast = constant("first_last_" + axis, new long[] {0, -1}, axis == 2 ? new long[] {1, 1, 2, 1}
                    : new long[] {1, 1, 1, 2});
            String index = g.node("Expand", List.of(firstLast, g.node("Shape", List.of(strips), List.of())),
                    List.of());
            List<String> in = List.of(y, index, strips);
            List<Attr> attrs = List.of(Attr.of("axis", (long) axis));
            return outName == null ? g.node("ScatterElements", in, attrs)
                    : g.node("ScatterElements", in, attrs, outName);
        }

        private String constant(String name, long... values) {
            return constant(name, values, values.length);
        }

        private String constant(String name, long[] values, long... dims) {
            return constants.computeIfAbsent(name, n -> g.initializer(n, values, dims));
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
        return convNode(g, x, w, b, k, zeroPad, 1, 1, relu, outName);
    }

    private static String convNode(OnnxGraph g, String x, String w, String b, int k, int zeroPad, int strideH,
            int strideW, boolean relu, String outName) {
        List<Attr> attrs = List.of(Attr.ints("kernel_shape", k, k), Attr.ints("strides", strideH, strideW),
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
