package org.adain.format;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.adain.AdainException;
import org.adain.spi.ConvLayer;
import org.adain.spi.DecoderWeights;
import org.adain.spi.EncoderKind;
import org.adain.spi.EncoderWeights;
import org.adain.spi.WeightsWriter;

/**
 * Writes AdaIN weights as Keras HDF5 files in plain Java (no native HDF5), in the layout of tf.keras 2.x's
 * {@code model.save('x.h5')}:
 *
 * <ul>
 *   <li>a normalised VGG-19 encoder or a decoder as a <b>full model</b>: root attributes {@code backend},
 *   {@code keras_version} and {@code model_config} (a functional model: InputLayer, then for the encoder a linear
 *   1×1 {@code Conv2D} "preprocess_conv" and {@code ReflectionPadding2D} + 3×3 relu {@code Conv2D} per conv with
 *   2×2/2 {@code MaxPooling2D} padding 'same' after conv1_2, conv2_2 and conv3_4, named block1_conv1 …
 *   block4_conv1 like Keras' VGG19; for the decoder ReflectionPadding2D + Conv2D per conv, the last linear,
 *   {@code UpSampling2D} ×2 nearest after convs 0, 4 and 6); group {@code model_weights} with {@code backend},
 *   {@code keras_version}, {@code layer_names}, one group per layer with {@code weight_names} and, for a conv,
 *   datasets {@code <layer>/kernel:0} ({@code [kh, kw, in, out]}) and {@code <layer>/bias:0}, and the empty group
 *   {@code top_level_model_weights};</li>
 *   <li>a Keras-applications VGG-19 encoder (no preprocessing conv, zero padding: it has no full-model form here)
 *   as a <b>weights-only "notop" file</b> like Keras' own download: root {@code backend}, {@code keras_version},
 *   {@code layer_names} and one group per layer up to block4_conv1 (the part the encoder uses).</li>
 * </ul>
 * Layers without weights get an empty float64 {@code weight_names}, as Keras writes them. Strings are fixed-length
 * and NUL-padded (what Keras writes under h5py 2, and what h5py gives Keras back as bytes under h5py 3); weights
 * are little-endian float32. The groups, names, attributes, shapes and values are those of {@code adain-dl4j}'s
 * native-HDF5 writer. The same weights always give the same bytes (no timestamps).
 *
 * <pre>{@code
 * new KerasHdf5WeightsWriter().writeDecoder(new PyTorchWeightsReader().readDecoder(Path.of("decoder.pth")),
 *         Path.of("decoder.h5"));
 * }</pre>
 *
 * It writes the path it is given, like every {@link WeightsWriter}; {@link WeightConversion} ({@code adain convert})
 * and {@code DecoderTrainer} write through {@link WeightFormats#writeAtomically}, so a failure never leaves a partial
 * file. Registered in {@code META-INF/services/org.adain.spi.WeightsWriter} for targets named {@code .h5} /
 * {@code .hdf5}, with {@link #priority()} {@value #PRIORITY}. Stateless and thread-safe.
 */
public final class KerasHdf5WeightsWriter implements WeightsWriter {
    /**
     * This writer's {@link #priority()}: below the default 0, so that a native-HDF5 Keras writer on the class path
     * (adain-dl4j's) is still preferred for {@code .h5} targets.
     */
    public static final int PRIORITY = -1;

    /** The tf.keras version whose .h5 layout is written (also what the testkit's tf2 fixtures carry). */
    static final String KERAS_VERSION = "2.12.0";
    static final String BACKEND = "tensorflow";
    /** Where {@code model.save} puts the weights: one group per layer. */
    static final String WEIGHTS_ROOT = "model_weights";
    /** The Keras class name of the reflection padding layer the AdaIN models use. */
    static final String REFLECTION_PADDING = "ReflectionPadding2D";
    /** Keras' VGG19 names of the nine 3×3 convs up to relu4_1. */
    static final List<String> VGG_NAMES = List.of("block1_conv1", "block1_conv2", "block2_conv1", "block2_conv2",
            "block3_conv1", "block3_conv2", "block3_conv3", "block3_conv4", "block4_conv1");
    private static final List<String> POOL_NAMES = List.of("block1_pool", "block2_pool", "block3_pool");

    /** Creates a writer. */
    public KerasHdf5WeightsWriter() {
    }

    /**
     * {@inheritDoc}
     *
     * @return "Keras HDF5"
     */
    @Override
    public String formatName() {
        return "Keras HDF5";
    }

    /**
     * {@inheritDoc}
     *
     * @return {@value #PRIORITY}
     */
    @Override
    public int priority() {
        return PRIORITY;
    }

    /**
     * Whether the target is named {@code .h5} or {@code .hdf5} (any case).
     *
     * @param target the file to write
     * @return true for an HDF5 file name
     */
    @Override
    public boolean canWrite(Path target) {
        Path name = target == null ? null : target.getFileName();
        if (name == null) {
            return false;
        }
        String n = name.toString().toLowerCase(Locale.ROOT);
        return n.endsWith(".h5") || n.endsWith(".hdf5");
    }

    /**
     * Writes a normalised VGG-19 as a full Keras model, a Keras-applications VGG-19 as a weights-only notop file.
     *
     * @param weights the encoder
     * @param target  the file to create or truncate
     * @throws AdainException the file cannot be written
     */
    @Override
    public void writeEncoder(EncoderWeights weights, Path target) {
        Objects.requireNonNull(weights, "weights");
        write(target, weights.kind() == EncoderKind.KERAS_APPLICATIONS_VGG19 ? weightsOnly(notopLayers(weights))
                : fullModel(encoderLayers(weights)));
    }

    /**
     * Writes a decoder as a full Keras model.
     *
     * @param weights the decoder
     * @param target  the file to create or truncate
     * @throws AdainException the file cannot be written
     */
    @Override
    public void writeDecoder(DecoderWeights weights, Path target) {
        Objects.requireNonNull(weights, "weights");
        write(target, fullModel(decoderLayers(weights)));
    }

    private static void write(Path target, Hdf5Writer file) {
        Objects.requireNonNull(target, "target");
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(target), 1 << 16)) {
            file.write(out);
        } catch (IOException e) {
            // the class names the problem (NoSuchFileException, AccessDeniedException) where the message is a path
            throw new AdainException("Cannot write the Keras HDF5 file " + target + ": " + e.getClass().getSimpleName()
                    + " " + e.getMessage(), e);
        }
    }

    // ---- the layer lists ------------------------------------------------------------------------

    /** One Keras layer to write: its class, name and config, and its conv weights when it has some. */
    record Layer(String className, String name, Map<String, Object> config, ConvLayer conv) {
    }

    /** A JSON object with keys in the order given (values may be null). */
    private static Map<String, Object> object(Object... keysAndValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            m.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return m;
    }

    private static Map<String, Object> base(String name) {
        return object("name", name, "trainable", true, "dtype", "float32");
    }

    private static List<Object> pair(int a, int b) {
        return List.of(a, b);
    }

    private static Layer input(String name, int channels) {
        Map<String, Object> c = object("batch_input_shape", Arrays.asList(null, null, null, channels), "dtype",
                "float32", "sparse", false, "ragged", false, "name", name);
        return new Layer("InputLayer", name, c, null);
    }

    private static Layer conv(String name, ConvLayer w, boolean relu) {
        Map<String, Object> c = base(name);
        c.put("filters", w.outChannels());
        c.put("kernel_size", pair(w.kernelHeight(), w.kernelWidth()));
        c.put("strides", pair(1, 1));
        c.put("padding", "valid");
        c.put("data_format", "channels_last");
        c.put("dilation_rate", pair(1, 1));
        c.put("groups", 1);
        c.put("activation", relu ? "relu" : "linear");
        c.put("use_bias", true);
        c.put("kernel_initializer", object("class_name", "GlorotUniform", "config", object("seed", null)));
        c.put("bias_initializer", object("class_name", "Zeros", "config", object()));
        for (String k : List.of("kernel_regularizer", "bias_regularizer", "activity_regularizer", "kernel_constraint",
                "bias_constraint")) {
            c.put(k, null);
        }
        return new Layer("Conv2D", name, c, w);
    }

    private static Layer pad(int index) {
        String name = index == 0 ? "reflection_padding2d" : "reflection_padding2d_" + index;
        Map<String, Object> c = base(name);
        c.put("padding", List.of(pair(1, 1), pair(1, 1)));
        return new Layer(REFLECTION_PADDING, name, c, null);
    }

    private static Layer pool(String name) {
        Map<String, Object> c = base(name);
        c.put("pool_size", pair(2, 2));
        c.put("padding", "same");
        c.put("strides", pair(2, 2));
        c.put("data_format", "channels_last");
        return new Layer("MaxPooling2D", name, c, null);
    }

    private static Layer upsampling(int index) {
        String name = index == 0 ? "up_sampling2d" : "up_sampling2d_" + index;
        Map<String, Object> c = base(name);
        c.put("size", pair(2, 2));
        c.put("data_format", "channels_last");
        c.put("interpolation", "nearest");
        return new Layer("UpSampling2D", name, c, null);
    }

    static List<Layer> encoderLayers(EncoderWeights w) {
        List<Layer> layers = new ArrayList<>();
        layers.add(input("input_1", 3));
        layers.add(conv("preprocess_conv", w.preprocess(), false));
        int pools = 0;
        for (int i = 0; i < w.convs().size(); i++) {
            if (EncoderWeights.POOL_AFTER.contains(i - 1)) {
                layers.add(pool(POOL_NAMES.get(pools++)));
            }
            layers.add(pad(i));
            layers.add(conv(VGG_NAMES.get(i), w.convs().get(i), true));
        }
        return layers;
    }

    static List<Layer> decoderLayers(DecoderWeights w) {
        List<Layer> layers = new ArrayList<>();
        layers.add(input("input_1", w.inputChannels()));
        int ups = 0;
        for (int i = 0; i < w.convs().size(); i++) {
            layers.add(pad(i));
            layers.add(conv(i == 0 ? "conv2d" : "conv2d_" + i, w.convs().get(i), i < w.convs().size() - 1));
            if (DecoderWeights.UPSAMPLE_AFTER.contains(i)) {
                layers.add(upsampling(ups++));
            }
        }
        return layers;
    }

    static List<Layer> notopLayers(EncoderWeights w) {
        List<Layer> layers = new ArrayList<>();
        layers.add(input("input_1", 3));
        int pools = 0;
        for (int i = 0; i < w.convs().size(); i++) {
            if (EncoderWeights.POOL_AFTER.contains(i - 1)) {
                layers.add(pool(POOL_NAMES.get(pools++)));
            }
            layers.add(conv(VGG_NAMES.get(i), w.convs().get(i), true));
        }
        return layers;
    }

    /** The functional model_config JSON: a straight chain of the layers, compact, keys in insertion order. */
    static String modelConfig(List<Layer> layers) {
        List<Object> list = new ArrayList<>();
        String prev = null;
        for (Layer l : layers) {
            List<Object> inbound = prev == null ? List.of() : List.of(List.of(List.of(prev, 0, 0, object())));
            list.add(object("class_name", l.className(), "config", l.config(), "name", l.name(), "inbound_nodes",
                    inbound));
            prev = l.name();
        }
        Map<String, Object> config = object("name", "model", "layers", list, "input_layers",
                List.of(List.of(layers.get(0).name(), 0, 0)), "output_layers", List.of(List.of(prev, 0, 0)));
        StringBuilder json = new StringBuilder();
        appendJson(json, object("class_name", "Functional", "config", config));
        return json.toString();
    }

    /** Compact JSON; non-ASCII escaped as {@code \\uXXXX}, so the fixed-length string attribute stays ASCII. */
    private static void appendJson(StringBuilder out, Object value) {
        if (value == null) {
            out.append("null");
        } else if (value instanceof Boolean || value instanceof Integer) {
            out.append(value);
        } else if (value instanceof String s) {
            out.append('"');
            for (int i = 0; i < s.length(); i++) {
                char ch = s.charAt(i);
                switch (ch) {
                    case '"' -> out.append("\\\"");
                    case '\\' -> out.append("\\\\");
                    case '\n' -> out.append("\\n");
                    case '\r' -> out.append("\\r");
                    case '\t' -> out.append("\\t");
                    default -> {
                        if (ch < 0x20 || ch > 0x7e) {
                            out.append(String.format(Locale.ROOT, "\\u%04X", (int) ch));
                        } else {
                            out.append(ch);
                        }
                    }
                }
            }
            out.append('"');
        } else if (value instanceof Map<?, ?> m) {
            out.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                out.append(first ? "" : ",");
                first = false;
                appendJson(out, e.getKey());
                out.append(':');
                appendJson(out, e.getValue());
            }
            out.append('}');
        } else if (value instanceof List<?> l) {
            out.append('[');
            for (int i = 0; i < l.size(); i++) {
                out.append(i == 0 ? "" : ",");
                appendJson(out, l.get(i));
            }
            out.append(']');
        } else {
            throw new IllegalArgumentException("No JSON form for " + value.getClass());
        }
    }

    // ---- the HDF5 tree --------------------------------------------------------------------------

    private static Hdf5Writer fullModel(List<Layer> layers) {
        Hdf5Writer h5 = new Hdf5Writer();
        Hdf5Writer.Group root = h5.root();
        root.string("backend", BACKEND);
        root.string("keras_version", KERAS_VERSION);
        root.string("model_config", modelConfig(layers));
        Hdf5Writer.Group weights = root.group(WEIGHTS_ROOT);
        weights.string("backend", BACKEND);
        weights.string("keras_version", KERAS_VERSION);
        weights.strings("layer_names", layers.stream().map(Layer::name).toList());
        for (Layer l : layers) {
            layerGroup(weights, l);
        }
        // tf.keras 2.x writes this group too (weights of the model object itself: none)
        weights.group("top_level_model_weights").emptyFloat64("weight_names");
        return h5;
    }

    private static Hdf5Writer weightsOnly(List<Layer> layers) {
        Hdf5Writer h5 = new Hdf5Writer();
        Hdf5Writer.Group root = h5.root();
        root.string("backend", BACKEND);
        root.string("keras_version", KERAS_VERSION);
        root.strings("layer_names", layers.stream().map(Layer::name).toList());
        for (Layer l : layers) {
            layerGroup(root, l);
        }
        return h5;
    }

    /** A layer's group: weight_names and, for a conv, {@code <name>/kernel:0} (HWIO) and {@code <name>/bias:0}. */
    private static void layerGroup(Hdf5Writer.Group parent, Layer l) {
        Hdf5Writer.Group g = parent.group(l.name());
        ConvLayer c = l.conv();
        if (c == null) {
            g.emptyFloat64("weight_names");
            return;
        }
        g.strings("weight_names", List.of(l.name() + "/kernel:0", l.name() + "/bias:0"));
        Hdf5Writer.Group inner = g.group(l.name());
        inner.floats("kernel:0", new long[] {c.kernelHeight(), c.kernelWidth(), c.inChannels(), c.outChannels()},
                oihwToHwio(c));
        inner.floats("bias:0", new long[] {c.outChannels()}, c.bias());
    }

    /** {@code hwio[y][x][i][o] = oihw[o][i][y][x]}: ConvLayer's PyTorch layout to Keras'. */
    static float[] oihwToHwio(ConvLayer c) {
        float[] oihw = c.kernelOihw();
        int out = c.outChannels();
        int in = c.inChannels();
        int kh = c.kernelHeight();
        int kw = c.kernelWidth();
        float[] hwio = new float[oihw.length];
        int src = 0;
        for (int o = 0; o < out; o++) {
            for (int i = 0; i < in; i++) {
                for (int y = 0; y < kh; y++) {
                    for (int x = 0; x < kw; x++) {
                        hwio[((y * kw + x) * in + i) * out + o] = oihw[src++];
                    }
                }
            }
        }
        return hwio;
    }
}
