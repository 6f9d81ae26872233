package org.adain.format;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.adain.spi.ConvLayer;
import org.adain.spi.DecoderWeights;
import org.adain.spi.EncoderKind;
import org.adain.spi.EncoderWeights;
import org.adain.spi.WeightsWriter;

/**
 * Writes AdaIN weights as Keras HDF5 ({@code .h5}) in plain Java, in the layout {@code adain-dl4j}'s native
 * {@code KerasHdf5Writer} writes (tf.keras 2.x's {@code model.save('x.h5')}), which {@link KerasWeightsReader},
 * {@code adain-dl4j}'s reader, h5py and Keras read back:
 * <ul>
 *   <li>a normalised VGG-19 encoder or a decoder as a <b>full model</b>: root attributes {@code backend},
 *   {@code keras_version} and {@code model_config} (a functional model: InputLayer, then for the encoder a linear
 *   1×1 {@code Conv2D} "preprocess_conv" and {@code ReflectionPadding2D} + 3×3 relu {@code Conv2D} per conv with
 *   2×2/2 {@code MaxPooling2D} padding 'same' after conv1_2, conv2_2 and conv3_4, named block1_conv1 …
 *   block4_conv1 like Keras' VGG19; for the decoder ReflectionPadding2D + Conv2D per conv, the last linear,
 *   {@code UpSampling2D} ×2 nearest after convs 0, 4 and 6); group {@code model_weights} with {@code layer_names}
 *   and per layer {@code weight_names} and datasets {@code <layer>/kernel:0} ({@code [kh, kw, in, out]}) and
 *   {@code <layer>/bias:0};</li>
 *   <li>a Keras-applications VGG-19 encoder as a <b>weights-only "notop" file</b> up to block4_conv1.</li>
 * </ul>
 * The HDF5 is the oldest layout (superblock 0, old-style groups, contiguous float32 little-endian datasets);
 * strings are fixed-length and NUL-padded, as Keras 2.3 (h5py 2) wrote them.
 *
 * <pre>{@code
 * new KerasWeightsWriter().writeDecoder(new PyTorchWeightsReader().readDecoder(Path.of("decoder.pth")),
 *         Path.of("decoder.h5"));
 * }</pre>
 *
 * Not registered with {@link java.util.ServiceLoader} yet: {@code adain-dl4j}'s native {@code KerasHdf5Writer}
 * writes {@code .h5} until the switch-over, when this writer is registered in
 * {@code META-INF/services/org.adain.spi.WeightsWriter} (its {@link #priority()} -1 keeps the native writer first
 * while both are present). Thread-safe (no shared state).
 */
public final class KerasWeightsWriter implements WeightsWriter {
    /** The tf.keras version whose .h5 layout is written. */
    static final String KERAS_VERSION = "2.12.0";
    static final String BACKEND = "tensorflow";

    private static final List<String> POOL_NAMES = List.of("block1_pool", "block2_pool", "block3_pool");

    /** Creates a writer. */
    public KerasWeightsWriter() {
    }

    @Override
    public String formatName() {
        return "Keras HDF5";
    }

    /**
     * -1: below {@code adain-dl4j}'s {@code KerasHdf5Writer} (0) while both are on the class path.
     *
     * @return -1
     */
    @Override
    public int priority() {
        return -1;
    }

    @Override
    public boolean canWrite(Path target) {
        Path name = target == null ? null : target.getFileName();
        if (name == null) {
            return false;
        }
        String n = name.toString().toLowerCase(Locale.ROOT);
        return n.endsWith(".h5") || n.endsWith(".hdf5");
    }

    @Override
    public void writeEncoder(EncoderWeights weights, Path target) {
        Objects.requireNonNull(weights, "weights");
        Objects.requireNonNull(target, "target");
        if (weights.kind() == EncoderKind.KERAS_APPLICATIONS_VGG19) {
            Hdf5Writer.write(weightsOnly(notopLayers(weights)), target);
        } else {
            Hdf5Writer.write(fullModel(encoderLayers(weights)), target);
        }
    }

    @Override
    public void writeDecoder(DecoderWeights weights, Path target) {
        Objects.requireNonNull(weights, "weights");
        Objects.requireNonNull(target, "target");
        Hdf5Writer.write(fullModel(decoderLayers(weights)), target);
    }

    // ---- the layer lists ------------------------------------------------------------------------

    /** One Keras layer to write: its config, and its conv weights when it has some. */
    private record Layer(String className, String name, Map<String, Object> config, ConvLayer conv) {
    }

    private static Map<String, Object> base(String name) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("name", name);
        c.put("trainable", true);
        c.put("dtype", "float32");
        return c;
    }

    private static List<Object> pair(int a, int b) {
        return List.of((long) a, (long) b);
    }

    private static Layer input(String name, int channels) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("batch_input_shape", List.of(Json.NULL, Json.NULL, Json.NULL, (long) channels));
        c.put("dtype", "float32");
        c.put("sparse", false);
        c.put("ragged", false);
        c.put("name", name);
        return new Layer(KerasTopology.INPUT, name, c, null);
    }

    private static Layer conv(String name, ConvLayer w, boolean relu) {
        Map<String, Object> c = base(name);
        c.put("filters", (long) w.outChannels());
        c.put("kernel_size", pair(w.kernelHeight(), w.kernelWidth()));
        c.put("strides", pair(1, 1));
        c.put("padding", "valid");
        c.put("data_format", "channels_last");
        c.put("dilation_rate", pair(1, 1));
        c.put("groups", 1L);
        c.put("activation", relu ? "relu" : "linear");
        c.put("use_bias", true);
        Map<String, Object> glorot = new LinkedHashMap<>();
        glorot.put("class_name", "GlorotUniform");
        glorot.put("config", new LinkedHashMap<>(Map.of("seed", Json.NULL)));
        c.put("kernel_initializer", glorot);
        Map<String, Object> zeros = new LinkedHashMap<>();
        zeros.put("class_name", "Zeros");
        zeros.put("config", new LinkedHashMap<>());
        c.put("bias_initializer", zeros);
        for (String k : List.of("kernel_regularizer", "bias_regularizer", "activity_regularizer", "kernel_constraint",
                "bias_constraint")) {
            c.put(k, Json.NULL);
        }
        return new Layer(KerasTopology.CONV, name, c, w);
    }

    private static Layer pad(int index) {
        String name = index == 0 ? "reflection_padding2d" : "reflection_padding2d_" + index;
        Map<String, Object> c = base(name);
        c.put("padding", List.of(pair(1, 1), pair(1, 1)));
        return new Layer(KerasTopology.PAD, name, c, null);
    }

    private static Layer pool(String name) {
        Map<String, Object> c = base(name);
        c.put("pool_size", pair(2, 2));
        c.put("padding", "same");
        c.put("strides", pair(2, 2));
        c.put("data_format", "channels_last");
        return new Layer(KerasTopology.POOL, name, c, null);
    }

    private static Layer upsampling(int index) {
        String name = index == 0 ? "up_sampling2d" : "up_sampling2d_" + index;
        Map<String, Object> c = base(name);
        c.put("size", pair(2, 2));
        c.put("data_format", "channels_last");
        c.put("interpolation", "nearest");
        return new Layer(KerasTopology.UP, name, c, null);
    }

    private static List<Layer> encoderLayers(EncoderWeights w) {
        List<Layer> layers = new ArrayList<>();
        layers.add(input("input_1", 3));
        layers.add(conv("preprocess_conv", w.preprocess(), false));
        int pads = 0;
        int pools = 0;
        for (int i = 0; i < w.convs().size(); i++) {
            if (EncoderWeights.POOL_AFTER.contains(i - 1)) {
                layers.add(pool(POOL_NAMES.get(pools++)));
            }
            layers.add(pad(pads++));
            layers.add(conv(KerasWeightsReader.APPLICATIONS_LAYERS.get(i), w.convs().get(i), true));
        }
        return layers;
    }

    private static List<Layer> decoderLayers(DecoderWeights w) {
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

    private static List<Layer> notopLayers(EncoderWeights w) {
        List<Layer> layers = new ArrayList<>();
        layers.add(input("input_1", 3));
        int pools = 0;
        for (int i = 0; i < w.convs().size(); i++) {
            if (EncoderWeights.POOL_AFTER.contains(i - 1)) {
                layers.add(pool(POOL_NAMES.get(pools++)));
            }
            layers.add(conv(KerasWeightsReader.APPLICATIONS_LAYERS.get(i), w.convs().get(i), true));
        }
        return layers;
    }

    /** The functional model_config JSON: a straight chain of the layers. */
    static String modelConfig(List<Layer> layers) {
        List<Object> list = new ArrayList<>();
        String prev = null;
        for (Layer l : layers) {
            Map<String, Object> n = new LinkedHashMap<>();
            n.put("class_name", l.className());
            n.put("config", l.config());
            n.put("name", l.name());
            List<Object> inbound = new ArrayList<>();
            if (prev != null) {
                inbound.add(List.of(List.of(prev, 0L, 0L, new LinkedHashMap<>())));
            }
            n.put("inbound_nodes", inbound);
            list.add(n);
            prev = l.name();
        }
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("name", "model");
        config.put("layers", list);
        config.put("input_layers", List.of(List.of(layers.get(0).name(), 0L, 0L)));
        config.put("output_layers", List.of(List.of(prev, 0L, 0L)));
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("class_name", "Functional");
        root.put("config", config);
        return Json.toJson(root);
    }

    // ---- the HDF5 tree --------------------------------------------------------------------------

    private static Hdf5Writer.Group fullModel(List<Layer> layers) {
        Hdf5Writer.Group root = new Hdf5Writer.Group();
        root.string("backend", BACKEND);
        root.string("keras_version", KERAS_VERSION);
        root.string(KerasWeightsReader.MODEL_CONFIG, modelConfig(layers));
        Hdf5Writer.Group weights = root.group(KerasWeightsReader.WEIGHTS_ROOT);
        weights.string("backend", BACKEND);
        weights.string("keras_version", KERAS_VERSION);
        weights.strings(KerasWeightsReader.LAYER_NAMES, layers.stream().map(Layer::name).toList());
        for (Layer l : layers) {
            layerGroup(weights, l);
        }
        // tf.keras 2.x writes this group too (weights of the model object itself: none)
        weights.group("top_level_model_weights").strings(KerasWeightsReader.WEIGHT_NAMES, List.of());
        return root;
    }

    private static Hdf5Writer.Group weightsOnly(List<Layer> layers) {
        Hdf5Writer.Group root = new Hdf5Writer.Group();
        root.string("backend", BACKEND);
        root.string("keras_version", KERAS_VERSION);
        root.strings(KerasWeightsReader.LAYER_NAMES, layers.stream().map(Layer::name).toList());
        for (Layer l : layers) {
            layerGroup(root, l);
        }
        return root;
    }

    /** A layer's group: weight_names and, for a conv, {@code <name>/kernel:0} (HWIO) and {@code <name>/bias:0}. */
    private static void layerGroup(Hdf5Writer.Group parent, Layer l) {
        Hdf5Writer.Group g = parent.group(l.name());
        if (l.conv() == null) {
            g.strings(KerasWeightsReader.WEIGHT_NAMES, List.of());
            return;
        }
        g.strings(KerasWeightsReader.WEIGHT_NAMES, List.of(l.name() + "/kernel:0", l.name() + "/bias:0"));
        ConvLayer c = l.conv();
        Hdf5Writer.Group inner = g.group(l.name());
        inner.dataset("kernel:0", new long[] {c.kernelHeight(), c.kernelWidth(), c.inChannels(), c.outChannels()},
                oihwToHwio(c));
        inner.dataset("bias:0", new long[] {c.outChannels()}, c.bias());
    }

    /** {@code hwio[y][x][i][o] = oihw[o][i][y][x]}, the inverse of {@link KerasWeightsReader#hwioToOihw}. */
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
