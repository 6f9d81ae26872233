package org.adain.examples.cli;

import java.awt.image.BufferedImage;
import org.adain.ImageTensor;
import org.adain.StyleRequest;
import org.adain.StyleTransfer;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * The per-request controls of {@code adain stylize}, {@code adain video} and {@code adain batch}: alpha, colour
 * preservation and resizing. A picocli mixin, so every command spells, defaults and checks them alike;
 * {@link StyleOptions} adds what only commands with a list of {@code --style} images have.
 */
class TransferOptions {
    @Option(names = "--alpha", paramLabel = "A", defaultValue = "1",
            description = "Content/style trade-off in [0, 1]: 0 keeps the content's features, 1 is full style. "
                    + "Default: ${DEFAULT-VALUE}.")
    double alpha;

    @Option(names = "--preserve-color",
            description = "Keep the content's colours: recolour each style to the content (CORAL) before the "
                    + "transfer.")
    boolean preserveColor;

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

    /** A request for {@code content} with these controls; the caller adds the styles. */
    StyleRequest.Builder request(BufferedImage content, boolean crop) {
        return StyleRequest.builder().content(content).alpha(alpha).preserveColor(preserveColor)
                .contentSize(contentSize).styleSize(styleSize).crop(crop);
    }

    /** The library's size limits for a style, checked without a model. */
    void checkStyleSize(ImageTensor image, boolean crop, long maxPixels) {
        StyleTransfer.checkSize(image, styleSize, crop, maxPixels);
    }
}
