package org.adain.format;

/**
 * The one place that makes text taken from a file safe to put in a message: a weight file can hold any bytes in
 * a layer name, a key or a config value, and a message is printed to terminals and logs. Control characters,
 * other non-printable characters (format characters such as the bidirectional overrides, unpaired surrogates,
 * unassigned code points, line and paragraph separators) and the backslash are escaped: {@code \xNN} below
 * U+0100, {@code \}{@code uNNNN} above; the result is cut to a maximum length, marked with an ellipsis.
 *
 * <pre>{@code
 * String shown = SafeText.of("conv\u001b[31m1");   // "conv\x1b[31m1"
 * throw new ModelException(file + ": layer '" + SafeText.of(name) + "' has ...");
 * }</pre>
 *
 * Work and output are bounded by the cap, not by the input's length.
 */
public final class SafeText {
    /** The default cap in characters of escaped output; longer text ends with {@value #ELLIPSIS}. */
    public static final int DEFAULT_MAX = 200;

    /** What marks a cut. */
    public static final String ELLIPSIS = "…";

    private SafeText() {
    }

    /**
     * Escapes {@code text} and cuts it to {@link #DEFAULT_MAX} characters.
     *
     * @param text text taken from a file; null gives "null"
     * @return the printable, bounded form
     */
    public static String of(String text) {
        return of(text, DEFAULT_MAX);
    }

    /**
     * Escapes {@code text} and cuts it to at most {@code maxChars} characters plus the ellipsis.
     *
     * @param text     text taken from a file; null gives "null"
     * @param maxChars the most characters of escaped output to keep, at least 1
     * @return the printable, bounded form
     * @throws IllegalArgumentException when {@code maxChars} is less than 1
     */
    public static String of(String text, int maxChars) {
        if (maxChars < 1) {
            throw new IllegalArgumentException("maxChars must be at least 1, was " + maxChars);
        }
        if (text == null) {
            return "null";
        }
        StringBuilder out = new StringBuilder(Math.min(text.length(), maxChars) + 8);
        int i = 0;
        while (i < text.length()) {
            int cp = text.codePointAt(i);
            String piece = printable(cp) ? new String(Character.toChars(cp)) : escape(cp, text, i);
            if (out.length() + piece.length() > maxChars) {
                return out.append(ELLIPSIS).toString();
            }
            out.append(piece);
            i += Character.charCount(cp);
        }
        return out.toString();
    }

    /**
     * {@link #of(String)} in single quotes, the way messages quote names.
     *
     * @param text text taken from a file
     * @return {@code 'text'}, escaped and bounded
     */
    public static String quoted(String text) {
        return "'" + of(text) + "'";
    }

    /**
     * Bytes from a file shown as text: decoded as UTF-8 (malformed sequences become U+FFFD), then escaped and cut
     * like {@link #of(String, int)}. Only the bytes needed for the cap are decoded.
     *
     * @param bytes    raw bytes from a file
     * @param maxChars the most characters of escaped output to keep, at least 1
     * @return the printable, bounded form
     */
    public static String ofBytes(byte[] bytes, int maxChars) {
        int n = (int) Math.min(bytes.length, 4L * maxChars + 4);
        String s = new String(bytes, 0, n, java.nio.charset.StandardCharsets.UTF_8);
        String shown = of(s, maxChars);
        return n < bytes.length && !shown.endsWith(ELLIPSIS) ? shown + ELLIPSIS : shown;
    }

    private static boolean printable(int cp) {
        if (cp == '\\') {
            return false;
        }
        if (cp >= 0x20 && cp < 0x7f) {
            return true;
        }
        switch (Character.getType(cp)) {
            case Character.CONTROL:
            case Character.FORMAT:
            case Character.SURROGATE:
            case Character.UNASSIGNED:
            case Character.PRIVATE_USE:
            case Character.LINE_SEPARATOR:
            case Character.PARAGRAPH_SEPARATOR:
                return false;
            default:
                return true;
        }
    }

    private static String escape(int cp, String text, int at) {
        if (cp == '\\') {
            return "\\\\";
        }
        if (cp < 0x100) {
            return String.format("\\x%02x", cp);
        }
        if (Character.isSupplementaryCodePoint(cp)) {
            return String.format("\\u%04x\\u%04x", (int) text.charAt(at), (int) text.charAt(at + 1));
        }
        return String.format("\\u%04x", cp);
    }
}
