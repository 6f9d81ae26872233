package org.adain;

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
