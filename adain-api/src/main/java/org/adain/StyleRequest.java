package org.adain;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One stylisation: a content image, one or more styles with weights, and the run-time controls. Immutable;
 * made by {@link #builder()}, which validates everything at {@link Builder#build()}.
 *
 * <pre>{@code
 * StyleRequest r = StyleRequest.builder()
 *         .content(photo)
 *         .style(monet, 1).style(picasso, 3)   // interpolation, weights normalised to 0.25 / 0.75
 *         .alpha(0.8)                          // content/style trade-off at relu4_1
 *         .preserveColor(true)                 // CORAL on the styles
 *         .build();
 * }</pre>
 *
 * Defaults follow the reference: alpha 1, content and style resized so the shorter side is 512, no crop, no
 * colour preservation, no mask.
 */
public final class StyleRequest {
    /** The reference implementation's default for content and style size. */
    public static final int DEFAULT_SIZE = 512;

    /** A style: an image or already-encoded features, with its interpolation weight. */
    record Style(ImageTensor image, StyleFeatures features, double weight) {
    }

    private final ImageTensor content;
    private final List<Style> styles;
    private final double[] weights;
    private final double alpha;
    private final boolean preserveColor;
    private final SpatialMask mask;
    private final int contentSize;
    private final int styleSize;
    private final boolean crop;

    private StyleRequest(Builder b, double[] weights) {
        this.content = b.content;
        this.styles = List.copyOf(b.styles);
        this.weights = weights;
        this.alpha = b.alpha;
        this.preserveColor = b.preserveColor;
        this.mask = b.mask;
        this.contentSize = b.contentSize;
        this.styleSize = b.styleSize;
        this.crop = b.crop;
    }

    public static Builder builder() {
        return new Builder();
    }

    public ImageTensor content() {
        return content;
    }

    List<Style> styles() {
        return styles;
    }

    /** Number of styles. */
    public int styleCount() {
        return styles.size();
    }

    /** The interpolation weights, normalised to sum 1. */
    public double[] normalisedWeights() {
        return weights.clone();
    }

    public double alpha() {
        return alpha;
    }

    public boolean preserveColor() {
        return preserveColor;
    }

    /** The mask, or null. */
    public SpatialMask mask() {
        return mask;
    }

    public int contentSize() {
        return contentSize;
    }

    public int styleSize() {
        return styleSize;
    }

    public boolean crop() {
        return crop;
    }

    /** Collects a request's parts; {@link #build()} checks them all. Not thread-safe. */
    public static final class Builder {
        private ImageTensor content;
        private final List<Style> styles = new ArrayList<>();
        private boolean weightsGiven;
        private double alpha = 1.0;
        private boolean preserveColor;
        private SpatialMask mask;
        private int contentSize = DEFAULT_SIZE;
        private int styleSize = DEFAULT_SIZE;
        private boolean crop;

        private Builder() {
        }

        /** The content image (any colour model; converted to RGB). */
        public Builder content(BufferedImage image) {
            this.content = ImageTensor.fromImage(Objects.requireNonNull(image, "content image"));
            return this;
        }

        /** The content as floats in [0, 1]. */
        public Builder content(ImageTensor image) {
            this.content = Objects.requireNonNull(image, "content image");
            return this;
        }

        /** Adds a style with weight 1. */
        public Builder style(BufferedImage image) {
            return add(ImageTensor.fromImage(Objects.requireNonNull(image, "style image")), null, 1, false);
        }

        /** Adds a style with an interpolation weight (any non-negative number; weights are normalised). */
        public Builder style(BufferedImage image, double weight) {
            return add(ImageTensor.fromImage(Objects.requireNonNull(image, "style image")), null, weight, true);
        }

        public Builder style(ImageTensor image) {
            return add(Objects.requireNonNull(image, "style image"), null, 1, false);
        }

        public Builder style(ImageTensor image, double weight) {
            return add(Objects.requireNonNull(image, "style image"), null, weight, true);
        }

        /** Adds a pre-encoded style ({@link StyleTransfer#encodeStyle}); the style size and crop were set then. */
        public Builder style(StyleFeatures features) {
            return add(null, Objects.requireNonNull(features, "style features"), 1, false);
        }

        public Builder style(StyleFeatures features, double weight) {
            return add(null, Objects.requireNonNull(features, "style features"), weight, true);
        }

        private Builder add(ImageTensor image, StyleFeatures features, double weight, boolean explicitWeight) {
            styles.add(new Style(image, features, weight));
            weightsGiven |= explicitWeight;
            return this;
        }

        /** Content/style trade-off in [0, 1]: 0 decodes the content's own features, 1 (default) is full style. */
        public Builder alpha(double alpha) {
            this.alpha = alpha;
            return this;
        }

        /** Recolour each style to the content's colours (CORAL, {@link ColorTransfer}) before encoding. */
        public Builder preserveColor(boolean preserveColor) {
            this.preserveColor = preserveColor;
            return this;
        }

        /** Spatial control: region k of the mask takes style k. Not combinable with explicit weights. */
        public Builder mask(SpatialMask mask) {
            this.mask = mask;
            return this;
        }

        /** Shorter side of the content after resizing; 0 keeps its size. Default 512. */
        public Builder contentSize(int size) {
            this.contentSize = size;
            return this;
        }

        /** Shorter side of each style image after resizing; 0 keeps its size. Default 512. */
        public Builder styleSize(int size) {
            this.styleSize = size;
            return this;
        }

        /** After resizing, take the centre square of {@code size×size} (of the shorter side for size 0). */
        public Builder crop(boolean crop) {
            this.crop = crop;
            return this;
        }

        /** Validates and builds. */
        public StyleRequest build() {
            if (content == null) {
                throw new InvalidRequestException("No content image: call content(...)");
            }
            if (styles.isEmpty()) {
                throw new InvalidRequestException("No style: call style(...) at least once");
            }
            if (!(alpha >= 0 && alpha <= 1)) {
                throw new InvalidRequestException("alpha must be in [0, 1], got " + alpha);
            }
            if (contentSize < 0) {
                throw new InvalidRequestException("contentSize must be ≥ 0 (0 keeps the size), got " + contentSize);
            }
            if (styleSize < 0) {
                throw new InvalidRequestException("styleSize must be ≥ 0 (0 keeps the size), got " + styleSize);
            }
            double sum = 0;
            for (int i = 0; i < styles.size(); i++) {
                double w = styles.get(i).weight();
                if (!Double.isFinite(w) || w < 0) {
                    throw new InvalidRequestException("Style weight " + i + " is " + w
                            + "; weights must be finite and ≥ 0");
                }
                sum += w;
            }
            if (!(sum > 0)) {
                throw new InvalidRequestException("Style weights sum to 0; at least one must be positive");
            }
            double[] normalised = new double[styles.size()];
            for (int i = 0; i < normalised.length; i++) {
                normalised[i] = styles.get(i).weight() / sum;
            }
            if (mask != null) {
                if (weightsGiven) {
                    throw new InvalidRequestException("A mask assigns one style per region; style weights cannot be "
                            + "combined with it");
                }
                if (styles.size() < 2) {
                    throw new InvalidRequestException("A mask needs at least 2 styles (region k takes style k), got "
                            + styles.size());
                }
                mask.requireAllUsed(styles.size());
                if (crop && (mask.width() != content.width() || mask.height() != content.height())) {
                    throw new InvalidRequestException("With crop the mask must have the content's size "
                            + content.sizeString() + ", it is " + mask.width() + "×" + mask.height());
                }
            }
            return new StyleRequest(this, normalised);
        }
    }
}
