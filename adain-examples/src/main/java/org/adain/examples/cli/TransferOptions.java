package org.adain.examples.cli;

import java.awt.image.BufferedImage;
import org.adain.ImageTensor;
import org.adain.SpatialMask;
import org.adain.StyleRequest;
import org.adain.StyleTransfer;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * The per-request controls shared by {@code adain stylize} and {@code adain batch}: alpha, colour preservation,
 * resizing and cropping. A picocli mixin, so both commands spell, default and check them alike.
 */
final class TransferOptions {
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

    @Option(names = "--crop",
            description = "After resizing, keep the centre N×N square of contents and styles (the shorter side's "
                    + "square when N is 0).")
    boolean crop;

    /** Values picocli cannot check by type alone, named after the option. */
    void check(CommandSpec spec) {
        if (!(alpha >= 0 && alpha <= 1)) {
            throw new ParameterException(spec.commandLine(), "--alpha must be in [0, 1], got " + alpha);
        }
        if (contentSize < 0) {
            throw new ParameterException(spec.commandLine(), "--content-size must be ≥ 0 (0 keeps the original "
                    + "size), got " + contentSize);
        }
        if (styleSize < 0) {
            throw new ParameterException(spec.commandLine(), "--style-size must be ≥ 0 (0 keeps the original "
                    + "size), got " + styleSize);
        }
    }

    /** A request for {@code content} with these controls; the caller adds the styles. */
    StyleRequest.Builder request(BufferedImage content, SpatialMask mask) {
        return StyleRequest.builder().content(content).alpha(alpha).preserveColor(preserveColor)
                .mask(mask).contentSize(contentSize).styleSize(styleSize).crop(crop);
    }

    /** The library's size limits for a content, checked without a model. */
    void checkContentSize(ImageTensor image, long maxPixels) {
        StyleTransfer.checkSize(image, contentSize, crop, maxPixels);
    }

    /** The library's size limits for a style, checked without a model. */
    void checkStyleSize(ImageTensor image, long maxPixels) {
        StyleTransfer.checkSize(image, styleSize, crop, maxPixels);
    }
}
