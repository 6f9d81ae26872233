package org.adain.dl4j.modelimport;

import java.util.ArrayList;
import java.util.List;
import org.adain.ModelException;
import org.adain.spi.ConvLayer;
import org.adain.spi.EncoderKind;
import org.adain.spi.EncoderWeights;

/**
 * Reads a weights-only Keras file, as the Keras-applications VGG-19 "notop" download is: root attribute
 * {@code layer_names} (the layer order), one group per layer whose {@code weight_names} attribute lists its
 * datasets, kernel first ({@code [kh, kw, in, out]}), then bias. Dataset names differ between Keras versions
 * ({@code block1_conv1_W_1:0} in the 2016 release, {@code block1_conv1/kernel:0} from tf.keras), so they are
 * taken from {@code weight_names}, never hard-coded. Uses HDF5 only, no ND4J. Callers hold
 * {@link Hdf5Access#lock()}.
 */
final class KerasApplicationsReader {
    /** The Keras-applications names of conv1_1 … conv4_1, in order. */
    static final List<String> LAYER_NAMES = List.of("block1_conv1", "block1_conv2", "block2_conv1", "block2_conv2",
            "block3_conv1", "block3_conv2", "block3_conv3", "block3_conv4", "block4_conv1");

    private KerasApplicationsReader() {
    }

    static EncoderWeights readEncoder(Hdf5Access h5) {
        String file = h5.fileName();
        List<String> layerNames = h5.readStringArrayAttribute("/", "layer_names");
        if (layerNames == null) {
            throw new ModelException(file + ": a weights-only Keras file needs the root attribute layer_names");
        }
        List<String> weighted = new ArrayList<>();
        List<List<String>> weightNames = new ArrayList<>();
        for (String layer : layerNames) {
            if (weighted.size() == LAYER_NAMES.size()) {
                break; // block4_conv2 and later are not part of the encoder
            }
            if (!h5.exists(layer)) {
                throw new ModelException(file + ": layer_names lists '" + layer + "' but the file has no such group");
            }
            List<String> names = h5.readStringArrayAttribute(layer, "weight_names");
            if (names == null) {
                throw new ModelException(file + ": layer '" + layer + "' has no weight_names attribute");
            }
            if (!names.isEmpty()) {
                weighted.add(layer);
                weightNames.add(names);
            }
        }
        if (weighted.size() < LAYER_NAMES.size()) {
            throw new ModelException(file + ": holds " + weighted.size() + " layers with weights " + weighted
                    + ", but the Keras-applications VGG-19 encoder needs " + LAYER_NAMES.size() + " (" + LAYER_NAMES
                    + ")");
        }
        List<ConvLayer> convs = new ArrayList<>();
        for (int i = 0; i < LAYER_NAMES.size(); i++) {
            String layer = weighted.get(i);
            if (!layer.equals(LAYER_NAMES.get(i))) {
                throw new ModelException(file + ": weighted layer " + (i + 1) + " is '" + layer + "', expected '"
                        + LAYER_NAMES.get(i) + "'; a weights-only file is read as the Keras-applications VGG-19 "
                        + "(layers " + LAYER_NAMES + "). A normalised VGG-19 or a decoder must be a full model "
                        + "saved with model.save()");
            }
            convs.add(readConv(h5, layer, weightNames.get(i)));
        }
        return new EncoderWeights(EncoderKind.KERAS_APPLICATIONS_VGG19, null, convs, file);
    }

    private static ConvLayer readConv(Hdf5Access h5, String layer, List<String> names) {
        String file = h5.fileName();
        if (names.size() != 2) {
            throw new ModelException(file + ": layer '" + layer + "' stores " + names.size() + " weights " + names
                    + ", expected 2 (kernel, bias)");
        }
        for (String name : names) {
            if (!h5.exists(layer + "/" + name)) {
                throw new ModelException(file + ": layer '" + layer + "' lists the weight '" + name
                        + "' in weight_names, but the file has no dataset '" + layer + "/" + name + "'");
            }
        }
        Hdf5Access.FloatData kernel = h5.readFloats(layer + "/" + names.get(0));
        Hdf5Access.FloatData bias = h5.readFloats(layer + "/" + names.get(1));
        long[] k = kernel.shape();
        if (k.length != 4) {
            throw new ModelException(file + ": layer '" + layer + "' has a kernel '" + names.get(0) + "' of shape "
                    + kernel.shapeString() + ", expected 4 dimensions [kh, kw, in, out]");
        }
        if (bias.shape().length != 1 || bias.shape()[0] != k[3]) {
            throw new ModelException(file + ": layer '" + layer + "' has a bias '" + names.get(1) + "' of shape "
                    + bias.shapeString() + ", expected [" + k[3] + "] to match its kernel " + kernel.shapeString());
        }
        int kh = (int) k[0];
        int kw = (int) k[1];
        int in = (int) k[2];
        int out = (int) k[3];
        float[] oihw = Kernels.hwioToOihw(kernel.data(), kh, kw, in, out);
        return Kernels.convLayer(file, layer, out, in, kh, kw, oihw, bias.data());
    }
}
