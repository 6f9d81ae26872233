package org.adain.format;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import org.adain.AdainException;
import org.adain.ModelException;
import org.adain.format.KerasModelConfig.LayerSpec;
import org.adain.spi.ConvLayer;
import org.adain.spi.DecoderWeights;
import org.adain.spi.EncoderKind;
import org.adain.spi.EncoderWeights;
import org.adain.spi.WeightsReader;

/**
 * Reads AdaIN weights from Keras HDF5 ({@code .h5}) files in plain Java, with a bounded HDF5 reader of its own: no
 * native library, no DL4J, so every backend on every platform can read them.
 *
 * <p>Encoders come in two flavours, told apart by content:
 * <ul>
 *   <li>a full Keras model ({@code model.save}; root attribute {@code model_config}) of the normalised VGG-19:
 *   InputLayer, a linear 1×1 {@code Conv2D} 3→3, then {@code ReflectionPadding2D} (1 on every side) + 3×3
 *   {@code Conv2D} (relu, padding valid) per conv, with 2×2/2 {@code MaxPooling2D} (padding same, i.e. ceil
 *   mode) after conv1_2, conv2_2 and conv3_4 → {@link EncoderKind#NORMALISED_VGG19}. Layers after conv4_1 are
 *   not read;</li>
 *   <li>a weights-only file (root attribute {@code layer_names}, no {@code model_config}) such as the
 *   Keras-applications VGG-19 "notop" download → {@link EncoderKind#KERAS_APPLICATIONS_VGG19}.</li>
 * </ul>
 * Decoders must be full Keras models: nine ReflectionPadding2D + 3×3 Conv2D pairs (relu, the last linear) with
 * UpSampling2D (×2, nearest) after convs 0, 4 and 6. Layers are matched by order and type, never by name. Both
 * tf.keras 2.x files (h5py 3, variable-length strings, class_name "Functional") and Keras 2.3 files
 * (fixed-length strings, class_name "Model") are read. Kernels are stored {@code [kh, kw, in, out]} and become
 * {@link ConvLayer}'s {@code [out, in, kh, kw]}.
 *
 * <pre>{@code
 * WeightsReader r = new KerasWeightsReader();
 * EncoderWeights enc = r.readEncoder(Path.of("vgg_normalised.h5"));
 * DecoderWeights dec = r.readDecoder(Path.of("decoder.h5"));
 * }</pre>
 *
 * <p><b>Safety.</b> The file is parsed by {@code Hdf5File}, which checks every address, size and count against
 * the file before reading or allocating and bounds the total work by the file's size; the {@code model_config}
 * attribute is read only up to {@link #MAX_MODEL_CONFIG_BYTES} and parsed by a strict JSON parser with depth and
 * size caps; text from the file reaches messages only through {@link SafeText}. Every problem is a
 * {@link ModelException} whose message starts with the file name and names the layer, attribute, dataset or
 * HDF5 structure at fault. Thread-safe (no shared state).
 *
 * <p>Registered in {@code META-INF/services/org.adain.spi.WeightsReader} with {@link #priority()} -1, below
 * {@code adain-dl4j}'s native reader while both exist (see docs/FORMATS.md).
 */
public final class KerasWeightsReader implements WeightsReader {
    /**
     * The largest {@code model_config} read: 4 MiB. VGG-19's is about 10 kB and the largest Keras applications'
     * (NASNetLarge) under 1 MB; anything larger is refused before it is read.
     */
    public static final int MAX_MODEL_CONFIG_BYTES = 4 << 20;

    /** The longest layer or weight name read from a name list. */
    static final int MAX_NAME_BYTES = 1 << 16;

    static final String MODEL_CONFIG = "model_config";
    static final String LAYER_NAMES = "layer_names";
    static final String WEIGHT_NAMES = "weight_names";
    /** Where {@code model.save} puts the weights: one group per layer. */
    static final String WEIGHTS_ROOT = "model_weights";

    /** The Keras-applications names of conv1_1 … conv4_1, in order. */
    static final List<String> APPLICATIONS_LAYERS = List.of("block1_conv1", "block1_conv2", "block2_conv1",
            "block2_conv2", "block3_conv1", "block3_conv2", "block3_conv3", "block3_conv4", "block4_conv1");

    private static final int HEAD_BYTES = 512;

    /** Creates a reader. */
    public KerasWeightsReader() {
    }

    @Override
    public String formatName() {
        return "Keras HDF5";
    }

    /**
     * -1: below {@code adain-dl4j}'s {@code KerasHdf5WeightsReader} (0) while both are on the class path, so adding
     * this reader changes nothing where DL4J is present; it reads {@code .h5} wherever DL4J is not.
     *
     * @return -1
     */
    @Override
    public int priority() {
        return -1;
    }

    /**
     * True when the file carries the HDF5 signature: at offset 0 (judged from {@code head}), or, since HDF5
     * allows a user block before the superblock, at 512, 1024, 2048, … (read from the file itself).
     */
    @Override
    public boolean canRead(Path file, byte[] head) {
        if (Hdf5File.startsWithSignature(head)) {
            return true;
        }
        // a file shorter than the head has no room for a superblock after a user block
        return file != null && head != null && head.length >= HEAD_BYTES && Hdf5File.signatureOffset(file) > 0;
    }

    @Override
    public EncoderWeights readEncoder(Path file) {
        return read(file, h5 -> {
            if (h5.hasRootAttribute(MODEL_CONFIG)) {
                return fullModelEncoder(h5);
            }
            if (h5.hasRootAttribute(LAYER_NAMES)) {
                return applicationsEncoder(h5);
            }
            throw notKeras(h5.fileName());
        });
    }

    @Override
    public DecoderWeights readDecoder(Path file) {
        return read(file, h5 -> {
            if (h5.hasRootAttribute(MODEL_CONFIG)) {
                return fullModelDecoder(h5);
            }
            if (h5.hasRootAttribute(LAYER_NAMES)) {
                throw new ModelException(h5.fileName() + ": is a weights-only Keras file (no model_config), such "
                        + "as the Keras-applications VGG-19; a decoder must be a full Keras model saved with "
                        + "model.save(), so that its layer order and activations are known");
            }
            throw notKeras(h5.fileName());
        });
    }

    private static ModelException notKeras(String file) {
        return new ModelException(file + ": is an HDF5 file but not a Keras model: it has neither the root "
                + "attribute model_config (a model saved with model.save()) nor layer_names (a weights-only file)");
    }

    private static <T> T read(Path path, Function<Hdf5File, T> body) {
        Objects.requireNonNull(path, "file");
        String file = Torch7WeightsReader.fileName(path);
        try (Hdf5File h5 = Hdf5File.open(path, file)) {
            return body.apply(h5);
        } catch (AdainException e) {
            throw e;
        } catch (RuntimeException e) {
            // a defect of this reader, not of the file: still the file's name, never a bare exception
            throw new ModelException(file + ": cannot read the file as Keras HDF5 (" + e + ")", e);
        }
    }

    // ---- full models ------------------------------------------------------------------------------

    private static KerasModelConfig modelConfig(Hdf5File h5) {
        String json = h5.string("/", MODEL_CONFIG, MAX_MODEL_CONFIG_BYTES);
        return KerasModelConfig.parse(json, h5.fileName());
    }

    private static EncoderWeights fullModelEncoder(Hdf5File h5) {
        String file = h5.fileName();
        KerasTopology.Match match = KerasTopology.encoder(modelConfig(h5), file);
        checkStoredShapes(match, h5);
        ConvLayer pre = fullModelConv(h5, match.preprocess());
        List<ConvLayer> convs = new ArrayList<>();
        for (LayerSpec spec : match.convs()) {
            convs.add(fullModelConv(h5, spec));
        }
        return new EncoderWeights(EncoderKind.NORMALISED_VGG19, pre, convs, file);
    }

    private static DecoderWeights fullModelDecoder(Hdf5File h5) {
        String file = h5.fileName();
        KerasTopology.Match match = KerasTopology.decoder(modelConfig(h5), file);
        checkStoredShapes(match, h5);
        List<ConvLayer> convs = new ArrayList<>();
        for (LayerSpec spec : match.convs()) {
            convs.add(fullModelConv(h5, spec));
        }
        return new DecoderWeights(convs, file);
    }

    /** A layer's weight names ({@code model_weights/<layer>/weight_names}); exactly two, kernel then bias. */
    private static List<String> weightNames(Hdf5File h5, String group, String layerLabel) {
        String file = h5.fileName();
        List<String> names = h5.stringList(group, WEIGHT_NAMES, MAX_NAME_BYTES);
        if (names == null) {
            throw new ModelException(file + ": layer '" + layerLabel + "' has no weight_names attribute in '"
                    + SafeText.of(group) + "'");
        }
        if (names.size() != 2) {
            throw new ModelException(file + ": layer '" + layerLabel + "' stores " + names.size() + " weights "
                    + shownList(names) + ", expected 2 (kernel, bias)");
        }
        for (String name : names) {
            if (!h5.exists(group + "/" + name)) {
                throw new ModelException(file + ": layer '" + layerLabel + "' lists the weight '" + SafeText.of(name)
                        + "' in weight_names, but the file has no dataset '" + SafeText.of(group + "/" + name) + "'");
            }
        }
        return names;
    }

    /**
     * Checks every used conv's stored kernel ({@code [kh, kw, in, out]}) and bias against its config and the
     * channels of the layer before, reading only the shapes, before any weights are read.
     */
    private static void checkStoredShapes(KerasTopology.Match match, Hdf5File h5) {
        String file = h5.fileName();
        List<LayerSpec> convs = new ArrayList<>();
        if (match.preprocess() != null) {
            convs.add(match.preprocess());
        }
        convs.addAll(match.convs());
        int in = match.inputChannels();
        String prev = "the InputLayer";
        for (LayerSpec conv : convs) {
            String group = WEIGHTS_ROOT + "/" + conv.name();
            if (!h5.exists(group)) {
                throw new ModelException(file + ": layer '" + conv.label() + "' has no weights in the file (no group '"
                        + SafeText.of(group) + "')");
            }
            List<String> names = weightNames(h5, group, conv.label());
            int k = conv.pair("kernel_size")[0];
            int filters = KerasTopology.filters(conv);
            long[] kernel = h5.datasetShape(group + "/" + names.get(0));
            long[] bias = h5.datasetShape(group + "/" + names.get(1));
            boolean kernelOk = kernel.length == 4 && kernel[0] == k && kernel[1] == k && kernel[3] == filters
                    && kernel[2] == in;
            if (!kernelOk) {
                throw new ModelException(file + ": layer '" + conv.label() + "' has a kernel of shape "
                        + Arrays.toString(kernel) + " (kh, kw, in, out), expected [" + k + ", " + k + ", " + in + ", "
                        + filters + "]: kernel_size " + k + "×" + k + " and " + filters + " filters from its config, "
                        + in + " input channels from " + prev);
            }
            if (bias.length != 1 || bias[0] != filters) {
                throw new ModelException(file + ": layer '" + conv.label() + "' has a bias of shape "
                        + Arrays.toString(bias) + ", expected [" + filters + "]");
            }
            in = filters;
            prev = "'" + conv.label() + "'";
        }
    }

    /** One conv of a full model, after {@link #checkStoredShapes} passed. */
    private static ConvLayer fullModelConv(Hdf5File h5, LayerSpec spec) {
        String group = WEIGHTS_ROOT + "/" + spec.name();
        List<String> names = weightNames(h5, group, spec.label());
        Hdf5File.FloatData kernel = h5.readFloats(group + "/" + names.get(0));
        Hdf5File.FloatData bias = h5.readFloats(group + "/" + names.get(1));
        long[] s = kernel.shape();
        return convLayer(h5.fileName(), spec.name(), (int) s[3], (int) s[2], (int) s[0], (int) s[1],
                hwioToOihw(kernel.data(), (int) s[0], (int) s[1], (int) s[2], (int) s[3]), bias.data());
    }

    // ---- weights-only files (Keras applications) ---------------------------------------------------

    /**
     * A weights-only Keras file, as the Keras-applications VGG-19 "notop" download is: root attribute
     * {@code layer_names} (the layer order), one group per layer whose {@code weight_names} attribute lists its
     * datasets, kernel first, then bias. Dataset names differ between Keras versions
     * ({@code block1_conv1_W_1:0} in the 2016 release, {@code block1_conv1/kernel:0} from tf.keras), so they are
     * taken from {@code weight_names}, never hard-coded.
     */
    private static EncoderWeights applicationsEncoder(Hdf5File h5) {
        String file = h5.fileName();
        List<String> layerNames = h5.stringList("/", LAYER_NAMES, MAX_NAME_BYTES);
        List<String> weighted = new ArrayList<>();
        List<List<String>> weightNames = new ArrayList<>();
        for (String layer : layerNames) {
            if (weighted.size() == APPLICATIONS_LAYERS.size()) {
                break; // block4_conv2 and later are not part of the encoder
            }
            if (!h5.exists(layer)) {
                throw new ModelException(file + ": layer_names lists '" + SafeText.of(layer) + "' but the file has "
                        + "no such group");
            }
            List<String> names = h5.stringList(layer, WEIGHT_NAMES, MAX_NAME_BYTES);
            if (names == null) {
                throw new ModelException(file + ": layer '" + SafeText.of(layer) + "' has no weight_names attribute");
            }
            if (!names.isEmpty()) {
                weighted.add(layer);
                weightNames.add(names);
            }
        }
        if (weighted.size() < APPLICATIONS_LAYERS.size()) {
            throw new ModelException(file + ": holds " + weighted.size() + " layers with weights "
                    + shownList(weighted) + ", but the Keras-applications VGG-19 encoder needs "
                    + APPLICATIONS_LAYERS.size() + " (" + APPLICATIONS_LAYERS + ")");
        }
        List<ConvLayer> convs = new ArrayList<>();
        for (int i = 0; i < APPLICATIONS_LAYERS.size(); i++) {
            String layer = weighted.get(i);
            if (!layer.equals(APPLICATIONS_LAYERS.get(i))) {
                throw new ModelException(file + ": weighted layer " + (i + 1) + " is '" + SafeText.of(layer)
                        + "', expected '" + APPLICATIONS_LAYERS.get(i) + "'; a weights-only file is read as the "
                        + "Keras-applications VGG-19 (layers " + APPLICATIONS_LAYERS + "). A normalised VGG-19 or a "
                        + "decoder must be a full model saved with model.save()");
            }
            convs.add(applicationsConv(h5, layer, weightNames.get(i)));
        }
        return new EncoderWeights(EncoderKind.KERAS_APPLICATIONS_VGG19, null, convs, file);
    }

    private static ConvLayer applicationsConv(Hdf5File h5, String layer, List<String> names) {
        String file = h5.fileName();
        String shown = SafeText.of(layer);
        if (names.size() != 2) {
            throw new ModelException(file + ": layer '" + shown + "' stores " + names.size() + " weights "
                    + shownList(names) + ", expected 2 (kernel, bias)");
        }
        for (String name : names) {
            if (!h5.exists(layer + "/" + name)) {
                throw new ModelException(file + ": layer '" + shown + "' lists the weight '" + SafeText.of(name)
                        + "' in weight_names, but the file has no dataset '" + SafeText.of(layer + "/" + name) + "'");
            }
        }
        Hdf5File.FloatData kernel = h5.readFloats(layer + "/" + names.get(0));
        Hdf5File.FloatData bias = h5.readFloats(layer + "/" + names.get(1));
        long[] k = kernel.shape();
        if (k.length != 4 || Arrays.stream(k).anyMatch(d -> d < 1 || d > Integer.MAX_VALUE)) {
            throw new ModelException(file + ": layer '" + shown + "' has a kernel '" + SafeText.of(names.get(0))
                    + "' of shape " + kernel.shapeString() + ", expected 4 dimensions [kh, kw, in, out]");
        }
        if (bias.shape().length != 1 || bias.shape()[0] != k[3]) {
            throw new ModelException(file + ": layer '" + shown + "' has a bias '" + SafeText.of(names.get(1))
                    + "' of shape " + bias.shapeString() + ", expected [" + k[3] + "] to match its kernel "
                    + kernel.shapeString());
        }
        int kh = (int) k[0];
        int kw = (int) k[1];
        int in = (int) k[2];
        int out = (int) k[3];
        return convLayer(file, layer, out, in, kh, kw, hwioToOihw(kernel.data(), kh, kw, in, out), bias.data());
    }

    // ---- shared -----------------------------------------------------------------------------------

    private static String shownList(List<String> names) {
        List<String> shown = new ArrayList<>();
        for (int i = 0; i < Math.min(names.size(), 12); i++) {
            shown.add(SafeText.of(names.get(i), 80));
        }
        return "[" + String.join(", ", shown) + (names.size() > 12 ? ", … (" + names.size() + " in all)" : "") + "]";
    }

    /**
     * Keras/TensorFlow kernel {@code [kh][kw][in][out]} (HWIO) to PyTorch's {@code [out][in][kh][kw]} (OIHW):
     * {@code oihw[o][i][y][x] = hwio[y][x][i][o]}.
     */
    static float[] hwioToOihw(float[] hwio, int kh, int kw, int in, int out) {
        float[] oihw = new float[hwio.length];
        int dst = 0;
        for (int o = 0; o < out; o++) {
            for (int i = 0; i < in; i++) {
                for (int y = 0; y < kh; y++) {
                    for (int x = 0; x < kw; x++) {
                        oihw[dst++] = hwio[((y * kw + x) * in + i) * out + o];
                    }
                }
            }
        }
        return oihw;
    }

    /** Builds the ConvLayer; its own checks (lengths, NaN/Inf) name the layer, the file is prefixed here. */
    private static ConvLayer convLayer(String file, String name, int out, int in, int kh, int kw, float[] oihw,
            float[] bias) {
        try {
            return new ConvLayer(SafeText.of(name), out, in, kh, kw, oihw, bias);
        } catch (ModelException e) {
            throw new ModelException(file + ": " + e.getMessage(), e);
        }
    }
}
