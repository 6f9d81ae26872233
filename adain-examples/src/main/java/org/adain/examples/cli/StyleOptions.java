package org.adain.examples.cli;

import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * The transfer options that {@code adain stylize} and {@code adain video} share: {@link TransferOptions}' alpha,
 * colour preservation and sizes, plus style weights and the mask for their list of {@code --style} images.
 */
final class StyleOptions extends TransferOptions {
    @Option(names = "--style-weights", split = ",", paramLabel = "W",
            description = "Interpolation weights, one non-negative number per --style, comma-separated "
                    + "(1,2,3 or 0.1,0.2,0.3); normalised to sum 1. Default: equal weights.")
    List<Double> styleWeights;

    @Option(names = "--mask", paramLabel = "IMAGE",
            description = "Spatial control: a black-and-white image (PNG) of exactly the content's size (another "
                    + "size is refused, not stretched); white takes the first --style, black the second. No grey "
                    + "levels.")
    Path mask;

    /** The weights and mask against {@code styles} --style images. */
    void checkStyles(CommandLine cl, int styles) {
        if (styleWeights != null) {
            if (mask != null) {
                throw new ParameterException(cl, "--style-weights cannot be combined with --mask: the mask decides "
                        + "which style paints where");
            }
            if (styleWeights.size() != styles) {
                throw new ParameterException(cl, "--style-weights has " + styleWeights.size() + " value(s) but "
                        + styles + " --style image(s) were given; give one weight per style");
            }
            double sum = 0;
            for (int i = 0; i < styleWeights.size(); i++) {
                double w = styleWeights.get(i);
                if (!Double.isFinite(w) || w < 0) {
                    throw new ParameterException(cl, "--style-weights: weight " + (i + 1) + " is " + w
                            + "; weights must be finite and ≥ 0");
                }
                sum += w;
            }
            if (!(sum > 0)) {
                throw new ParameterException(cl, "--style-weights are all 0; at least one must be positive");
            }
        }
        if (mask != null && styles != 2) {
            throw new ParameterException(cl, "--mask needs exactly two --style images (first for the white part, "
                    + "second for the black part), got " + styles);
        }
    }
}
