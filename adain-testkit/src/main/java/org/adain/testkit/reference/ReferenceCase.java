package org.adain.testkit.reference;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One reference case of {@code cases.json}. Paths (inputs, models, expected files) are resource
 * paths relative to {@link ReferenceCases#RESOURCE_ROOT}; open them with the static helpers of
 * {@link ReferenceCases} ({@code copyTo}, {@code imageTensor}, {@code array}, ...).
 *
 * @param inputs     raw {@code inputs} object (values: a path or a list of paths)
 * @param parameters raw {@code parameters} object; the typed getters below read it
 * @param tolerance  the largest tolerance of the case's expected arrays
 */
public record ReferenceCase(String name, Kind kind, String description, Map<String, Object> inputs,
                            Map<String, Object> parameters, List<ExpectedArray> expected,
                            double tolerance, double float32Error) {

    /** What a case exercises. */
    public enum Kind {
        /** relu1_1 .. relu4_1 of one image ({@code inputs.content}). */
        FEATURES,
        /** the decoder alone on {@code inputs.features}. */
        DECODE,
        /** a full style transfer: content + styles (+ mask), alpha, weights, colour preservation. */
        TRANSFER,
        /** 8-bit quantisation of {@code inputs.tensor} by the port rule. */
        QUANTISE,
        /** the port's test-time PIL resize (+ centre crop) of {@code inputs.image}. */
        RESIZE;

        static Kind of(String s, String where) {
            for (Kind k : values()) {
                if (k.name().equalsIgnoreCase(s)) {
                    return k;
                }
            }
            throw new IllegalArgumentException(where + ": unknown kind \"" + s + "\"");
        }
    }

    public ReferenceCase {
        // LinkedHashMap copies: document order, and JSON nulls are kept (Map.copyOf rejects them)
        inputs = Collections.unmodifiableMap(new LinkedHashMap<>(inputs));
        parameters = Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
        expected = List.copyOf(expected);
    }

    // ---- expected arrays ---------------------------------------------------------------------

    public ExpectedArray expected(String expectedName) {
        return expected.stream().filter(e -> e.name().equals(expectedName)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("case " + name + " has no expected array \""
                        + expectedName + "\" (has " + expected.stream().map(ExpectedArray::name).toList() + ")"));
    }

    /** Loads an expected array by name ({@code "output"}, {@code "relu4_1"}, ...). */
    public Npy.Array load(String expectedName) {
        return expected(expectedName).load();
    }

    /** The expected {@code output} of a TRANSFER / DECODE case. */
    public ExpectedArray output() {
        return expected("output");
    }

    // ---- inputs ------------------------------------------------------------------------------

    /** A single-path input ({@code "content"}, {@code "image"}, {@code "features"}, {@code "tensor"}, {@code "mask"}). */
    public String input(String key) {
        Object v = inputs.get(key);
        if (!(v instanceof String s)) {
            throw new IllegalArgumentException("case " + name + ": input \"" + key + "\" is "
                    + (v == null ? "absent" : "not a single path"));
        }
        return s;
    }

    public String content() {
        return input("content");
    }

    /** Style image paths, in order (style_0 = foreground for the mask case). */
    public List<String> styles() {
        Object v = inputs.get("styles");
        if (v == null) {
            return List.of();
        }
        return ReferenceCases.stringList(v, "case " + name + " inputs.styles");
    }

    /** The mask image path, if the case has one (mask value 1 = first style, 0 = second style). */
    public Optional<String> mask() {
        Object v = inputs.get("mask");
        return v instanceof String s ? Optional.of(s) : Optional.empty();
    }

    // ---- parameters --------------------------------------------------------------------------

    public boolean has(String parameter) {
        return parameters.get(parameter) != null;
    }

    private Object param(String key) {
        if (!has(key)) {
            throw new IllegalArgumentException("case " + name + " has no parameter \"" + key + "\"");
        }
        return parameters.get(key);
    }

    public double doubleParameter(String key) {
        return ReferenceCases.number(param(key), "case " + name + " parameters." + key).doubleValue();
    }

    public int intParameter(String key) {
        return ReferenceCases.intValue(param(key), "case " + name + " parameters." + key);
    }

    public String stringParameter(String key) {
        Object v = param(key);
        if (!(v instanceof String s)) {
            throw new IllegalArgumentException("case " + name + " parameters." + key + " is not a string");
        }
        return s;
    }

    public boolean booleanParameter(String key) {
        Object v = param(key);
        if (!(v instanceof Boolean b)) {
            throw new IllegalArgumentException("case " + name + " parameters." + key + " is not a boolean");
        }
        return b;
    }

    public double alpha() {
        return doubleParameter("alpha");
    }

    /** The raw interpolation weights (e.g. 1, 2, 3, 4); one per style. */
    public List<Double> styleWeights() {
        return ReferenceCases.doubleList(param("style_weights"), "case " + name + " parameters.style_weights");
    }

    /** The weights normalised to sum 1 (e.g. 0.1 .. 0.4). */
    public List<Double> normalisedStyleWeights() {
        return ReferenceCases.doubleList(param("normalised_style_weights"),
                "case " + name + " parameters.normalised_style_weights");
    }

    public boolean preserveColor() {
        return has("preserve_color") && booleanParameter("preserve_color");
    }

    /** Encoder model resource path (a Keras .h5). */
    public String encoder() {
        return stringParameter("encoder");
    }

    /** {@code "normalised"} (normalised VGG with its 1×1 preprocessing conv) or {@code "keras_apps"}. */
    public String encoderFlavour() {
        return stringParameter("encoder_flavour");
    }

    /** Decoder model resource path (a Keras .h5). */
    public String decoder() {
        return stringParameter("decoder");
    }

    /** The uncropped decoder output size {H, W} of a TRANSFER case. */
    public int[] decodedSize() {
        return ReferenceCases.intArray(param("decoded_size"), "case " + name + " parameters.decoded_size");
    }

    @Override
    public String toString() {
        return "ReferenceCase[" + name + ", " + kind + ", tolerance " + tolerance + "]";
    }
}
