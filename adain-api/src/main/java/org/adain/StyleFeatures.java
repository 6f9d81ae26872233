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
 *
 * <p>A request that holds closed features makes {@link StyleTransfer#stylize} throw
 * {@link IllegalStateException}; one that holds features of another {@code StyleTransfer},
 * {@link InvalidRequestException}. {@link #pixels()}, {@link #featureShape()} and {@link #toString()} work after
 * closing too.
 */
public final class StyleFeatures implements AutoCloseable {
    private final FeatureMap features;
    private final ImageTensor pixels;
    private final Object owner;
    private final String shape;
    private volatile boolean closed;

    StyleFeatures(FeatureMap features, ImageTensor pixels, Object owner) {
        this.features = Objects.requireNonNull(features);
        this.pixels = Objects.requireNonNull(pixels);
        this.owner = owner;
        // kept: a closed backend map need not answer any more
        this.shape = features.channels() + "×" + features.height() + "×" + features.width();
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

    /**
     * The style image as it was encoded.
     *
     * @return the pixels after resizing and cropping
     */
    public ImageTensor pixels() {
        return pixels;
    }

    /**
     * The size of the encoded relu4_1 features.
     *
     * @return channels × height × width, e.g. "512×64×64"
     */
    public String featureShape() {
        return shape;
    }

    /** Frees the backend memory of the features. Idempotent. */
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
