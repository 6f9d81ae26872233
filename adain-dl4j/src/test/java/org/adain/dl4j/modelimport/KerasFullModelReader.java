package org.adain.dl4j.modelimport;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.adain.AdainException;
import org.adain.ModelException;
import org.adain.dl4j.modelimport.KerasModelConfig.LayerSpec;
import org.adain.spi.ConvLayer;
import org.adain.spi.DecoderWeights;
import org.adain.spi.EncoderKind;
import org.adain.spi.EncoderWeights;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.modelimport.keras.KerasLayer;
import org.deeplearning4j.nn.modelimport.keras.KerasModel;
import org.deeplearning4j.nn.modelimport.keras.exceptions.InvalidKerasConfigurationException;
import org.deeplearning4j.nn.modelimport.keras.exceptions.UnsupportedKerasConfigurationException;
import org.deeplearning4j.nn.modelimport.keras.utils.KerasModelBuilder;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Reads a full Keras model file ({@code model.save}, root attribute {@code model_config}) with DL4J's Keras
 * import. Steps: parse and check the topology from the model config ({@link KerasTopology}); check the stored
 * kernel and bias shapes against it, so shape errors name the layer and the expected shape; import the model;
 * take each used conv's converted parameters out of the imported ComputationGraph.
 *
 * <p>The whole file is imported, layers after the last one used included: DL4J's weight import rejects a file
 * whose weight groups name layers missing from the model config, so the config cannot be cut short. Those
 * layers must therefore be ones DL4J can import (any standard Keras layer, or ReflectionPadding2D).
 *
 * <p>The ComputationGraph is only a weight container (DL4J has already converted Keras' HWIO kernels into its
 * {@code W} parameter, {@code [out, in, kh, kw]}, the OIHW layout of {@link ConvLayer}); it is never run.
 * Callers hold {@link Hdf5Access#lock()}.
 */
final class KerasFullModelReader {
    /** Where {@code model.save} puts the weights: one group per layer. */
    static final String WEIGHTS_ROOT = "model_weights";
    /** Height and width DL4J's shape inference gets for the unknown input size: a multiple of 8 for the three pools. */
    static final int INFERENCE_SIDE = 64;

    private KerasFullModelReader() {
    }

    static EncoderWeights readEncoder(Path path, Hdf5Access h5) {
        String file = h5.fileName();
        return importModel(path, h5, true, (match, graph) -> {
            ConvLayer pre = convFrom(graph, match.preprocess(), 3, file);
            List<ConvLayer> convs = new ArrayList<>();
            int in = pre.outChannels();
            for (LayerSpec spec : match.convs()) {
                ConvLayer c = convFrom(graph, spec, in, file);
                convs.add(c);
                in = c.outChannels();
            }
            return new EncoderWeights(EncoderKind.NORMALISED_VGG19, pre, convs, file);
        });
    }

    static DecoderWeights readDecoder(Path path, Hdf5Access h5) {
        String file = h5.fileName();
        return importModel(path, h5, false, (match, graph) -> {
            List<ConvLayer> convs = new ArrayList<>();
            int in = -1;
            for (LayerSpec spec : match.convs()) {
                ConvLayer c = convFrom(graph, spec, in, file);
                convs.add(c);
                in = c.outChannels();
            }
            return new DecoderWeights(convs, file);
        });
    }

    private interface Extractor<T> {
        T extract(KerasTopology.Match match, ComputationGraph graph);
    }

    private static <T> T importModel(Path path, Hdf5Access h5, boolean encoder, Extractor<T> extractor) {
        String file = h5.fileName();
        // DL4J looks custom layers up in a static registry; registering again is idempotent
        KerasLayer.registerCustomLayer(KerasTopology.PAD, KerasReflectionPadding2D.class);
        KerasModelBuilder builder = null;
        ComputationGraph graph = null;
        try {
            // modelHdf5Filename reads model_config in either string layout and adds keras_version and backend
            builder = new KerasModel().modelBuilder().modelHdf5Filename(path.toString())
                    .enforceTrainingConfig(false);
            String json = builder.getModelJson();
            KerasModelConfig config = KerasModelConfig.parse(json, file);
            KerasTopology.Match match = encoder ? KerasTopology.encoder(config, file)
                    : KerasTopology.decoder(config, file);
            checkStoredShapes(match, h5, match.inputChannels());
            builder.modelJson(KerasModelConfig.withInputSize(json, INFERENCE_SIDE, file));
            graph = builder.buildModel().getComputationGraph();
            return extractor.extract(match, graph);
        } catch (AdainException e) {
            throw e;
        } catch (IOException | InvalidKerasConfigurationException | UnsupportedKerasConfigurationException
                | RuntimeException e) {
            throw new ModelException(file + ": the Keras import failed: " + e.getMessage(), e);
        } finally {
            if (graph != null) {
                graph.close();
            }
            if (builder != null) {
                builder.close();
            }
        }
    }

    /**
     * Checks every used conv's stored kernel ({@code [kh, kw, in, out]}) and bias against its config and the
     * channels of the layer before, reading only the shapes. DL4J's own check is weaker: it silently reshapes a
     * weight whose element count matches, so a transposed kernel would be accepted with scrambled values.
     */
    private static void checkStoredShapes(KerasTopology.Match match, Hdf5Access h5, int inputChannels) {
        String file = h5.fileName();
        List<LayerSpec> convs = new ArrayList<>();
        if (match.preprocess() != null) {
            convs.add(match.preprocess());
        }
        convs.addAll(match.convs());
        int in = inputChannels;
        String prev = "the InputLayer";
        for (LayerSpec conv : convs) {
            String group = WEIGHTS_ROOT + "/" + conv.name();
            if (!h5.exists(group)) {
                throw new ModelException(file + ": layer '" + conv.name() + "' has no weights in the file (no group '"
                        + group + "')");
            }
            List<String> names = h5.readStringArrayAttribute(group, "weight_names");
            if (names == null) {
                throw new ModelException(file + ": layer '" + conv.name() + "' has no weight_names attribute in '"
                        + group + "'");
            }
            if (names.size() != 2) {
                throw new ModelException(file + ": layer '" + conv.name() + "' stores " + names.size()
                        + " weights " + names + ", expected 2 (kernel, bias)");
            }
            int k = conv.pair("kernel_size")[0];
            int filters = conv.config().get("filters").asInt();
            for (String name : names) {
                if (!h5.exists(group + "/" + name)) {
                    throw new ModelException(file + ": layer '" + conv.name() + "' lists the weight '" + name
                            + "' in weight_names, but the file has no dataset '" + group + "/" + name + "'");
                }
            }
            long[] kernel = h5.datasetShape(group + "/" + names.get(0));
            long[] bias = h5.datasetShape(group + "/" + names.get(1));
            boolean kernelOk = kernel.length == 4 && kernel[0] == k && kernel[1] == k && kernel[3] == filters
                    && kernel[2] == in;
            if (!kernelOk) {
                throw new ModelException(file + ": layer '" + conv.name() + "' has a kernel of shape "
                        + Arrays.toString(kernel) + " (kh, kw, in, out), expected [" + k + ", " + k + ", " + in + ", "
                        + filters + "]: kernel_size " + k + "×" + k + " and " + filters + " filters from its config, "
                        + in + " input channels from " + prev);
            }
            if (bias.length != 1 || bias[0] != filters) {
                throw new ModelException(file + ": layer '" + conv.name() + "' has a bias of shape "
                        + Arrays.toString(bias) + ", expected [" + filters + "]");
            }
            in = filters;
            prev = "'" + conv.name() + "'";
        }
    }

    /** One conv's parameters from the imported graph: DL4J's W is [out, in, kh, kw], b is [1, out]. */
    private static ConvLayer convFrom(ComputationGraph graph, LayerSpec spec, int expectedIn, String file) {
        Layer layer = graph.getLayer(spec.name());
        INDArray w = layer == null ? null : layer.getParam("W");
        INDArray b = layer == null ? null : layer.getParam("b");
        if (w == null || b == null) {
            throw new ModelException(file + ": the Keras import produced no weights for layer '" + spec.name() + "'");
        }
        long[] s = w.shape();
        int filters = spec.config().get("filters").asInt();
        int k = spec.pair("kernel_size")[0];
        if (s.length != 4 || s[0] != filters || s[2] != k || s[3] != k || (expectedIn > 0 && s[1] != expectedIn)) {
            throw new ModelException(file + ": the Keras import gave layer '" + spec.name() + "' a weight of shape "
                    + Arrays.toString(s) + ", expected [" + filters + ", " + (expectedIn > 0 ? expectedIn : "in")
                    + ", " + k + ", " + k + "] (out, in, kh, kw)");
        }
        return Kernels.convLayer(file, spec.name(), (int) s[0], (int) s[1], (int) s[2], (int) s[3], flat(w), flat(b));
    }

    private static float[] flat(INDArray a) {
        // new long[] {...}: a bare long after 'c' would pick the (rows, columns) overload
        return a.castTo(DataType.FLOAT).dup('c').reshape('c', new long[] {a.length()}).toFloatVector();
    }
}
