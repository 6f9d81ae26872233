package org.adain.spi;

import java.util.List;
import java.util.Objects;
import org.adain.Semantics;

/**
 * What a backend computes at relu4_1 for one transfer (SEMANTICS §2–4, §8):
 * <ul>
 *   <li>without regions: {@code t = alpha · Σ_k w_k · AdaIN(content, style_k) + (1 − alpha) · content};</li>
 *   <li>with regions: each position p takes {@code AdaIN} with the style {@code regions[p]}, the content
 *   statistics taken over that region's positions only and the style's over its whole map; then the same
 *   alpha blend with the whole content.</li>
 * </ul>
 * AdaIN uses the statistics of {@code semantics} per sample and channel: for
 * {@link Semantics#PYTORCH_PORT} mean and {@code std = sqrt(unbiased variance + 1e-5)} on both sides; for
 * {@link Semantics#TORCH7} the content is normalised with {@code sqrt(biased variance + 1e-5)} and the styles'
 * std is {@code sqrt(biased variance)} without eps (SEMANTICS §2.2), so single-position maps are allowed and give
 * the style mean. With regions, Torch7 semantics likewise use the biased statistics. The API has already
 * validated everything here: weights are non-negative and sum to 1, alpha is in [0, 1], every region index names
 * a style, and (port semantics) each region has at least two positions.
 *
 * @param content  content features, batch 1
 * @param styles   style features, each batch 1, any spatial size, same channels as the content
 * @param weights  one weight per style, summing to 1 (ignored when {@code regions} is set)
 * @param alpha    content/style trade-off in [0, 1]
 * @param regions  null, or one style index per content feature position ({@code h·w} values, row-major)
 * @param semantics whose AdaIN statistics to use
 */
public record TransferPlan(FeatureMap content, List<FeatureMap> styles, double[] weights, double alpha,
        int[] regions, Semantics semantics) {
    /**
     * Copies the list and the arrays; the API validated the values before (see above).
     *
     * @param content   content features, batch 1
     * @param styles    style features, each batch 1
     * @param weights   one weight per style, summing to 1
     * @param alpha     content/style trade-off in [0, 1]
     * @param regions   null, or one style index per content feature position
     * @param semantics whose AdaIN statistics to use
     */
    public TransferPlan {
        Objects.requireNonNull(content, "content");
        Objects.requireNonNull(semantics, "semantics");
        styles = List.copyOf(styles);
        weights = weights.clone();
        regions = regions == null ? null : regions.clone();
    }

    /**
     * A plan with {@link Semantics#PYTORCH_PORT} statistics, as before semantics existed.
     *
     * @param content content features, batch 1
     * @param styles  style features, each batch 1
     * @param weights one weight per style, summing to 1
     * @param alpha   content/style trade-off in [0, 1]
     * @param regions null, or one style index per content feature position
     */
    public TransferPlan(FeatureMap content, List<FeatureMap> styles, double[] weights, double alpha, int[] regions) {
        this(content, styles, weights, alpha, regions, Semantics.PYTORCH_PORT);
    }

    /**
     * The style weights.
     *
     * @return a copy, one weight per style
     */
    @Override
    public double[] weights() {
        return weights.clone();
    }

    /**
     * The region map.
     *
     * @return a copy, one style index per content feature position in row-major order, or null without regions
     */
    @Override
    public int[] regions() {
        return regions == null ? null : regions.clone();
    }
}
