package org.adain.testkit.reference;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.adain.spi.ConvLayer;
import org.adain.spi.DecoderWeights;
import org.adain.spi.EncoderKind;
import org.adain.spi.EncoderWeights;

/**
 * The weights of the reference models as neutral SPI objects, built from the {@code .npy} copies under
 * {@code weights/} (no HDF5 library needed). They are exactly the float32 values of the {@code .h5} files
 * listed in {@link #models(String)}, kernels OIHW.
 *
 * <pre>{@code
 * EncoderWeights enc = ReferenceWeights.encoder(ReferenceWeights.NORMALISED); // = models/encoder_tf2.h5
 * DecoderWeights dec = ReferenceWeights.decoder(ReferenceWeights.DECODER);    // = models/decoder_tf2.h5
 * Npy.Array k = ReferenceWeights.kernel(dec.convs().get(0));                    // 16 x 24 x 3 x 3
 * }</pre>
 *
 * The ids are the keys of the manifest's {@code weights} section.
 */
public final class ReferenceWeights {

    /** The normalised VGG-19 encoder (1×1 preprocessing conv + conv1_1 … conv4_1). */
    public static final String NORMALISED = "normalised";
    /** The Keras-applications VGG-19 notop encoder up to conv4_1 (block1_conv1 … block4_conv1). */
    public static final String KERAS_APPS = "keras_apps";
    /** The decoder (convs 0 … 8). */
    public static final String DECODER = "decoder";

    /**
     * One convolution of a weight set.
     *
     * @param role          {@code "preprocess"}, {@code "conv1_1"} … {@code "conv4_1"} (encoders) or
     *                      {@code "conv0"} … {@code "conv8"} (decoder)
     * @param name          the layer name given to the {@link ConvLayer}
     * @param shape         kernel shape {@code [out, in, kh, kw]}
     * @param kernel        resource path of the OIHW kernel ({@code '<f4'})
     * @param bias          resource path of the bias ({@code '<f4'})
     * @param activation    {@code "relu"} or {@code "linear"}
     * @param h5LayerNames  model id (of {@link ReferenceCases#models()}) → this layer's name in that .h5 file
     */
    public record Layer(String role, String name, int[] shape, String kernel, String bias, String activation,
                        Map<String, String> h5LayerNames) {
        /**
         * Copies the shape and the name map; {@link ReferenceWeights#layers(String)} makes these from the manifest.
         *
         * @param role         the layer's role in its weight set
         * @param name         the {@link ConvLayer} name
         * @param shape        kernel shape {@code [out, in, kh, kw]} (copied)
         * @param kernel       resource path of the kernel
         * @param bias         resource path of the bias
         * @param activation   {@code "relu"} or {@code "linear"}
         * @param h5LayerNames model id → layer name in that file (copied)
         */
        public Layer {
            shape = shape.clone();
            h5LayerNames = Collections.unmodifiableMap(new LinkedHashMap<>(h5LayerNames));
        }

        /**
         * The kernel shape.
         *
         * @return a copy of {@code [out, in, kh, kw]}
         */
        @Override
        public int[] shape() {
            return shape.clone();
        }

        /**
         * Reads the kernel and bias and builds the SPI layer.
         *
         * @return the convolution, its values exactly the stored float32 ones
         * @throws IllegalArgumentException     the files' shapes differ from the manifest's, a value is not a
         *                                      float32 value, or a file is not a valid {@code .npy}
         * @throws java.io.UncheckedIOException a file is missing
         * @throws org.adain.ModelException     a value is NaN or infinite (checked by {@link ConvLayer})
         */
        public ConvLayer toConvLayer() {
            Npy.Array k = ReferenceCases.array(kernel);
            Npy.Array b = ReferenceCases.array(bias);
            if (!Arrays.equals(k.shape(), shape) || b.rank() != 1 || b.shape()[0] != shape[0]) {
                throw new IllegalArgumentException("weights " + kernel + " / " + bias + ": shapes "
                        + Arrays.toString(k.shape()) + " / " + Arrays.toString(b.shape()) + ", manifest says "
                        + Arrays.toString(shape));
            }
            return new ConvLayer(name, shape[0], shape[1], shape[2], shape[3], floats(k, kernel), floats(b, bias));
        }
    }

    private ReferenceWeights() {
    }

    /**
     * The weight sets the manifest holds.
     *
     * @return the ids of its {@code weights} section, in order: {@link #NORMALISED}, {@link #KERAS_APPS},
     *         {@link #DECODER}
     */
    public static List<String> ids() {
        return List.copyOf(section().keySet());
    }

    /**
     * What a weight set is.
     *
     * @param id a weight set's id
     * @return {@code "NORMALISED_VGG19"}, {@code "KERAS_APPLICATIONS_VGG19"} (the {@link EncoderKind} names) or
     *         {@code "DECODER"}
     * @throws IllegalArgumentException there is no such weight set
     */
    public static String kind(String id) {
        return ReferenceCases.string(entry(id).get("kind"), "weights." + id + ".kind");
    }

    /**
     * The {@code .h5} files holding the same weights, to check an HDF5 reader against the {@code .npy} values.
     *
     * @param id a weight set's id
     * @return ids of model files of {@link ReferenceCases#models()}, e.g. {@code encoder_tf2} and
     *         {@code encoder_keras23}
     * @throws IllegalArgumentException there is no such weight set
     */
    public static List<String> models(String id) {
        return ReferenceCases.stringList(entry(id).get("models"), "weights." + id + ".models");
    }

    /**
     * The convolutions of a weight set, as the manifest describes them.
     *
     * @param id a weight set's id
     * @return the layers in model order (the preprocessing conv first for {@link #NORMALISED})
     * @throws IllegalArgumentException there is no such weight set, or its entry is malformed
     */
    public static List<Layer> layers(String id) {
        String where = "weights." + id + ".layers";
        List<Layer> out = new ArrayList<>();
        for (Object o : ReferenceCases.list(entry(id).get("layers"), where)) {
            Map<String, Object> m = ReferenceCases.map(o, where + "[]");
            String role = ReferenceCases.string(m.get("role"), where + "[].role");
            String w = where + "." + role;
            Map<String, String> names = new LinkedHashMap<>();
            ReferenceCases.map(m.get("h5_layer_names"), w + ".h5_layer_names")
                    .forEach((k, v) -> names.put(k, ReferenceCases.string(v, w + ".h5_layer_names." + k)));
            out.add(new Layer(role, ReferenceCases.string(m.get("name"), w + ".name"),
                    ReferenceCases.intArray(m.get("shape"), w + ".shape"),
                    ReferenceCases.string(m.get("kernel"), w + ".kernel"),
                    ReferenceCases.string(m.get("bias"), w + ".bias"),
                    ReferenceCases.string(m.get("activation"), w + ".activation"), names));
        }
        return List.copyOf(out);
    }

    /**
     * One convolution of a weight set, read.
     *
     * @param id   a weight set's id
     * @param role the layer's role: {@code "preprocess"}, {@code "conv1_1"} … {@code "conv4_1"} or
     *             {@code "conv0"} … {@code "conv8"}
     * @return the SPI layer
     * @throws IllegalArgumentException there is no such weight set or role, or its files do not match the manifest
     */
    public static ConvLayer conv(String id, String role) {
        return layers(id).stream().filter(l -> l.role().equals(role)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("weights " + id + " have no layer with role \"" + role
                        + "\" (have " + layers(id).stream().map(Layer::role).toList() + ")"))
                .toConvLayer();
    }

    /**
     * An encoder weight set as SPI weights, e.g. for {@code BackendProvider.load} without any file reader.
     *
     * @param id {@link #NORMALISED} or {@link #KERAS_APPS}
     * @return the encoder, its source naming the weight set
     * @throws IllegalArgumentException there is no such weight set, it is not an encoder, or its layers are out of
     *                                  order or do not match their files
     */
    public static EncoderWeights encoder(String id) {
        String kind = kind(id);
        EncoderKind ek;
        try {
            ek = EncoderKind.valueOf(kind);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("weights " + id + " are a " + kind + ", not an encoder");
        }
        ConvLayer pre = null;
        List<ConvLayer> convs = new ArrayList<>();
        for (Layer l : layers(id)) {
            if (l.role().equals("preprocess")) {
                pre = l.toConvLayer();
            } else {
                if (!l.role().equals(EncoderWeights.CONV_NAMES.get(convs.size()))) {
                    throw new IllegalArgumentException("weights " + id + ": layer " + convs.size() + " has role "
                            + l.role() + ", expected " + EncoderWeights.CONV_NAMES.get(convs.size()));
                }
                convs.add(l.toConvLayer());
            }
        }
        return new EncoderWeights(ek, pre, convs, source(id));
    }

    /**
     * The decoder weight set as SPI weights.
     *
     * @param id {@link #DECODER}
     * @return the decoder, its source naming the weight set
     * @throws IllegalArgumentException there is no such weight set, it is not a decoder, or its layers are out of
     *                                  order or do not match their files
     */
    public static DecoderWeights decoder(String id) {
        if (!kind(id).equals("DECODER")) {
            throw new IllegalArgumentException("weights " + id + " are a " + kind(id) + ", not a decoder");
        }
        List<ConvLayer> convs = new ArrayList<>();
        for (Layer l : layers(id)) {
            if (!l.role().equals("conv" + convs.size())) {
                throw new IllegalArgumentException("weights " + id + ": layer " + convs.size() + " has role "
                        + l.role() + ", expected conv" + convs.size());
            }
            convs.add(l.toConvLayer());
        }
        return new DecoderWeights(convs, source(id));
    }

    /**
     * A layer's kernel as an array, to compare with expected arrays (e.g. the weights after the ADAM cases).
     *
     * @param layer any convolution, e.g. of {@code DecoderTraining.weights()}
     * @return its kernel widened to float64, shape {@code [out, in, kh, kw]}
     */
    public static Npy.Array kernel(ConvLayer layer) {
        float[] k = layer.kernelOihw();
        double[] d = new double[k.length];
        for (int i = 0; i < k.length; i++) {
            d[i] = k[i];
        }
        return new Npy.Array(new int[] {layer.outChannels(), layer.inChannels(), layer.kernelHeight(),
                layer.kernelWidth()}, d);
    }

    /**
     * A layer's bias as an array, to compare with expected arrays.
     *
     * @param layer any convolution
     * @return its bias widened to float64, shape {@code [out]}
     */
    public static Npy.Array bias(ConvLayer layer) {
        float[] b = layer.bias();
        double[] d = new double[b.length];
        for (int i = 0; i < b.length; i++) {
            d[i] = b[i];
        }
        return new Npy.Array(new int[] {b.length}, d);
    }

    private static String source(String id) {
        return "reference weights \"" + id + "\" (classpath:" + ReferenceCases.RESOURCE_ROOT + "weights/" + id + "/)";
    }

    private static Map<String, Object> section() {
        Object w = ReferenceCases.load().manifest().get("weights");
        return ReferenceCases.map(w, "manifest weights");
    }

    private static Map<String, Object> entry(String id) {
        Object e = section().get(id);
        if (e == null) {
            throw new IllegalArgumentException("no reference weights \"" + id + "\"; known: " + section().keySet());
        }
        return ReferenceCases.map(e, "weights." + id);
    }

    private static float[] floats(Npy.Array a, String file) {
        float[] f = new float[a.size()];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) a.data()[i];
            if (f[i] != a.data()[i]) {
                throw new IllegalArgumentException(file + ": value " + i + " (" + a.data()[i]
                        + ") is not a float32 value");
            }
        }
        return f;
    }
}
