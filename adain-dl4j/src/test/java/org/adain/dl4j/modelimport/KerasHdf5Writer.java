package org.adain.dl4j.modelimport;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.adain.AdainException;
import org.adain.BackendException;
import org.adain.spi.ConvLayer;
import org.adain.spi.DecoderWeights;
import org.adain.spi.EncoderKind;
import org.adain.spi.EncoderWeights;
import org.adain.spi.WeightsWriter;
import org.bytedeco.hdf5.Attribute;
import org.bytedeco.hdf5.DataSet;
import org.bytedeco.hdf5.DataSpace;
import org.bytedeco.hdf5.Group;
import org.bytedeco.hdf5.H5File;
import org.bytedeco.hdf5.H5Object;
import org.bytedeco.hdf5.PredType;
import org.bytedeco.hdf5.StrType;
import org.bytedeco.hdf5.global.hdf5;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;
import org.nd4j.shade.jackson.core.JsonProcessingException;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.node.ArrayNode;
import org.nd4j.shade.jackson.databind.node.JsonNodeFactory;
import org.nd4j.shade.jackson.databind.node.ObjectNode;

/**
 * Writes AdaIN weights as Keras HDF5 files in the layout tf.keras 2.x's {@code model.save('x.h5')} produces, which
 * {@link KerasHdf5WeightsReader} (and Keras itself, given the ReflectionPadding2D layer) reads back:
 *
 * <ul>
 *   <li>a normalised VGG-19 encoder or a decoder as a <b>full model</b>: root attributes {@code model_config} (a
 *   functional model: InputLayer, then for the encoder a linear 1×1 {@code Conv2D} "preprocess_conv" and
 *   {@code ReflectionPadding2D} + 3×3 relu {@code Conv2D} per conv with 2×2/2 {@code MaxPooling2D} padding 'same'
 *   after conv1_2, conv2_2 and conv3_4, named block1_conv1 … block4_conv1 like Keras' VGG19; for the decoder
 *   ReflectionPadding2D + Conv2D per conv, the last linear, {@code UpSampling2D} ×2 nearest after convs 0, 4 and
 *   6), {@code keras_version}, {@code backend}; group {@code model_weights} with {@code layer_names} and per layer
 *   {@code weight_names} and datasets {@code <layer>/kernel:0} ({@code [kh, kw, in, out]}) and
 *   {@code <layer>/bias:0};</li>
 *   <li>a Keras-applications VGG-19 encoder (it has no preprocessing conv and no reflection padding, so it has no
 *   full-model form here) as a <b>weights-only "notop" file</b> like Keras' {@code vgg19_..._notop.h5}: root
 *   {@code layer_names} and one group per layer, up to block4_conv1 (the part the encoder uses).</li>
 * </ul>
 * Strings are variable-length UTF-8 as h5py 3 writes them; weights float32 little-endian. Registered in
 * {@code META-INF/services/org.adain.spi.WeightsWriter} for targets named {@code .h5} / {@code .hdf5}; used by
 * {@code org.adain.format.WeightConversion} ({@code adain convert}).
 *
 * <pre>{@code
 * new KerasHdf5Writer().writeDecoder(new PyTorchWeightsReader().readDecoder(Path.of("decoder.pth")),
 *         Path.of("decoder.h5"));
 * }</pre>
 *
 * Thread-safe: all HDF5 calls hold {@link Hdf5Access#lock()}.
 */
public final class KerasHdf5Writer implements WeightsWriter {
    /** The tf.keras version whose .h5 layout is written (also what the testkit's tf2 fixtures carry). */
    static final String KERAS_VERSION = "2.12.0";
    static final String BACKEND = "tensorflow";

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** Creates a writer; loads no native code until a file is written. */
    public KerasHdf5Writer() {
    }

    @Override
    public String formatName() {
        return "Keras HDF5";
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

    // ---- the layer lists ------------------------------------------------------------------------

    /** One Keras layer to write: its config, and its conv weights when it has some. */
    private record Layer(String className, String name, ObjectNode config, ConvLayer conv) {
    }

    private static ObjectNode base(String name) {
        ObjectNode c = NODES.objectNode();
        c.put("name", name);
        c.put("trainable", true);
        c.put("dtype", "float32");
        return c;
    }

    private static ArrayNode pair(int a, int b) {
        return NODES.arrayNode().add(a).add(b);
    }

    private static Layer input(String name, int channels) {
        ObjectNode c = NODES.objectNode();
        c.set("batch_input_shape", NODES.arrayNode().addNull().addNull().addNull().add(channels));
        c.put("dtype", "float32");
        c.put("sparse", false);
        c.put("ragged", false);
        c.put("name", name);
        return new Layer("InputLayer", name, c, null);
    }

    private static Layer conv(String name, ConvLayer w, boolean relu) {
        ObjectNode c = base(name);
        c.put("filters", w.outChannels());
        c.set("kernel_size", pair(w.kernelHeight(), w.kernelWidth()));
        c.set("strides", pair(1, 1));
        c.put("padding", "valid");
        c.put("data_format", "channels_last");
        c.set("dilation_rate", pair(1, 1));
        c.put("groups", 1);
        c.put("activation", relu ? "relu" : "linear");
        c.put("use_bias", true);
        ObjectNode glorot = NODES.objectNode();
        glorot.put("class_name", "GlorotUniform");
        glorot.set("config", NODES.objectNode().putNull("seed"));
        c.set("kernel_initializer", glorot);
        ObjectNode zeros = NODES.objectNode();
        zeros.put("class_name", "Zeros");
        zeros.set("config", NODES.objectNode());
        c.set("bias_initializer", zeros);
        for (String k : List.of("kernel_regularizer", "bias_regularizer", "activity_regularizer", "kernel_constraint",
                "bias_constraint")) {
            c.putNull(k);
        }
        return new Layer("Conv2D", name, c, w);
    }

    private static Layer pad(int index) {
        String name = index == 0 ? "reflection_padding2d" : "reflection_padding2d_" + index;
        ObjectNode c = base(name);
        c.set("padding", NODES.arrayNode().add(pair(1, 1)).add(pair(1, 1)));
        return new Layer(KerasTopology.PAD, name, c, null);
    }

    private static Layer pool(String name) {
        ObjectNode c = base(name);
        c.set("pool_size", pair(2, 2));
        c.put("padding", "same");
        c.set("strides", pair(2, 2));
        c.put("data_format", "channels_last");
        return new Layer("MaxPooling2D", name, c, null);
    }

    private static Layer upsampling(int index) {
        String name = index == 0 ? "up_sampling2d" : "up_sampling2d_" + index;
        ObjectNode c = base(name);
        c.set("size", pair(2, 2));
        c.put("data_format", "channels_last");
        c.put("interpolation", "nearest");
        return new Layer("UpSampling2D", name, c, null);
    }

    private static final List<String> VGG_NAMES = KerasApplicationsReader.LAYER_NAMES;
    private static final List<String> POOL_NAMES = List.of("block1_pool", "block2_pool", "block3_pool");

    static List<Layer> encoderLayers(EncoderWeights w) {
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

    /** The functional model_config JSON: a straight chain of the layers. */
    static String modelConfig(List<Layer> layers) {
        ArrayNode list = NODES.arrayNode();
        String prev = null;
        for (Layer l : layers) {
            ObjectNode n = NODES.objectNode();
            n.put("class_name", l.className());
            n.set("config", l.config());
            n.put("name", l.name());
            ArrayNode inbound = NODES.arrayNode();
            if (prev != null) {
                inbound.add(NODES.arrayNode().add(NODES.arrayNode().add(prev).add(0).add(0).add(NODES.objectNode())));
            }
            n.set("inbound_nodes", inbound);
            list.add(n);
            prev = l.name();
        }
        ObjectNode config = NODES.objectNode();
        config.put("name", "model");
        config.set("layers", list);
        config.set("input_layers", NODES.arrayNode().add(NODES.arrayNode().add(layers.get(0).name()).add(0).add(0)));
        config.set("output_layers", NODES.arrayNode().add(NODES.arrayNode().add(prev).add(0).add(0)));
        ObjectNode root = NODES.objectNode();
        root.put("class_name", "Functional");
        root.set("config", config);
        try {
            return new ObjectMapper().writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- writing --------------------------------------------------------------------------------

    @Override
    public void writeEncoder(EncoderWeights weights, Path target) {
        Objects.requireNonNull(weights, "weights");
        if (weights.kind() == EncoderKind.KERAS_APPLICATIONS_VGG19) {
            write(target, f -> writeWeightsOnly(f, notopLayers(weights)));
        } else {
            write(target, f -> writeFullModel(f, encoderLayers(weights)));
        }
    }

    @Override
    public void writeDecoder(DecoderWeights weights, Path target) {
        Objects.requireNonNull(weights, "weights");
        write(target, f -> writeFullModel(f, decoderLayers(weights)));
    }

    private interface Body {
        void write(H5File file);
    }

    private static void write(Path target, Body body) {
        Objects.requireNonNull(target, "target");
        try {
            synchronized (Hdf5Access.lock()) {
                Hdf5Access.quietNativeErrors();
                try (H5File f = new H5File(target.toString(), hdf5.H5F_ACC_TRUNC())) {
                    body.write(f);
                }
            }
        } catch (AdainException e) {
            throw e;
        } catch (LinkageError e) {
            throw new BackendException("Cannot write " + target + ": the native HDF5 library failed to load (" + e
                    + ")", e);
        } catch (RuntimeException e) {
            throw new AdainException("Cannot write the Keras HDF5 file " + target + " (HDF5: " + e.getMessage() + ")",
                    e);
        }
    }

    private static void writeFullModel(H5File f, List<Layer> layers) {
        stringAttribute(f, "backend", BACKEND);
        stringAttribute(f, "keras_version", KERAS_VERSION);
        stringAttribute(f, "model_config", modelConfig(layers));
        try (Group weights = f.createGroup(KerasFullModelReader.WEIGHTS_ROOT)) {
            stringAttribute(weights, "backend", BACKEND);
            stringAttribute(weights, "keras_version", KERAS_VERSION);
            stringArrayAttribute(weights, "layer_names", layers.stream().map(Layer::name).toList());
            for (Layer l : layers) {
                layerGroup(weights, l);
            }
            // tf.keras 2.x writes this group too (weights of the model object itself: none)
            try (Group top = weights.createGroup("top_level_model_weights")) {
                emptyAttribute(top, "weight_names");
            }
        }
    }

    private static void writeWeightsOnly(H5File f, List<Layer> layers) {
        stringAttribute(f, "backend", BACKEND);
        stringAttribute(f, "keras_version", KERAS_VERSION);
        stringArrayAttribute(f, "layer_names", layers.stream().map(Layer::name).toList());
        for (Layer l : layers) {
            layerGroup(f, l);
        }
    }

    /** A layer's group: weight_names and, for a conv, {@code <name>/kernel:0} (HWIO) and {@code <name>/bias:0}. */
    private static void layerGroup(Group parent, Layer l) {
        try (Group g = parent.createGroup(l.name())) {
            if (l.conv() == null) {
                emptyAttribute(g, "weight_names");
                return;
            }
            stringArrayAttribute(g, "weight_names", List.of(l.name() + "/kernel:0", l.name() + "/bias:0"));
            ConvLayer c = l.conv();
            try (Group inner = g.createGroup(l.name())) {
                floats(inner, "kernel:0", new long[] {c.kernelHeight(), c.kernelWidth(), c.inChannels(),
                    c.outChannels()}, oihwToHwio(c));
                floats(inner, "bias:0", new long[] {c.outChannels()}, c.bias());
            }
        }
    }

    /** {@code hwio[y][x][i][o] = oihw[o][i][y][x]}, the inverse of {@link Kernels#hwioToOihw}. */
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

    private static void floats(Group g, String name, long[] shape, float[] values) {
        try (DataSpace space = new DataSpace(shape.length, shape);
                DataSet ds = g.createDataSet(name, PredType.IEEE_F32LE(), space);
                FloatPointer buf = new FloatPointer(values)) {
            ds.write(buf, PredType.NATIVE_FLOAT());
        }
    }

    private static StrType utf8String() {
        StrType t = new StrType(PredType.C_S1(), hdf5.H5T_VARIABLE);
        t.setCset(hdf5.H5T_CSET_UTF8);
        return t;
    }

    private static void stringAttribute(H5Object o, String name, String value) {
        try (StrType type = utf8String();
                DataSpace scalar = new DataSpace(hdf5.H5S_SCALAR);
                Attribute attr = o.createAttribute(name, type, scalar)) {
            attr.write(type, value);
        }
    }

    private static void stringArrayAttribute(H5Object o, String name, List<String> values) {
        List<BytePointer> strings = new ArrayList<>();
        try (StrType type = utf8String();
                DataSpace space = new DataSpace(1, new long[] {values.size()});
                PointerPointer<BytePointer> ptrs = new PointerPointer<>(values.size());
                Attribute attr = o.createAttribute(name, type, space)) {
            for (int i = 0; i < values.size(); i++) {
                BytePointer s = new BytePointer(values.get(i), StandardCharsets.UTF_8);
                strings.add(s);
                ptrs.put(i, s);
            }
            attr.write(type, (Pointer) ptrs);
        } finally {
            strings.forEach(BytePointer::close);
        }
    }

    /** An empty float64 array attribute, as Keras writes weight_names for layers without weights. */
    private static void emptyAttribute(H5Object o, String name) {
        try (DataSpace space = new DataSpace(1, new long[] {0})) {
            o.createAttribute(name, PredType.IEEE_F64LE(), space).close();
        }
    }
}
