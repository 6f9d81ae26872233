package org.adain.onnxruntime;

import java.util.Arrays;
import org.adain.spi.FeatureMap;
import org.adain.spi.Tensor;

/**
 * An N×C×H×W float32 map of one {@link OrtStyleModel}, on the Java heap: AdaIN runs in Java, and ORT copies its
 * inputs into its own arena anyway, so native copies between calls would only add work. The garbage collector
 * frees it; {@link #close()} drops the values at once.
 */
final class OrtFeatureMap implements FeatureMap {
    private final OrtStyleModel owner;
    private final int[] shape;
    private volatile float[] values;

    OrtFeatureMap(OrtStyleModel owner, float[] values, int... shape) {
        if (shape.length != 4 || (long) shape[0] * shape[1] * shape[2] * shape[3] != values.length) {
            throw new IllegalArgumentException("A feature map is N×C×H×W, got shape " + Arrays.toString(shape)
                    + " for " + values.length + " values");
        }
        this.owner = owner;
        this.shape = shape.clone();
        this.values = values;
    }

    OrtStyleModel owner() {
        return owner;
    }

    /** The values (not a copy: callers never modify them); throws when the map was closed. */
    float[] values() {
        float[] v = values;
        if (v == null) {
            throw new IllegalStateException("The feature map " + Arrays.toString(shape) + " was closed");
        }
        return v;
    }

    int[] shape() {
        return shape.clone();
    }

    @Override
    public int batch() {
        return shape[0];
    }

    @Override
    public int channels() {
        return shape[1];
    }

    @Override
    public int height() {
        return shape[2];
    }

    @Override
    public int width() {
        return shape[3];
    }

    @Override
    public Tensor toTensor() {
        return Tensor.of(values(), shape);
    }

    @Override
    public void close() {
        values = null;
    }

    @Override
    public String toString() {
        return "OrtFeatureMap" + Arrays.toString(shape) + (values == null ? " (closed)" : "");
    }
}
