package org.adain.format;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.adain.ModelException;

/**
 * A small, strict, bounded JSON parser (RFC 8259) for the model configs of Keras files, and the compact writer
 * messages quote values with. Values are plain Java objects: {@link Map} (insertion-ordered), {@link List},
 * {@link String}, {@link Long} / {@link BigInteger} for integral numbers, {@link Double} for others,
 * {@link Boolean}, and {@link #NULL} for JSON null; a missing member is Java null.
 *
 * <p>Bounds: nesting {@link #MAX_DEPTH} deep, {@link #MAX_VALUES} values in all, input length bounded by the
 * caller. Refused: NaN and Infinity (Python's json writes them, Keras configs never hold them), duplicate keys
 * in one object (ambiguous), control characters in strings, anything after the value but whitespace and NULs.
 */
final class Json {
    /** JSON null. */
    static final Object NULL = new Object() {
        @Override
        public String toString() {
            return "null";
        }
    };

    static final int MAX_DEPTH = 64;
    static final int MAX_VALUES = 1 << 19;

    private final String text;
    private final String where;
    private int pos;
    private int values;

    private Json(String text, String where) {
        this.text = text;
        this.where = where;
    }

    /**
     * Parses {@code text}.
     *
     * @param where what the text is, for messages ("encoder.h5: the model_config attribute")
     */
    static Object parse(String text, String where) {
        Json p = new Json(text, where);
        p.space();
        Object v = p.value(0);
        p.space();
        while (p.pos < text.length() && text.charAt(p.pos) == 0) {
            p.pos++; // NUL padding of a fixed-length string
        }
        if (p.pos < text.length()) {
            throw p.fail("unexpected " + p.shown() + " after the JSON value");
        }
        return v;
    }

    private ModelException fail(String what) {
        return new ModelException(where + " is not valid JSON (" + what + " at character " + pos + ")");
    }

    private String shown() {
        if (pos >= text.length()) {
            return "end of text";
        }
        return "'" + SafeText.of(text.substring(pos, Math.min(text.length(), pos + 20)), 20) + "'";
    }

    private void space() {
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                return;
            }
            pos++;
        }
    }

    private Object value(int depth) {
        if (++values > MAX_VALUES) {
            throw fail("more than " + MAX_VALUES + " values");
        }
        if (pos >= text.length()) {
            throw fail("unexpected end of text");
        }
        char c = text.charAt(pos);
        switch (c) {
            case '{':
                return object(depth + 1);
            case '[':
                return array(depth + 1);
            case '"':
                return string();
            case 't':
                return literal("true", Boolean.TRUE);
            case 'f':
                return literal("false", Boolean.FALSE);
            case 'n':
                return literal("null", NULL);
            default:
                if (c == '-' || c >= '0' && c <= '9') {
                    return number();
                }
                throw fail("unexpected " + shown());
        }
    }

    private Object literal(String word, Object v) {
        if (!text.startsWith(word, pos)) {
            throw fail("unexpected " + shown());
        }
        pos += word.length();
        return v;
    }

    private Map<String, Object> object(int depth) {
        if (depth > MAX_DEPTH) {
            throw fail("nesting deeper than " + MAX_DEPTH + " levels");
        }
        pos++;
        Map<String, Object> out = new LinkedHashMap<>();
        space();
        if (pos < text.length() && text.charAt(pos) == '}') {
            pos++;
            return out;
        }
        while (true) {
            space();
            if (pos >= text.length() || text.charAt(pos) != '"') {
                throw fail("expected a member name, found " + shown());
            }
            String key = string();
            space();
            expect(':');
            space();
            Object v = value(depth);
            if (out.put(key, v) != null) {
                throw fail("the key '" + SafeText.of(key) + "' twice in one object");
            }
            space();
            if (pos < text.length() && text.charAt(pos) == ',') {
                pos++;
                continue;
            }
            expect('}');
            return out;
        }
    }

    private List<Object> array(int depth) {
        if (depth > MAX_DEPTH) {
            throw fail("nesting deeper than " + MAX_DEPTH + " levels");
        }
        pos++;
        List<Object> out = new ArrayList<>();
        space();
        if (pos < text.length() && text.charAt(pos) == ']') {
            pos++;
            return out;
        }
        while (true) {
            space();
            out.add(value(depth));
            space();
            if (pos < text.length() && text.charAt(pos) == ',') {
                pos++;
                continue;
            }
            expect(']');
            return out;
        }
    }

    private void expect(char c) {
        if (pos >= text.length() || text.charAt(pos) != c) {
            throw fail("expected '" + c + "', found " + shown());
        }
        pos++;
    }

    private String string() {
        pos++; // the opening quote
        StringBuilder out = new StringBuilder();
        while (true) {
            if (pos >= text.length()) {
                throw fail("a string that does not end");
            }
            char c = text.charAt(pos++);
            if (c == '"') {
                return out.toString();
            }
            if (c < 0x20) {
                pos--;
                throw fail("the control character \\x" + String.format("%02x", (int) c) + " inside a string");
            }
            if (c != '\\') {
                out.append(c);
                continue;
            }
            if (pos >= text.length()) {
                throw fail("a string that does not end");
            }
            char e = text.charAt(pos++);
            switch (e) {
                case '"', '\\', '/' -> out.append(e);
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case 't' -> out.append('\t');
                case 'u' -> {
                    if (pos + 4 > text.length()) {
                        throw fail("a \\u escape cut short");
                    }
                    int v = 0;
                    for (int i = 0; i < 4; i++) {
                        int d = Character.digit(text.charAt(pos + i), 16);
                        if (d < 0) {
                            throw fail("a \\u escape with a non-hex digit");
                        }
                        v = v * 16 + d;
                    }
                    pos += 4;
                    out.append((char) v);
                }
                default -> {
                    pos--;
                    throw fail("the unknown escape \\" + SafeText.of(String.valueOf(e)));
                }
            }
        }
    }

    private Object number() {
        int start = pos;
        if (text.charAt(pos) == '-') {
            pos++;
        }
        int intStart = pos;
        digits();
        if (pos == intStart || text.charAt(intStart) == '0' && pos - intStart > 1) {
            throw fail("a malformed number");
        }
        boolean integral = true;
        if (pos < text.length() && text.charAt(pos) == '.') {
            pos++;
            int fracStart = pos;
            digits();
            if (pos == fracStart) {
                throw fail("a malformed number");
            }
            integral = false;
        }
        if (pos < text.length() && (text.charAt(pos) == 'e' || text.charAt(pos) == 'E')) {
            pos++;
            if (pos < text.length() && (text.charAt(pos) == '+' || text.charAt(pos) == '-')) {
                pos++;
            }
            int expStart = pos;
            digits();
            if (pos == expStart) {
                throw fail("a malformed number");
            }
            integral = false;
        }
        String s = text.substring(start, pos);
        if (s.length() > 400) {
            throw fail("a number of " + s.length() + " digits");
        }
        if (!integral) {
            return Double.parseDouble(s);
        }
        if (s.length() < 19) {
            return Long.parseLong(s);
        }
        BigInteger big = new BigInteger(s);
        return big.bitLength() < 64 ? (Object) big.longValue() : big;
    }

    private void digits() {
        while (pos < text.length() && text.charAt(pos) >= '0' && text.charAt(pos) <= '9') {
            pos++;
        }
    }

    // ---- reading values ---------------------------------------------------------------------------

    static boolean isIntegral(Object v) {
        return v instanceof Long || v instanceof BigInteger;
    }

    /** An integral value that fits an int, or null. */
    static Integer intValue(Object v) {
        if (v instanceof Long l && l >= Integer.MIN_VALUE && l <= Integer.MAX_VALUE) {
            return (int) (long) l;
        }
        return null;
    }

    /** The value as text: strings as they are, numbers and booleans written, null and missing as null. */
    static String text(Object v) {
        if (v == null || v == NULL) {
            return null;
        }
        return v instanceof String s ? s : write(v);
    }

    /** {@code true}/{@code false}, numbers (non-zero is true) and the strings "true"/"false"; else the default. */
    static boolean booleanValue(Object v, boolean otherwise) {
        if (v instanceof Boolean b) {
            return b;
        }
        if (v instanceof Long l) {
            return l != 0;
        }
        if (v instanceof String s && (s.strip().equals("true") || s.strip().equals("false"))) {
            return s.strip().equals("true");
        }
        return otherwise;
    }

    /** The most characters {@link #write} produces: messages cut far shorter anyway. */
    private static final int MESSAGE_CHARS = 4096;

    /** Compact JSON, as messages quote a value ({@code [1,1]}, {@code "same"}, {@code {"a":null}}); bounded. */
    static String write(Object v) {
        StringBuilder out = new StringBuilder();
        write(v, out, 0, MESSAGE_CHARS);
        return out.toString();
    }

    /** Compact JSON of a whole value, for files (the Keras writer's model_config). */
    static String toJson(Object v) {
        StringBuilder out = new StringBuilder();
        write(v, out, 0, Integer.MAX_VALUE);
        return out.toString();
    }

    private static void write(Object v, StringBuilder out, int depth, int limit) {
        if (out.length() > limit || depth > MAX_DEPTH) {
            return;
        }
        if (v instanceof Map<?, ?> m) {
            out.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (!first) {
                    out.append(',');
                }
                first = false;
                quote(String.valueOf(e.getKey()), out, limit);
                out.append(':');
                write(e.getValue(), out, depth + 1, limit);
            }
            out.append('}');
        } else if (v instanceof List<?> l) {
            out.append('[');
            for (int i = 0; i < l.size(); i++) {
                if (i > 0) {
                    out.append(',');
                }
                write(l.get(i), out, depth + 1, limit);
            }
            out.append(']');
        } else if (v instanceof String s) {
            quote(s, out, limit);
        } else {
            out.append(v);
        }
    }

    private static void quote(String s, StringBuilder out, int limit) {
        out.append('"');
        for (int i = 0; i < s.length() && out.length() <= limit; i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04X", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
