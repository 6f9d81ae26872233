package org.adain.examples.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.adain.BatchLayout;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * One style of {@code adain batch}: a name, which goes into the output file names, and one or more style images
 * with their weights (several are interpolated). Parsed from {@code [NAME=]IMAGE[:WEIGHT][,IMAGE[:WEIGHT]...]},
 * e.g. {@code starry.jpg}, {@code night=starry.jpg} or {@code mix=starry.jpg:3,scream.jpg:1}. Without NAME the
 * name is the first image's base name.
 *
 * @param name    the name in {@code <content>__<name>.<ext>}
 * @param images  the style images, at least one
 * @param weights one weight per image, or null when none was given (equal weights, as the library's default)
 */
record BatchStyle(String name, List<Path> images, List<Double> weights) {
    BatchStyle {
        images = List.copyOf(images);
        weights = weights == null ? null : List.copyOf(weights);
    }

    /** Parses a --style value; picocli reports the message with the option's name. */
    static final class Converter implements ITypeConverter<BatchStyle> {
        @Override
        public BatchStyle convert(String value) {
            return parse(value);
        }
    }

    static BatchStyle parse(String value) {
        String name = null;
        String rest = value;
        int eq = value.indexOf('=');
        if (eq >= 0) {
            name = value.substring(0, eq);
            rest = value.substring(eq + 1);
        }
        List<Path> images = new ArrayList<>();
        List<Double> weights = new ArrayList<>();
        boolean weighted = false;
        for (String part : rest.split(",", -1)) {
            String file = part;
            Double weight = null;
            int colon = part.lastIndexOf(':');
            // "C:\\x.png" and "C:x.png" keep their colon: only a number after the last colon is a weight.
            if (colon > 0 && colon < part.length() - 1) {
                try {
                    weight = Double.parseDouble(part.substring(colon + 1));
                    file = part.substring(0, colon);
                } catch (NumberFormatException e) {
                    weight = null;
                }
            }
            if (file.isBlank()) {
                throw new TypeConversionException("'" + value + "' has an empty image path; expected "
                        + "[NAME=]IMAGE[:WEIGHT][,IMAGE[:WEIGHT]...]");
            }
            if (weight != null) {
                weighted = true;
                if (!Double.isFinite(weight) || weight < 0) {
                    throw new TypeConversionException("'" + value + "': weight " + weight + " of " + file
                            + " must be finite and ≥ 0");
                }
            }
            images.add(Path.of(file));
            weights.add(weight == null ? 1.0 : weight);
        }
        if (weighted && weights.stream().mapToDouble(Double::doubleValue).sum() <= 0) {
            throw new TypeConversionException("'" + value + "': the weights are all 0; at least one must be "
                    + "positive");
        }
        if (name == null) {
            name = OutputPlan.baseName(images.get(0));
        }
        if (!BatchLayout.isStyleName(name)) {
            throw new TypeConversionException("style name '" + name + "' (in '" + value + "') must be 1 to 64 "
                    + "letters, digits, '.', '_' or '-', starting with a letter or digit; give one as NAME=IMAGE");
        }
        return new BatchStyle(name, images, weighted ? weights : null);
    }
}
