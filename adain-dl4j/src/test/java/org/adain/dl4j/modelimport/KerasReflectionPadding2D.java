package org.adain.dl4j.modelimport;

import java.util.Map;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ZeroPaddingLayer;
import org.deeplearning4j.nn.modelimport.keras.KerasLayer;
import org.deeplearning4j.nn.modelimport.keras.exceptions.InvalidKerasConfigurationException;
import org.deeplearning4j.nn.modelimport.keras.exceptions.UnsupportedKerasConfigurationException;

/**
 * Lets DL4J's Keras importer parse the AdaIN models' custom {@code ReflectionPadding2D} layer. Internal: it is
 * public only because DL4J instantiates registered custom layers reflectively through a public
 * {@code (Map<String, Object>)} constructor.
 *
 * <p>It maps to a {@link ZeroPaddingLayer} with the same padding, which has the same output shape but pads
 * with zeros. That is harmless here: the imported ComputationGraph is used only as a container to take the
 * converted convolution weights from, and is never run. The backends implement the reflection padding
 * themselves.
 */
public final class KerasReflectionPadding2D extends KerasLayer {

    /**
     * Called by DL4J's importer with the layer's Keras config.
     *
     * @param layerConfig the Keras layer dictionary ({@code class_name}, {@code config}, ...)
     * @throws InvalidKerasConfigurationException when the padding is not an int, a pair or a pair of pairs
     * @throws UnsupportedKerasConfigurationException never for this layer; declared by the superclass
     */
    public KerasReflectionPadding2D(Map<String, Object> layerConfig)
            throws InvalidKerasConfigurationException, UnsupportedKerasConfigurationException {
        // false: a padding layer has no training configuration worth enforcing
        super(layerConfig, false);
        int[] p = KerasTopology.paddings(KerasModelConfig.toJson(innerConfig(layerConfig).get("padding")));
        if (p == null) {
            throw new InvalidKerasConfigurationException("ReflectionPadding2D layer '" + layerName
                    + "' has an unreadable padding " + innerConfig(layerConfig).get("padding"));
        }
        CNN2DFormat format = dimOrder == DimOrder.THEANO ? CNN2DFormat.NCHW : CNN2DFormat.NHWC;
        this.layer = new ZeroPaddingLayer.Builder(p[0], p[1], p[2], p[3]).dataFormat(format).name(layerName)
                .build();
        this.vertex = null;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> innerConfig(Map<String, Object> layerConfig) {
        Object inner = layerConfig.get("config");
        return inner instanceof Map ? (Map<String, Object>) inner : Map.of();
    }

    @Override
    public InputType getOutputType(InputType... inputType) throws InvalidKerasConfigurationException {
        if (inputType.length != 1) {
            throw new InvalidKerasConfigurationException("ReflectionPadding2D layer '" + layerName
                    + "' takes one input, got " + inputType.length);
        }
        return ((ZeroPaddingLayer) layer).getOutputType(-1, inputType[0]);
    }
}
