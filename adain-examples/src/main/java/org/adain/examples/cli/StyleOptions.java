package org.adain.examples.cli;

import java.nio.file.Path;
import java.util.List;
import org.adain.StyleRequest;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * The transfer options that {@code adain stylize} and {@code adain video} share: style weights, alpha, colour
 * preservation, mask and sizes, with their checks.
 */
final class StyleOptions {
    @Option(names = "--style-weights", split = ",", paramLabel = "W",
            description = "Interpolation weights, one non-negative number per --style, comma-separated "
                    + "(1,2,3 or 0.1,0.2,0.3); normalised to sum 1. Default: equal weights.")
    List<Double> styleWeights;

    @Option(names = "--alpha", paramLabel = "A", defaultValue = "1",
            description = "Content/style trade-off in [0, 1]: 0 keeps the content's features, 1 is full style. "
                    + "Default: ${DEFAULT-VALUE}.")
    double alpha;

    @Option(names = "--preserve-color",
            description = "Keep the content's colours: recolour each style to the content (CORAL) before the "
                    + "transfer.")
    boolean preserveColor;

    @Option(names = "--mask", paramLabel = "IMAGE",
            description = "Spatial control: a black-and-white image (PNG) of exactly the content's size (another "
                    + "size is refused, not stretched); white takes the first --style, black the second. No grey "
                    + "levels.")
    Path mask;

    @Option(names = "--content-size", paramLabel = "N", defaultValue = "" + StyleRequest.DEFAULT_SIZE,
            description = "Resize each content so its shorter side is N pixels; 0 keeps the original size. "
                    + "Default: ${DEFAULT-VALUE}.")
    int contentSize;

    @Option(names = "--style-size", paramLabel = "N", defaultValue = "" + StyleRequest.DEFAULT_SIZE,
            description = "Resize each style so its shorter side is N pixels; 0 keeps the original size. "
                    + "Default: ${DEFAULT-VALUE}.")
    int styleSize;

    /** Ranges picocli cannot check by type alone; named after the option the user typed. */
    void checkValues(CommandLine cl) {
        if (!(alpha >= 0 && alpha <= 1)) {
            throw new ParameterException(cl, "--alpha must be in [0, 1], got " + alpha);
        }
        if (contentSize < 0) {
            throw new ParameterException(cl, "--content-size must be ≥ 0 (0 keeps the original size), got "
                    + contentSize);
        }
        if (styleSize < 0) {
            throw new ParameterException(cl, "--style-size must be ≥ 0 (0 keeps the original size), got "
                    + styleSize);
        }
    }

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
