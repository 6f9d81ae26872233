package org.adain.spi;

/**
 * A backend's handle to an {@code N×C×H×W} feature map held in its own memory (native memory for most
 * backends). Closing it frees that memory early; a backend must also free it when the handle is garbage
 * collected. Handles are only valid with the {@link StyleModel} that made them.
 */
public interface FeatureMap extends AutoCloseable {
    int batch();

    int channels();

    int height();

    int width();

    /** A heap copy of the values. */
    Tensor toTensor();

    /** Frees the backend memory now. Idempotent. */
    @Override
    void close();
}
