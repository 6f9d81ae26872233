package org.adain.testkit.reference;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.adain.spi.DecoderWeights;
import org.adain.spi.EncoderWeights;

/**
 * One reference case of {@code cases.json}. Paths (inputs, models, expected files) are resource
 * paths relative to {@link ReferenceCases#RESOURCE_ROOT}; open them with the static helpers of
 * {@link ReferenceCases} ({@code copyTo}, {@code imageTensor}, {@code array}, ...).
 *
 * @param inputs      raw {@code inputs} object (values: a path or a list of paths)
 * @param parameters  raw {@code parameters} object; the typed getters below read it
 * @param tolerance   the largest tolerance of the case's expected arrays (0 for an error case)
 * @param expectError the operation must fail ({@code expect_error} in the manifest): such a case has no
 *                    expected arrays and {@link #expectedException()} names the exception
 */
public record ReferenceCase(String name, Kind kind, String description, Map<String, Object> inputs,
                            Map<String, Object> parameters, List<ExpectedArray> expected,
                            double tolerance, double float32Error, boolean expectError) {

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
        RESIZE,
        /**
         * per-sample, per-channel {@code mean} and {@code std} (sqrt(unbiased variance + eps)), both
         * {@code N×C×1×1}, of the raw feature tensor {@code inputs.features}; or, with {@link #expectError()},
         * a map whose std must be rejected (1×1: the port gives NaN).
         */
        STATISTICS,
        /**
         * AdaIN of {@code inputs.content_features} with {@code inputs.style_features} (different H×W allowed,
         * statistics per sample): {@code output} and the four statistics; or an error case.
         */
        ADAIN,
        /**
         * the training loss terms ({@code org.adain.spi.LossTerms}) of a batch of (content, style) pairs
         * ({@code inputs.contents}, {@code inputs.styles}): {@code content}, {@code style_layers} (4),
         * {@code total} (content weight 1, style weight 10), plus {@code target} and {@code decoded}.
         */
        LOSSES,
        /** gradients of the total loss w.r.t. decoder conv kernels/biases ({@code grad_conv<i>_kernel|bias}). */
        GRADIENTS,
        /** Adam steps on the decoder: {@code losses} per step, {@code loss_after}, {@code conv<i>_kernel|bias}. */
        ADAM;

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
        if (expectError != expected.isEmpty()) {
            throw new IllegalArgumentException("case " + name + ": " + (expectError
                    ? "an expect_error case must have no expected arrays"
                    : "no expected arrays (and not an expect_error case)"));
        }
    }

    /**
     * The simple name of the exception the operation must throw in an {@link #expectError()} case
     * (e.g. {@code "InvalidRequestException"}); the operations concerned are in {@code parameters.operations}.
     */
    public String expectedException() {
        if (!expectError) {
            throw new IllegalStateException("case " + name + " is not an expect_error case");
        }
        return stringParameter("error");
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

    /** The expected {@code output} of a TRANSFER / DECODE / ADAIN case. */
    public ExpectedArray output() {
        return expected("output");
    }

    /** The value of a scalar expected array (a loss, stored with shape {@code [1]}); rejects larger arrays. */
    public double scalar(String expectedName) {
        Npy.Array a = load(expectedName);
        if (a.size() != 1) {
            throw new IllegalArgumentException("case " + name + ": expected array \"" + expectedName
                    + "\" is not a scalar (shape " + Arrays.toString(a.shape()) + ")");
        }
        return a.data()[0];
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

    /** An {@code .npy} input ({@code "features"}, {@code "content_features"}, {@code "style_features"}). */
    public Npy.Array inputArray(String key) {
        return ReferenceCases.array(input(key));
    }

    /** Content image paths of a batch case (LOSSES, GRADIENTS, ADAM), in batch order. */
    public List<String> contents() {
        Object v = inputs.get("contents");
        if (v == null) {
            return List.of();
        }
        return ReferenceCases.stringList(v, "case " + name + " inputs.contents");
    }

    /** {@link #contents()} as one {@code N×3×H×W} tensor (uint8 / 255). */
    public Npy.Array contentBatch() {
        return ReferenceCases.imageBatch(contents());
    }

    /** {@link #styles()} as one {@code N×3×H×W} tensor (uint8 / 255); all styles must have one size. */
    public Npy.Array styleBatch() {
        return ReferenceCases.imageBatch(styles());
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

    /** An integer-list parameter ({@code "input_shape"}, {@code "decoder_convs"}, ...). */
    public int[] intArrayParameter(String key) {
        return ReferenceCases.intArray(param(key), "case " + name + " parameters." + key);
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

    /** Content weight of a training case (1). */
    public double contentWeight() {
        return doubleParameter("content_weight");
    }

    /** Style weight of a training case (10). */
    public double styleWeight() {
        return doubleParameter("style_weight");
    }

    /** The encoder of a training case as SPI weights ({@link ReferenceWeights}, from {@code parameters.encoder_weights}). */
    public EncoderWeights encoderWeights() {
        return ReferenceWeights.encoder(stringParameter("encoder_weights"));
    }

    /** The (initial) decoder of a training case as SPI weights (from {@code parameters.decoder_weights}). */
    public DecoderWeights decoderWeights() {
        return ReferenceWeights.decoder(stringParameter("decoder_weights"));
    }

    /** Base learning rate of an ADAM case; before iteration i the rate is {@code lr / (1 + lrDecay · i)}. */
    public double learningRate() {
        return doubleParameter("lr");
    }

    public double learningRateDecay() {
        return doubleParameter("lr_decay");
    }

    /** The decoder conv indices (0..8) whose arrays a GRADIENTS / ADAM case stores. */
    public int[] decoderConvs() {
        return ReferenceCases.intArray(param("decoder_convs"), "case " + name + " parameters.decoder_convs");
    }

    /** The uncropped decoder output size {H, W} of a TRANSFER case. */
    public int[] decodedSize() {
        return ReferenceCases.intArray(param("decoded_size"), "case " + name + " parameters.decoded_size");
    }

    @Override
    public String toString() {
        return "ReferenceCase[" + name + ", " + kind + (expectError ? ", expect error" : ", tolerance " + tolerance)
                + "]";
    }
}
