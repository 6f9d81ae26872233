package org.adain.spi;

/**
 * A backend's handle to an {@code N×C×H×W} feature map held in its own memory (native memory for most
 * backends). Closing it frees that memory early; a backend must also free it when the handle is garbage
 * collected. Handles are only valid with the {@link StyleModel} that made them.
 */
public interface FeatureMap extends AutoCloseable {
    /**
     * Samples in the batch.
     *
     * @return N, ≥ 1
     */
    int batch();

    /**
     * Feature channels.
     *
     * @return C: for a map from {@link StyleModel#encode}, the encoder's relu4_1 channels (512 for VGG-19)
     */
    int channels();

    /**
     * Rows of the map.
     *
     * @return H, ≥ 1: for a map from {@link StyleModel#encode}, ⌈image height / 8⌉
     */
    int height();

    /**
     * Columns of the map.
     *
     * @return W, ≥ 1: for a map from {@link StyleModel#encode}, ⌈image width / 8⌉
     */
    int width();

    /**
     * Copies the values to the heap, e.g. for checks or for tiling that stitches maps together.
     *
     * @return an {@code N×C×H×W} tensor of the values
     * @throws IllegalStateException the map was closed
     */
    Tensor toTensor();

    /** Frees the backend memory now. Idempotent. */
    @Override
    void close();
}
