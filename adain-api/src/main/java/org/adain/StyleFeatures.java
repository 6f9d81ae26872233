package org.adain;

import java.util.Objects;
import org.adain.spi.FeatureMap;

/**
 * A style image encoded once, to reuse across many contents (batches, video frames): pass it to
 * {@link StyleRequest.Builder#style(StyleFeatures)} instead of the image and the encoder is skipped. Made by
 * {@link StyleTransfer#encodeStyle}; valid only with the {@code StyleTransfer} that made it. Holds backend
 * (native) memory: close it when done, or let the garbage collector free it.
 *
 * <pre>{@code
 * try (StyleFeatures starry = transfer.encodeStyle(styleImage)) {
 *     for (BufferedImage frame : frames) {
 *         out.add(transfer.stylize(StyleRequest.builder().content(frame).style(starry).build()));
 *     }
 * }
 * }</pre>
 *
 * <p>With {@link StyleRequest.Builder#preserveColor} the style must be recoloured for each content, so the
 * kept pixels are re-encoded and the cache gives no speed-up.
 */
public final class StyleFeatures implements AutoCloseable {
    private final FeatureMap features;
    private final ImageTensor pixels;
    private final Object owner;
    private volatile boolean closed;

    StyleFeatures(FeatureMap features, ImageTensor pixels, Object owner) {
        this.features = Objects.requireNonNull(features);
        this.pixels = Objects.requireNonNull(pixels);
        this.owner = owner;
    }

    FeatureMap features(Object expectedOwner) {
        if (closed) {
            throw new IllegalStateException("These StyleFeatures were closed; encode the style again");
        }
        if (owner != expectedOwner) {
            throw new InvalidRequestException("These StyleFeatures were made by another StyleTransfer instance; "
                    + "features are tied to the model and backend that encoded them");
        }
        return features;
    }

    /** The style image as it was encoded (after resizing and cropping). */
    public ImageTensor pixels() {
        return pixels;
    }

    /** Channels × height × width of the encoded relu4_1 features. */
    public String featureShape() {
        return features.channels() + "×" + features.height() + "×" + features.width();
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            features.close();
        }
    }

    @Override
    public String toString() {
        return "StyleFeatures[" + featureShape() + " from " + pixels.sizeString() + (closed ? ", closed" : "") + "]";
    }
}
