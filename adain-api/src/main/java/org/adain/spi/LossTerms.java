package org.adain.spi;

import java.util.Arrays;

/**
 * The terms of the decoder's training objective for a batch of (content, style) pairs, port semantics
 * (SEMANTICS §9.1): with {@code t = AdaIN(relu4_1(c), relu4_1(s))} and {@code g = decoder(t)},
 * <ul>
 *   <li>{@code content = mean((relu4_1(g) − t)²)} over all N·C·h·w elements;</li>
 *   <li>{@code styleLayers[i] = mean_{N·C}((μ(φᵢ(g)) − μ(φᵢ(s)))²) + mean_{N·C}((σ(φᵢ(g)) − σ(φᵢ(s)))²)}
 *   for φ = relu1_1, relu2_1, relu3_1, relu4_1, with σ = sqrt(unbiased variance + 1e-5).</li>
 * </ul>
 * Under Torch7 semantics ({@link org.adain.Semantics#TORCH7}, SEMANTICS §9.2: {@code StyleINLossModule.lua}) t is
 * the Torch7 AdaIN and {@code styleLayers[i] = (Σ_{n,c} (μ(φᵢ(g)) − μ(φᵢ(s)))² + Σ_{n,c} (σ_g − σ_s)²) / N} with
 * {@code σ_g = sqrt(biased variance + 1e-6)} and {@code σ_s = sqrt(biased variance)}; the content term is the same.
 *
 * <pre>{@code
 * LossTerms l = model.losses(contents, styles);
 * double loss = l.total(1.0, 10.0); // content weight 1, style weight 10 (the port's defaults)
 * }</pre>
 *
 * @param content     the content loss, unweighted, ≥ 0
 * @param styleLayers the four style-loss terms, unweighted, for relu1_1, relu2_1, relu3_1, relu4_1 in that order
 */
public record LossTerms(double content, double[] styleLayers) {
    /**
     * Checks the number of style terms and copies them.
     *
     * @param content     the content loss, unweighted
     * @param styleLayers the four style-loss terms (copied)
     * @throws IllegalArgumentException {@code styleLayers} does not hold 4 values
     */
    public LossTerms {
        if (styleLayers.length != 4) {
            throw new IllegalArgumentException("Expected 4 style-loss terms (relu1_1..relu4_1), got "
                    + styleLayers.length);
        }
        styleLayers = styleLayers.clone();
    }

    /**
     * The four style-loss terms.
     *
     * @return a copy: relu1_1, relu2_1, relu3_1, relu4_1
     */
    @Override
    public double[] styleLayers() {
        return styleLayers.clone();
    }

    /**
     * The style loss {@code Ls}, unweighted.
     *
     * @return the sum of the four style terms
     */
    public double style() {
        double s = 0;
        for (double v : styleLayers) {
            s += v;
        }
        return s;
    }

    /**
     * The training objective, what a training step minimises.
     *
     * @param contentWeight the weight of the content loss (1 in the port)
     * @param styleWeight   the weight of the style loss (10 in the port)
     * @return {@code contentWeight · content + styleWeight · style()}
     */
    public double total(double contentWeight, double styleWeight) {
        return contentWeight * content + styleWeight * style();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LossTerms l && l.content == content && Arrays.equals(l.styleLayers, styleLayers);
    }

    @Override
    public int hashCode() {
        return Double.hashCode(content) * 31 + Arrays.hashCode(styleLayers);
    }

    @Override
    public String toString() {
        return "LossTerms{content=" + content + ", style=" + Arrays.toString(styleLayers) + "}";
    }
}
