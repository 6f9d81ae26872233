package org.adain.spi;

import java.util.Arrays;

/**
 * The terms of the decoder's training objective for a batch of (content, style) pairs, port semantics
 * (SEMANTICS §9.1): with {@code t = AdaIN(relu4_1(c), relu4_1(s))} and {@code g = decoder(t)},
 * <ul>
 *   <li>{@code content = mean((relu4_1(g) − t)²)} over all N·C·h·w elements;</li>
 *   <li>{@code styleLayers[i] = mean_{N·C}((μ(φᵢ(g)) − μ(φᵢ(s)))²) + mean_{N·C}((σ(φᵢ(g)) − σ(φᵢ(s)))²)} for
 *   φ = relu1_1, relu2_1, relu3_1, relu4_1, with σ = sqrt(unbiased variance + 1e-5).</li>
 * </ul>
 *
 * <pre>{@code
 * LossTerms l = model.losses(contents, styles);
 * double loss = l.total(1.0, 10.0); // content weight 1, style weight 10 (the port's defaults)
 * }</pre>
 */
public record LossTerms(double content, double[] styleLayers) {
    public LossTerms {
        if (styleLayers.length != 4) {
            throw new IllegalArgumentException("Expected 4 style-loss terms (relu1_1..relu4_1), got "
                    + styleLayers.length);
        }
        styleLayers = styleLayers.clone();
    }

    @Override
    public double[] styleLayers() {
        return styleLayers.clone();
    }

    /** Sum of the four style terms. */
    public double style() {
        double s = 0;
        for (double v : styleLayers) {
            s += v;
        }
        return s;
    }

    /** {@code contentWeight · content + styleWeight · style}. */
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
