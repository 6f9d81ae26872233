package org.adain.examples.cli;

import java.nio.file.Path;
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
        BatchLayout.StyleSpec spec;
        try {
            spec = BatchLayout.parseStyle(value);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
        return new BatchStyle(spec.name(), spec.images().stream().map(Path::of).toList(), spec.weights());
    }
}
