package org.adain.testkit;

import java.util.Locale;

/**
 * The tolerances a backend states for running the conformance kit at a reduced {@link org.adain.Precision} (see
 * {@link BackendConformanceKit#reducedPrecisionTolerances()}). They apply only where the networks run (the encoder,
 * the decoder and full transfers, whose outputs the network makes), and only where they are looser than the
 * case's float32 tolerance; everything computed in float32 whatever the precision (statistics, AdaIN on given
 * features, CORAL, the rounding of the output to 8 bits) keeps the float32 tolerances.
 *
 * <pre>{@code
 * @Override
 * protected ReducedPrecisionTolerances reducedPrecisionTolerances() {
 *     return new ReducedPrecisionTolerances(0.03, 3, 0.3);
 * }
 * }</pre>
 *
 * @param relative   the largest |error| of an array the networks compute, as a fraction of the largest |value| of
 *                   the expected array ({@link org.adain.testkit.reference.ExpectedArray#maxAbs()}): the case's
 *                   tolerance becomes {@code max(float32 tolerance, relative · maxAbs)}. In (0, 1)
 * @param maxLevels  the most an 8-bit level of a stylised image may differ from the reference's, in [1, 255]
 * @param meanLevels the largest mean |difference| of the 8-bit levels of a stylised image from the reference's, in
 *                   [0, maxLevels]; replaces the float32 rule that at most 1 % of the levels may be one off
 */
public record ReducedPrecisionTolerances(double relative, int maxLevels, double meanLevels) {
    /**
     * Checks the ranges.
     *
     * @param relative   as above, in (0, 1)
     * @param maxLevels  as above, in [1, 255]
     * @param meanLevels as above, in [0, maxLevels]
     * @throws IllegalArgumentException a value out of its range, naming it
     */
    public ReducedPrecisionTolerances {
        if (!(relative > 0 && relative < 1)) {
            throw new IllegalArgumentException("relative must be in (0, 1) (a fraction of the expected array's max "
                    + "|value|), got " + relative);
        }
        if (maxLevels < 1 || maxLevels > 255) {
            throw new IllegalArgumentException("maxLevels must be in [1, 255], got " + maxLevels);
        }
        if (!(meanLevels >= 0 && meanLevels <= maxLevels)) {
            throw new IllegalArgumentException("meanLevels must be in [0, maxLevels = " + maxLevels + "], got "
                    + meanLevels);
        }
    }

    /**
     * The tolerance of one array the networks compute.
     *
     * @param float32Tolerance the case's float32 tolerance, never loosened by less
     * @param maxAbs           the expected array's largest |value|
     * @return {@code max(float32Tolerance, relative · maxAbs)}
     */
    public double tolerance(double float32Tolerance, double maxAbs) {
        return Math.max(float32Tolerance, relative * maxAbs);
    }

    /**
     * The numbers, for messages and the kit's report.
     *
     * @return e.g. {@code "relative 0.03, max 3 levels, mean 0.3 levels"}
     */
    @Override
    public String toString() {
        return String.format(Locale.ROOT, "relative %.3g, max %d levels, mean %.3g levels", relative, maxLevels,
                meanLevels);
    }
}
