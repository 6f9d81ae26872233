package org.adain;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;
import org.adain.format.SafeText;

/**
 * The file layout of a batch run, shared by {@code adain batch} and the Spark job of {@code adain-spark} so both
 * name outputs and report failures alike: content {@code <relative dir>/<name>.<ext>} in style {@code S} goes to
 * {@code <relative dir>/<name>__S.<ext'>}, where ext' is the content's extension if it is png, jpg or jpeg (any
 * case, kept as written) and png otherwise; contents that fail are rows of {@value #FAILURES_FILE},
 * {@code path,error}, quoted by RFC 4180, the error made printable and bounded by {@link SafeText}.
 *
 * <pre>{@code
 * BatchLayout.outputPath("2024/june/beach.JPG", "night");   // "2024/june/beach__night.JPG"
 * BatchLayout.outputPath("scan.bmp", "night");               // "scan__night.png"
 * BatchLayout.failureRow("in/a,b.png", "truncated");        // "\"in/a,b.png\",truncated"
 * BatchLayout.parseStyle("mix=starry.jpg:3,scream.jpg:1");  // StyleSpec[name=mix, images=[starry.jpg, scream.jpg], weights=[3.0, 1.0]]
 * }</pre>
 */
public final class BatchLayout {
    /** Between a content's base name and the style name. */
    public static final String SEPARATOR = "__";

    /** The failures file, in the output directory. */
    public static final String FAILURES_FILE = "failures.csv";

    /** The first line of {@value #FAILURES_FILE}. */
    public static final String FAILURES_HEADER = "path,error";

    /** Longest error message kept in a failure row, in characters. */
    public static final int MAX_ERROR_CHARS = 500;

    private static final Pattern STYLE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    private BatchLayout() {
    }

    /**
     * Whether a style name can go into file names: 1 to 64 letters, digits, '.', '_' or '-', starting with a letter
     * or digit.
     *
     * @param name a style name
     * @return true if {@link #outputPath} accepts it
     * @throws NullPointerException {@code name} is null
     */
    public static boolean isStyleName(String name) {
        return STYLE_NAME.matcher(Objects.requireNonNull(name, "name")).matches();
    }

    /**
     * One style of a batch run: a name, which goes into the output file names, and one or more style images with
     * their weights (several are interpolated).
     *
     * @param name    the name in {@code <content>__<name>.<ext>} ({@link #isStyleName})
     * @param images  the style images as given (local paths or URIs), at least one, none blank
     * @param weights one finite weight ≥ 0 per image, not all 0; or null when none was given (equal weights)
     */
    public record StyleSpec(String name, List<String> images, List<Double> weights) {
        /**
         * Checks and copies.
         *
         * @param name    the style's name
         * @param images  its images, at least one
         * @param weights a weight per image, or null for equal weights
         * @throws IllegalArgumentException a value above is broken; the message names it
         * @throws NullPointerException     name or images is null
         */
        public StyleSpec {
            Objects.requireNonNull(name, "name");
            if (!isStyleName(name)) {
                throw new IllegalArgumentException("style name '" + SafeText.of(name) + "' must be 1 to 64 letters, "
                        + "digits, '.', '_' or '-', starting with a letter or digit");
            }
            images = List.copyOf(images);
            if (images.isEmpty()) {
                throw new IllegalArgumentException("style '" + name + "' has no image");
            }
            for (String image : images) {
                if (image.isBlank()) {
                    throw new IllegalArgumentException("style '" + name + "' has an empty image path");
                }
            }
            if (weights != null) {
                weights = List.copyOf(weights);
                if (weights.size() != images.size()) {
                    throw new IllegalArgumentException("style '" + name + "' has " + images.size() + " images but "
                            + weights.size() + " weights");
                }
                double sum = 0;
                for (int i = 0; i < weights.size(); i++) {
                    double w = weights.get(i);
                    if (!Double.isFinite(w) || w < 0) {
                        throw new IllegalArgumentException("style '" + name + "': weight " + w + " of "
                                + SafeText.of(images.get(i)) + " must be finite and ≥ 0");
                    }
                    sum += w;
                }
                if (!(sum > 0)) {
                    throw new IllegalArgumentException("style '" + name + "': the weights are all 0; at least one "
                            + "must be positive");
                }
            }
        }
    }

    /**
     * Parses a style as {@code adain batch --style} and the Spark job take it:
     * {@code [NAME=]IMAGE[:WEIGHT][,IMAGE[:WEIGHT]...]}, e.g. {@code starry.jpg}, {@code night=starry.jpg} or
     * {@code mix=starry.jpg:3,scream.jpg:1}. Only a number after an image's last colon is a weight, so
     * {@code C:\x.png} and {@code hdfs://host:8020/x.png} keep their colons. Without NAME the name is the first
     * image's file name without its extension.
     *
     * @param value the option's value
     * @return the style, checked as {@link StyleSpec} checks
     * @throws IllegalArgumentException the value is malformed; the message quotes it and gives the syntax
     * @throws NullPointerException     {@code value} is null
     */
    public static StyleSpec parseStyle(String value) {
        Objects.requireNonNull(value, "value");
        String name = null;
        String rest = value;
        int eq = value.indexOf('=');
        if (eq >= 0) {
            name = value.substring(0, eq);
            rest = value.substring(eq + 1);
        }
        List<String> images = new ArrayList<>();
        List<Double> weights = new ArrayList<>();
        boolean weighted = false;
        for (String part : rest.split(",", -1)) {
            String file = part;
            double weight = 1;
            int colon = part.lastIndexOf(':');
            if (colon > 0 && colon < part.length() - 1) {
                try {
                    weight = Double.parseDouble(part.substring(colon + 1));
                    file = part.substring(0, colon);
                    weighted = true;
                } catch (NumberFormatException e) {
                    weight = 1; // the colon belongs to the path
                }
            }
            if (file.isBlank()) {
                throw new IllegalArgumentException("'" + SafeText.of(value) + "' has an empty image path; expected "
                        + "[NAME=]IMAGE[:WEIGHT][,IMAGE[:WEIGHT]...]");
            }
            images.add(file);
            weights.add(weight);
        }
        if (name == null) {
            String first = images.get(0);
            String file = first.substring(Math.max(first.lastIndexOf('/'), first.lastIndexOf('\\')) + 1);
            int dot = file.lastIndexOf('.');
            name = dot > 0 ? file.substring(0, dot) : file;
        }
        try {
            return new StyleSpec(name, images, weighted ? weights : null);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + SafeText.of(value) + "': " + e.getMessage()
                    + (eq < 0 && !isStyleName(name) ? "; give one as NAME=IMAGE" : ""), e);
        }
    }

    /**
     * The extension an output made from this content gets.
     *
     * @param contentName a content's file name or path
     * @return its extension as written if png, jpg or jpeg (any case), else "png"
     * @throws NullPointerException {@code contentName} is null
     */
    public static String outputExtension(String contentName) {
        Objects.requireNonNull(contentName, "contentName");
        String name = contentName.substring(contentName.lastIndexOf('/') + 1);
        int dot = name.lastIndexOf('.');
        String ext = dot > 0 ? name.substring(dot + 1) : "";
        return switch (ext.toLowerCase(Locale.ROOT)) {
            case "png", "jpg", "jpeg" -> ext;
            default -> "png";
        };
    }

    /**
     * Where the result of one content in one style goes, relative to the output directory.
     *
     * @param relativePath the content's path relative to its input root, '/'-separated, e.g. {@code 2024/a.jpg}
     * @param styleName    the style's name ({@link #isStyleName})
     * @return {@code <relative dir>/<base name>__<style>.<ext>}, '/'-separated
     * @throws IllegalArgumentException the style name is not one, or the path is empty
     * @throws NullPointerException     an argument is null
     */
    public static String outputPath(String relativePath, String styleName) {
        Objects.requireNonNull(relativePath, "relativePath");
        Objects.requireNonNull(styleName, "styleName");
        if (!isStyleName(styleName)) {
            throw new IllegalArgumentException("Not a style name: '" + SafeText.of(styleName) + "'; use 1 to 64 "
                    + "letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
        int slash = relativePath.lastIndexOf('/');
        String dir = relativePath.substring(0, slash + 1);
        String name = relativePath.substring(slash + 1);
        if (name.isEmpty()) {
            throw new IllegalArgumentException("Not a file path: '" + SafeText.of(relativePath) + "'");
        }
        int dot = name.lastIndexOf('.');
        String base = dot > 0 ? name.substring(0, dot) : name;
        return dir + base + SEPARATOR + styleName + "." + outputExtension(name);
    }

    /**
     * One row of {@value #FAILURES_FILE}, without the line end (files use CRLF, as RFC 4180).
     *
     * @param path  the content as given (kept as is, so the row can be fed back as input)
     * @param error why it failed; escaped by {@link SafeText} and cut to {@link #MAX_ERROR_CHARS}
     * @return {@code path,error}, each field quoted if needed
     * @throws NullPointerException an argument is null
     */
    public static String failureRow(String path, String error) {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(error, "error");
        return csvField(path) + "," + csvField(SafeText.of(error, MAX_ERROR_CHARS));
    }

    /**
     * A CSV field by RFC 4180: in quotes, with its quotes doubled, when it holds a comma, quote, CR or LF.
     *
     * @param value the field's text
     * @return the field as written in the file
     */
    public static String csvField(String value) {
        if (value.indexOf(',') < 0 && value.indexOf('"') < 0 && value.indexOf('\n') < 0 && value.indexOf('\r') < 0) {
            return value;
        }
        return '"' + value.replace("\"", "\"\"") + '"';
    }
}
