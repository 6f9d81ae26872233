package org.adain.dl4j;

import java.util.Arrays;
import org.adain.spi.FeatureMap;
import org.adain.spi.Tensor;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * An N×C×H×W float32 ND4J array owned by one {@link Dl4jStyleModel}. {@link #close()} frees its native memory
 * at once; otherwise ND4J's own garbage-collection hook frees it when the handle becomes unreachable.
 */
final class Dl4jFeatureMap implements FeatureMap {
    private final Dl4jStyleModel owner;
    private final long[] shape;
    private volatile INDArray array;

    Dl4jFeatureMap(Dl4jStyleModel owner, INDArray array) {
        if (array.rank() != 4) {
            throw new IllegalArgumentException("A feature map is N×C×H×W, got shape " + Arrays.toString(array.shape()));
        }
        this.owner = owner;
        this.shape = array.shape();
        this.array = array;
    }

    Dl4jStyleModel owner() {
        return owner;
    }

    /** The live array; throws when the map was closed. */
    INDArray array() {
        INDArray a = array;
        if (a == null) {
            throw new IllegalStateException("The feature map " + Arrays.toString(shape) + " was closed");
        }
        return a;
    }

    String shapeString() {
        return Arrays.toString(shape);
    }

    @Override
    public int batch() {
        return (int) shape[0];
    }

    @Override
    public int channels() {
        return (int) shape[1];
    }

    @Override
    public int height() {
        return (int) shape[2];
    }

    @Override
    public int width() {
        return (int) shape[3];
    }

    @Override
    public Tensor toTensor() {
        return Nd4jTensors.toTensor(array());
    }

    @Override
    public void close() {
        INDArray a;
        synchronized (this) {
            a = array;
            array = null;
        }
        if (a != null && !a.wasClosed() && a.closeable()) {
            a.close();
        }
    }

    @Override
    public String toString() {
        return "Dl4jFeatureMap" + Arrays.toString(shape) + (array == null ? " (closed)" : "");
    }
}
