package org.adain.dl4j.modelimport;

import java.nio.file.Path;
import java.util.Objects;
import java.util.function.Function;
import org.adain.AdainException;
import org.adain.BackendException;
import org.adain.ModelException;
import org.adain.spi.DecoderWeights;
import org.adain.spi.EncoderWeights;
import org.adain.spi.WeightsReader;

/**
 * Reads AdaIN weights from Keras HDF5 files. Registered with {@link java.util.ServiceLoader} in
 * {@code META-INF/services/org.adain.spi.WeightsReader}; users normally never call it directly.
 *
 * <p>Encoders come in two flavours, told apart by content:
 * <ul>
 *   <li>a full Keras model ({@code model.save}; root attribute {@code model_config}) of the normalised VGG-19:
 *   InputLayer, a linear 1×1 {@code Conv2D} 3→3, then {@code ReflectionPadding2D} (1 on every side) + 3×3
 *   {@code Conv2D} (relu, padding valid) per conv, with 2×2/2 {@code MaxPooling2D} (padding same, i.e. ceil
 *   mode) after conv1_2, conv2_2 and conv3_4 → {@link org.adain.spi.EncoderKind#NORMALISED_VGG19}. Layers after
 *   conv4_1 are ignored;</li>
 *   <li>a weights-only file (root attribute {@code layer_names}, no {@code model_config}) such as the
 *   Keras-applications VGG-19 "notop" download → {@link org.adain.spi.EncoderKind#KERAS_APPLICATIONS_VGG19}.</li>
 * </ul>
 * Decoders must be full Keras models: nine ReflectionPadding2D + 3×3 Conv2D pairs (relu, the last linear) with
 * UpSampling2D (×2, nearest) after convs 0, 4 and 6. Layers are matched by order and type, never by name.
 * Both tf.keras 2.x files (h5py 3, variable-length strings, class_name "Functional") and Keras 2.3 files
 * (fixed-length strings, class_name "Model") are read.
 *
 * <pre>{@code
 * WeightsReader r = new KerasHdf5WeightsReader();
 * EncoderWeights enc = r.readEncoder(Path.of("vgg_normalised.h5"));
 * DecoderWeights dec = r.readDecoder(Path.of("decoder.h5"));
 * }</pre>
 *
 * <p>Thread-safe: the native HDF5 library and DL4J's import are not, so all reads in the process are
 * serialised on one static lock (DL4J's own HDF5 lock). Every problem with a file (missing, not HDF5,
 * truncated, corrupt, wrong layers, shapes or activations, NaN/Inf weights) is a {@link ModelException} whose
 * message starts with the file name and names the layer at fault.
 */
public final class KerasHdf5WeightsReader implements WeightsReader {
    private static final String MODEL_CONFIG = "model_config";
    private static final String LAYER_NAMES = "layer_names";
    private static final int HEAD_BYTES = 512;

    /** Creates a reader; loads no native code until a file is read. */
    public KerasHdf5WeightsReader() {
    }

    @Override
    public String formatName() {
        return "Keras HDF5";
    }

    /**
     * True when the file carries the HDF5 signature: at offset 0 (judged from {@code head}), or, since HDF5
     * allows a user block before the superblock, at 512, 1024, 2048, … (read from the file itself).
     */
    @Override
    public boolean canRead(Path file, byte[] head) {
        if (Hdf5Access.startsWithSignature(head)) {
            return true;
        }
        // a file shorter than the head has no room for a superblock after a user block
        return file != null && head != null && head.length >= HEAD_BYTES && Hdf5Access.signatureOffset(file) > 0;
    }

    @Override
    public EncoderWeights readEncoder(Path file) {
        return read(file, h5 -> {
            if (h5.hasRootAttribute(MODEL_CONFIG)) {
                return KerasFullModelReader.readEncoder(file, h5);
            }
            if (h5.hasRootAttribute(LAYER_NAMES)) {
                return KerasApplicationsReader.readEncoder(h5);
            }
            throw notKeras(h5.fileName());
        });
    }

    @Override
    public DecoderWeights readDecoder(Path file) {
        return read(file, h5 -> {
            if (h5.hasRootAttribute(MODEL_CONFIG)) {
                return KerasFullModelReader.readDecoder(file, h5);
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

    private static <T> T read(Path path, Function<Hdf5Access, T> body) {
        Objects.requireNonNull(path, "file");
        Path name = path.getFileName();
        String file = name == null ? path.toString() : name.toString();
        // before any native code: keeps random bytes and missing files away from the HDF5 library
        Hdf5Access.checkLooksLikeHdf5(path, file);
        try {
            synchronized (Hdf5Access.lock()) {
                try (Hdf5Access h5 = Hdf5Access.open(path, file)) {
                    return body.apply(h5);
                }
            }
        } catch (AdainException e) {
            throw e;
        } catch (LinkageError e) {
            throw new BackendException("Cannot read " + file + ": the native HDF5/ND4J libraries failed to load ("
                    + e + ")", e);
        } catch (RuntimeException e) {
            throw new ModelException(file + ": cannot read the file: " + e, e);
        }
    }
}
