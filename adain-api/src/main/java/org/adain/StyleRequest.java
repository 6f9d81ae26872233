package org.adain;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.UnaryOperator;

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
 *
 * <p>The builder's setters throw only {@link NullPointerException} (for a null image or features), and the
 * {@link BufferedImage} ones {@link InvalidRequestException} for a float raster holding a value out of range
 * ({@link ImageTensor#fromImage}); {@link Builder#build()} throws {@link InvalidRequestException} naming the setting
 * at fault. Image sizes are
 * checked when the request runs ({@link StyleTransfer#stylize}), against the instance's pixel limit.
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
    private final UnaryOperator<FeatureStatistics> contentStatistics;

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
        this.contentStatistics = b.contentStatistics;
    }

    /**
     * Starts a request.
     *
     * @return an empty builder: give it a content and at least one style, then call {@link Builder#build()}
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The content image as given (before resizing).
     *
     * @return the content
     */
    public ImageTensor content() {
        return content;
    }

    List<Style> styles() {
        return styles;
    }

    /**
     * The number of styles.
     *
     * @return at least 1
     */
    public int styleCount() {
        return styles.size();
    }

    /**
     * The interpolation weights, normalised to sum 1.
     *
     * @return a copy, one weight per style in the order they were added
     */
    public double[] normalisedWeights() {
        return weights.clone();
    }

    /**
     * The content/style trade-off.
     *
     * @return alpha in [0, 1]
     */
    public double alpha() {
        return alpha;
    }

    /**
     * Whether each style is recoloured to the content's colours first.
     *
     * @return true for colour preservation
     */
    public boolean preserveColor() {
        return preserveColor;
    }

    /**
     * The spatial control.
     *
     * @return the mask, or null
     */
    public SpatialMask mask() {
        return mask;
    }

    /**
     * The content's shorter side after resizing.
     *
     * @return the size; 0 keeps the content's size
     */
    public int contentSize() {
        return contentSize;
    }

    /**
     * Each style image's shorter side after resizing.
     *
     * @return the size; 0 keeps each style's size
     */
    public int styleSize() {
        return styleSize;
    }

    /**
     * Whether the centre square is taken after resizing.
     *
     * @return true to crop
     */
    public boolean crop() {
        return crop;
    }

    /**
     * The content-statistics filter.
     *
     * @return the filter given to {@link Builder#contentStatistics}, or null (AdaIN uses the content's own)
     */
    public UnaryOperator<FeatureStatistics> contentStatistics() {
        return contentStatistics;
    }

    /**
     * Collects a request's parts; {@link #build()} checks them all. Not thread-safe.
     *
     * <pre>{@code
     * StyleRequest r = StyleRequest.builder().content(photo).style(painting).alpha(0.5).build();
     * }</pre>
     */
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
        private UnaryOperator<FeatureStatistics> contentStatistics;

        private Builder() {
        }

        /**
         * Required: the content image.
         *
         * @param image any colour model; converted to RGB
         * @return this builder
         * @throws InvalidRequestException a float raster holds a value out of range ({@link ImageTensor#fromImage})
         * @throws NullPointerException    {@code image} is null
         */
        public Builder content(BufferedImage image) {
            this.content = ImageTensor.fromImage(Objects.requireNonNull(image, "content image"));
            return this;
        }

        /**
         * Required: the content as floats.
         *
         * @param image RGB, nominally in [0, 1]
         * @return this builder
         * @throws NullPointerException {@code image} is null
         */
        public Builder content(ImageTensor image) {
            this.content = Objects.requireNonNull(image, "content image");
            return this;
        }

        /**
         * Adds a style with weight 1.
         *
         * @param image any colour model; converted to RGB
         * @return this builder
         * @throws InvalidRequestException a float raster holds a value out of range ({@link ImageTensor#fromImage})
         * @throws NullPointerException    {@code image} is null
         */
        public Builder style(BufferedImage image) {
            return add(ImageTensor.fromImage(Objects.requireNonNull(image, "style image")), null, 1, false);
        }

        /**
         * Adds a style with an interpolation weight.
         *
         * @param image  any colour model; converted to RGB
         * @param weight any finite number ≥ 0 (checked by {@link #build()}); the weights are normalised to sum 1
         * @return this builder
         * @throws InvalidRequestException a float raster holds a value out of range ({@link ImageTensor#fromImage})
         * @throws NullPointerException    {@code image} is null
         */
        public Builder style(BufferedImage image, double weight) {
            return add(ImageTensor.fromImage(Objects.requireNonNull(image, "style image")), null, weight, true);
        }

        /**
         * Adds a style given as floats, with weight 1.
         *
         * @param image RGB, nominally in [0, 1]
         * @return this builder
         * @throws NullPointerException {@code image} is null
         */
        public Builder style(ImageTensor image) {
            return add(Objects.requireNonNull(image, "style image"), null, 1, false);
        }

        /**
         * Adds a style given as floats, with an interpolation weight.
         *
         * @param image  RGB, nominally in [0, 1]
         * @param weight any finite number ≥ 0 (checked by {@link #build()}); the weights are normalised to sum 1
         * @return this builder
         * @throws NullPointerException {@code image} is null
         */
        public Builder style(ImageTensor image, double weight) {
            return add(Objects.requireNonNull(image, "style image"), null, weight, true);
        }

        /**
         * Adds a pre-encoded style ({@link StyleTransfer#encodeStyle}), with weight 1; its size and crop were set
         * when it was encoded.
         *
         * @param features made by the {@code StyleTransfer} this request will run on, and not closed
         * @return this builder
         * @throws NullPointerException {@code features} is null
         */
        public Builder style(StyleFeatures features) {
            return add(null, Objects.requireNonNull(features, "style features"), 1, false);
        }

        /**
         * Adds a pre-encoded style ({@link StyleTransfer#encodeStyle}) with an interpolation weight.
         *
         * @param features made by the {@code StyleTransfer} this request will run on, and not closed
         * @param weight   any finite number ≥ 0 (checked by {@link #build()}); the weights are normalised to sum 1
         * @return this builder
         * @throws NullPointerException {@code features} is null
         */
        public Builder style(StyleFeatures features, double weight) {
            return add(null, Objects.requireNonNull(features, "style features"), weight, true);
        }

        private Builder add(ImageTensor image, StyleFeatures features, double weight, boolean explicitWeight) {
            styles.add(new Style(image, features, weight));
            weightsGiven |= explicitWeight;
            return this;
        }

        /**
         * Content/style trade-off: 0 decodes the content's own features, 1 (default) is full style.
         *
         * @param alpha in [0, 1] (checked by {@link #build()})
         * @return this builder
         */
        public Builder alpha(double alpha) {
            this.alpha = alpha;
            return this;
        }

        /**
         * Recolour each style to the content's colours (CORAL, {@link ColorTransfer}) before encoding.
         *
         * @param preserveColor true to preserve the content's colours; default false
         * @return this builder
         */
        public Builder preserveColor(boolean preserveColor) {
            this.preserveColor = preserveColor;
            return this;
        }

        /**
         * Spatial control: region k of the mask takes style k. Not combinable with explicit weights. The mask must
         * have the size of the content as given ({@link #build()} refuses another size, naming both); it takes the
         * content's resizing and crop. For a mask of another size, say so explicitly:
         * {@code mask(m.scaledTo(content.getWidth(), content.getHeight()))}.
         *
         * @param mask the content's size as given; null for none (the default)
         * @return this builder
         */
        public Builder mask(SpatialMask mask) {
            this.mask = mask;
            return this;
        }

        /**
         * Chooses the content statistics AdaIN normalises with. After encoding the content, the API measures its
         * per-channel relu4_1 {@link FeatureStatistics} and calls {@code filter} once with them; AdaIN then uses the
         * statistics it returns in place of the measured ones:
         * {@code t = alpha · Σ_k w_k · (σ_k · (c − μ') / σ' + μ_k) + (1 − alpha) · c}. Returning the argument gives
         * the ordinary result (up to float rounding). A video stabiliser uses it to smooth the statistics over
         * frames, which the per-frame statistics make flicker. Not combinable with a mask.
         *
         * <pre>{@code
         * StyleRequest.builder().content(frame).style(starry).contentStatistics(stabiliser::smooth).build();
         * }</pre>
         *
         * @param filter measured statistics to used ones (called on the stylising thread, with as many channels as
         *               the encoder has; it must return as many); null for none (the default)
         * @return this builder
         */
        public Builder contentStatistics(UnaryOperator<FeatureStatistics> filter) {
            this.contentStatistics = filter;
            return this;
        }

        /**
         * Shorter side of the content after resizing. Default 512.
         *
         * @param size ≥ 0 (checked by {@link #build()}); 0 keeps the size
         * @return this builder
         */
        public Builder contentSize(int size) {
            this.contentSize = size;
            return this;
        }

        /**
         * Shorter side of each style image after resizing. Default 512.
         *
         * @param size ≥ 0 (checked by {@link #build()}); 0 keeps the size
         * @return this builder
         */
        public Builder styleSize(int size) {
            this.styleSize = size;
            return this;
        }

        /**
         * After resizing, take the centre square of {@code size×size} (of the shorter side for size 0).
         *
         * @param crop true to crop; default false
         * @return this builder
         */
        public Builder crop(boolean crop) {
            this.crop = crop;
            return this;
        }

        /**
         * Validates and builds.
         *
         * @return the immutable request
         * @throws InvalidRequestException no content or no style; alpha, a size or a weight out of range; a pixel
         *                                 value of the content or a style image NaN, infinite or outside
         *                                 [{@link ImageTensor#MIN_VALUE}, {@link ImageTensor#MAX_VALUE}] (named with
         *                                 its position); a mask whose size differs from the content's (both
         *                                 sizes named) or that does not fit the styles, or is combined
         *                                 with a content-statistics filter
         */
        public StyleRequest build() {
            if (content == null) {
                throw new InvalidRequestException("No content image: call content(...)");
            }
            if (styles.isEmpty()) {
                throw new InvalidRequestException("No style: call style(...) at least once");
            }
            content.requireInRange("The content image");
            for (int i = 0; i < styles.size(); i++) {
                if (styles.get(i).image() != null) {
                    styles.get(i).image().requireInRange("Style image " + i);
                }
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
                if (contentStatistics != null) {
                    throw new InvalidRequestException("A content-statistics filter cannot be combined with a mask: "
                            + "with a mask each region has its own content statistics");
                }
                if (weightsGiven) {
                    throw new InvalidRequestException("A mask assigns one style per region; style weights cannot be "
                            + "combined with it");
                }
                if (styles.size() < 2) {
                    throw new InvalidRequestException("A mask needs at least 2 styles (region k takes style k), got "
                            + styles.size());
                }
                if (mask.width() != content.width() || mask.height() != content.height()) {
                    throw new InvalidRequestException("The mask is " + mask.width() + "×" + mask.height()
                            + " but the content is " + content.sizeString() + " (width×height); a mask must have "
                            + "the content's size as given. To stretch it, pass mask.scaledTo("
                            + content.width() + ", " + content.height() + ")");
                }
                mask.requireAllUsed(styles.size());
            }
            return new StyleRequest(this, normalised);
        }
    }
}
