package org.adain.testkit.reference;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.adain.Semantics;
import org.adain.spi.DecoderWeights;
import org.adain.spi.EncoderWeights;

/**
 * One reference case of {@code cases.json}. Paths (inputs, models, expected files) are resource
 * paths relative to {@link ReferenceCases#RESOURCE_ROOT}; open them with the static helpers of
 * {@link ReferenceCases} ({@code copyTo}, {@code imageTensor}, {@code array}, ...).
 *
 * @param name         the case's name, unique in the manifest (e.g. {@code "alpha_0.6"})
 * @param kind         what the case exercises
 * @param description  the generator's description of what the case computes
 * @param inputs       raw {@code inputs} object (values: a path or a list of paths)
 * @param parameters   raw {@code parameters} object; the typed getters below read it
 * @param expected     the expected arrays, in manifest order; empty exactly for an error case
 * @param tolerance    the largest tolerance of the case's expected arrays (0 for an error case)
 * @param float32Error the largest float32-versus-float64 error the generator measured over the case's arrays
 * @param expectError  the operation must fail ({@code expect_error} in the manifest): such a case has no
 *                     expected arrays and {@link #expectedException()} names the exception
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
        /** 8-bit quantisation of {@code inputs.tensor} by the rule of the case's {@link #semantics()}. */
        QUANTISE,
        /**
         * the test-time resize of {@code inputs.image}: the port's PIL resize (+ centre crop), 8-bit levels; or,
         * for {@link #semantics()} Torch7, the centre crop then torch/image's bilinear, as floats.
         */
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

    /**
     * Copies the maps and the list, keeping their order and JSON nulls. {@link ReferenceCases} makes these from
     * the manifest.
     *
     * @param name         the case's name
     * @param kind         what it exercises
     * @param description  what it computes
     * @param inputs       raw {@code inputs}
     * @param parameters   raw {@code parameters}
     * @param expected     the expected arrays
     * @param tolerance    the case's largest tolerance
     * @param float32Error the case's largest measured float32 error
     * @param expectError  whether the operation must fail
     * @throws IllegalArgumentException an error case has expected arrays, or another case has none
     */
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
     * Whose numerics the case follows: {@code parameters.semantics} ({@code "torch7"} for the authors' Torch7 code),
     * else the PyTorch port's.
     *
     * @return {@link Semantics#TORCH7} or {@link Semantics#PYTORCH_PORT}
     */
    public Semantics semantics() {
        return "torch7".equals(parameters.get("semantics")) ? Semantics.TORCH7 : Semantics.PYTORCH_PORT;
    }

    /**
     * The simple name of the exception the operation must throw in an {@link #expectError()} case
     * (e.g. {@code "InvalidRequestException"}); the operations concerned are in {@code parameters.operations}.
     *
     * @return the exception's simple name, from {@code parameters.error}
     * @throws IllegalStateException this is not an error case
     */
    public String expectedException() {
        if (!expectError) {
            throw new IllegalStateException("case " + name + " is not an expect_error case");
        }
        return stringParameter("error");
    }

    // ---- expected arrays ---------------------------------------------------------------------

    /**
     * One expected array's metadata (shape, tolerance, file) by its name.
     *
     * @param expectedName the array's role, e.g. {@code "output"}, {@code "target"}, {@code "relu4_1"}
     * @return the expected array
     * @throws IllegalArgumentException the case has no such array (the message lists the ones it has)
     */
    public ExpectedArray expected(String expectedName) {
        return expected.stream().filter(e -> e.name().equals(expectedName)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("case " + name + " has no expected array \""
                        + expectedName + "\" (has " + expected.stream().map(ExpectedArray::name).toList() + ")"));
    }

    /**
     * Loads an expected array by name.
     *
     * @param expectedName the array's role, e.g. {@code "output"}, {@code "relu4_1"}
     * @return its float64 values in C order
     * @throws IllegalArgumentException the case has no such array, or its file is not a valid {@code .npy}
     */
    public Npy.Array load(String expectedName) {
        return expected(expectedName).load();
    }

    /**
     * The expected {@code output} of a TRANSFER / DECODE / ADAIN case.
     *
     * @return the metadata of the array named {@code "output"}
     * @throws IllegalArgumentException the case has no output (e.g. a FEATURES case)
     */
    public ExpectedArray output() {
        return expected("output");
    }

    /**
     * The value of a scalar expected array (a loss, stored with shape {@code [1]}).
     *
     * @param expectedName the array's name, e.g. {@code "total"} or {@code "loss_after"}
     * @return its single value
     * @throws IllegalArgumentException the case has no such array, or it holds more than one value
     */
    public double scalar(String expectedName) {
        Npy.Array a = load(expectedName);
        if (a.size() != 1) {
            throw new IllegalArgumentException("case " + name + ": expected array \"" + expectedName
                    + "\" is not a scalar (shape " + Arrays.toString(a.shape()) + ")");
        }
        return a.data()[0];
    }

    // ---- inputs ------------------------------------------------------------------------------

    /**
     * A single-path input.
     *
     * @param key the input's key: {@code "content"}, {@code "image"}, {@code "features"}, {@code "tensor"},
     *            {@code "mask"}, {@code "content_features"}, {@code "style_features"}
     * @return its resource path relative to {@link ReferenceCases#RESOURCE_ROOT}
     * @throws IllegalArgumentException the case has no such input, or it is a list of paths
     */
    public String input(String key) {
        Object v = inputs.get(key);
        if (!(v instanceof String s)) {
            throw new IllegalArgumentException("case " + name + ": input \"" + key + "\" is "
                    + (v == null ? "absent" : "not a single path"));
        }
        return s;
    }

    /**
     * The content image of a FEATURES or TRANSFER case.
     *
     * @return the PNG's resource path; read it with {@link ReferenceCases#imageTensor}
     * @throws IllegalArgumentException the case has no single content image
     */
    public String content() {
        return input("content");
    }

    /**
     * An {@code .npy} input, read.
     *
     * @param key the input's key: {@code "features"}, {@code "content_features"}, {@code "style_features"} or
     *            {@code "tensor"}
     * @return its float64 values in C order
     * @throws IllegalArgumentException the case has no such input, or it is not a valid {@code .npy} file
     */
    public Npy.Array inputArray(String key) {
        return ReferenceCases.array(input(key));
    }

    /**
     * Content image paths of a batch case (LOSSES, GRADIENTS, ADAM), in batch order.
     *
     * @return the PNGs' resource paths, empty for a case without {@code inputs.contents}
     */
    public List<String> contents() {
        Object v = inputs.get("contents");
        if (v == null) {
            return List.of();
        }
        return ReferenceCases.stringList(v, "case " + name + " inputs.contents");
    }

    /**
     * The content images of a batch case as one tensor.
     *
     * @return {@link #contents()} stacked, {@code N×3×H×W}, values uint8 / 255
     * @throws IllegalArgumentException the case has no contents, or they differ in size
     */
    public Npy.Array contentBatch() {
        return ReferenceCases.imageBatch(contents());
    }

    /**
     * The style images of a batch case as one tensor.
     *
     * @return {@link #styles()} stacked, {@code N×3×H×W}, values uint8 / 255
     * @throws IllegalArgumentException the case has no styles, or they differ in size
     */
    public Npy.Array styleBatch() {
        return ReferenceCases.imageBatch(styles());
    }

    /**
     * Style image paths, in order (style_0 = foreground for the mask case).
     *
     * @return the PNGs' resource paths, one per style (or per pair in a batch case), empty when there are none
     */
    public List<String> styles() {
        Object v = inputs.get("styles");
        if (v == null) {
            return List.of();
        }
        return ReferenceCases.stringList(v, "case " + name + " inputs.styles");
    }

    /**
     * The mask image path, if the case has one (mask value 1 = first style, 0 = second style).
     *
     * @return the grey PNG's resource path (read it with {@link ReferenceCases#maskArray}), or empty
     */
    public Optional<String> mask() {
        Object v = inputs.get("mask");
        return v instanceof String s ? Optional.of(s) : Optional.empty();
    }

    // ---- parameters --------------------------------------------------------------------------

    /**
     * Whether a parameter is present and not JSON null.
     *
     * @param parameter the key in {@code parameters}
     * @return true when the typed getters can read it
     */
    public boolean has(String parameter) {
        return parameters.get(parameter) != null;
    }

    private Object param(String key) {
        if (!has(key)) {
            throw new IllegalArgumentException("case " + name + " has no parameter \"" + key + "\"");
        }
        return parameters.get(key);
    }

    /**
     * A numeric parameter.
     *
     * @param key the key in {@code parameters}, e.g. {@code "alpha"} or {@code "eps"}
     * @return its value
     * @throws IllegalArgumentException the parameter is absent, null or not a number
     */
    public double doubleParameter(String key) {
        return ReferenceCases.number(param(key), "case " + name + " parameters." + key).doubleValue();
    }

    /**
     * An integer parameter.
     *
     * @param key the key in {@code parameters}, e.g. {@code "steps"} or {@code "size"}
     * @return its value
     * @throws IllegalArgumentException the parameter is absent, null, not an integer or outside the int range
     */
    public int intParameter(String key) {
        return ReferenceCases.intValue(param(key), "case " + name + " parameters." + key);
    }

    /**
     * An integer-list parameter.
     *
     * @param key the key in {@code parameters}, e.g. {@code "input_shape"} or {@code "decoder_convs"}
     * @return its values in order
     * @throws IllegalArgumentException the parameter is absent, null, or not a list of integers
     */
    public int[] intArrayParameter(String key) {
        return ReferenceCases.intArray(param(key), "case " + name + " parameters." + key);
    }

    /**
     * A string parameter.
     *
     * @param key the key in {@code parameters}, e.g. {@code "encoder"} or {@code "error"}
     * @return its value
     * @throws IllegalArgumentException the parameter is absent, null or not a string
     */
    public String stringParameter(String key) {
        Object v = param(key);
        if (!(v instanceof String s)) {
            throw new IllegalArgumentException("case " + name + " parameters." + key + " is not a string");
        }
        return s;
    }

    /**
     * A boolean parameter.
     *
     * @param key the key in {@code parameters}, e.g. {@code "preserve_color"}
     * @return its value
     * @throws IllegalArgumentException the parameter is absent, null or not a boolean
     */
    public boolean booleanParameter(String key) {
        Object v = param(key);
        if (!(v instanceof Boolean b)) {
            throw new IllegalArgumentException("case " + name + " parameters." + key + " is not a boolean");
        }
        return b;
    }

    /**
     * The content/style trade-off of a TRANSFER case.
     *
     * @return alpha in [0, 1]
     * @throws IllegalArgumentException the case has no {@code alpha}
     */
    public double alpha() {
        return doubleParameter("alpha");
    }

    /**
     * The raw interpolation weights of a TRANSFER case, as a user would give them.
     *
     * @return one weight per style (e.g. 1, 2, 3, 4), not normalised
     * @throws IllegalArgumentException the case has no {@code style_weights}
     */
    public List<Double> styleWeights() {
        return ReferenceCases.doubleList(param("style_weights"), "case " + name + " parameters.style_weights");
    }

    /**
     * The interpolation weights the oracle used.
     *
     * @return {@link #styleWeights()} normalised to sum 1 (e.g. 0.1 … 0.4)
     * @throws IllegalArgumentException the case has no {@code normalised_style_weights}
     */
    public List<Double> normalisedStyleWeights() {
        return ReferenceCases.doubleList(param("normalised_style_weights"),
                "case " + name + " parameters.normalised_style_weights");
    }

    /**
     * Whether a TRANSFER case recolours its styles to the content first (CORAL).
     *
     * @return the {@code preserve_color} parameter, false when absent
     * @throws IllegalArgumentException the parameter is not a boolean
     */
    public boolean preserveColor() {
        return has("preserve_color") && booleanParameter("preserve_color");
    }

    /**
     * The encoder model of the case.
     *
     * @return its resource path (a Keras {@code .h5}); copy it with {@link ReferenceCases#copyTo}
     * @throws IllegalArgumentException the case has no {@code encoder}
     */
    public String encoder() {
        return stringParameter("encoder");
    }

    /**
     * The encoder's flavour.
     *
     * @return {@code "normalised"} (normalised VGG with its 1×1 preprocessing conv) or {@code "keras_apps"}
     * @throws IllegalArgumentException the case has no {@code encoder_flavour}
     */
    public String encoderFlavour() {
        return stringParameter("encoder_flavour");
    }

    /**
     * The decoder model of the case.
     *
     * @return its resource path (a Keras {@code .h5})
     * @throws IllegalArgumentException the case has no {@code decoder}
     */
    public String decoder() {
        return stringParameter("decoder");
    }

    /**
     * The content-loss weight of a training case.
     *
     * @return the weight (1 in every case)
     * @throws IllegalArgumentException the case has no {@code content_weight}
     */
    public double contentWeight() {
        return doubleParameter("content_weight");
    }

    /**
     * The style-loss weight of a training case.
     *
     * @return the weight (10 in every case)
     * @throws IllegalArgumentException the case has no {@code style_weight}
     */
    public double styleWeight() {
        return doubleParameter("style_weight");
    }

    /**
     * The encoder of a training case as SPI weights, without HDF5.
     *
     * @return the {@link ReferenceWeights} set named by {@code parameters.encoder_weights}
     * @throws IllegalArgumentException the case has no {@code encoder_weights}, or the set does not exist
     */
    public EncoderWeights encoderWeights() {
        return ReferenceWeights.encoder(stringParameter("encoder_weights"));
    }

    /**
     * The (initial) decoder of a training case as SPI weights, without HDF5.
     *
     * @return the {@link ReferenceWeights} set named by {@code parameters.decoder_weights}
     * @throws IllegalArgumentException the case has no {@code decoder_weights}, or the set does not exist
     */
    public DecoderWeights decoderWeights() {
        return ReferenceWeights.decoder(stringParameter("decoder_weights"));
    }

    /**
     * The base learning rate of an ADAM case; before iteration i the rate is {@code lr / (1 + lrDecay · i)}.
     *
     * @return {@code lr} (1e-4 or 1e-3)
     * @throws IllegalArgumentException the case has no {@code lr}
     */
    public double learningRate() {
        return doubleParameter("lr");
    }

    /**
     * The learning-rate decay of an ADAM case (see {@link #learningRate()}).
     *
     * @return {@code lr_decay} (5e-5 or 0.5)
     * @throws IllegalArgumentException the case has no {@code lr_decay}
     */
    public double learningRateDecay() {
        return doubleParameter("lr_decay");
    }

    /**
     * The decoder convolutions whose arrays a GRADIENTS / ADAM case stores.
     *
     * @return conv indices in 0 … 8: {@code [0, 8]}, or all nine for {@code adam}
     * @throws IllegalArgumentException the case has no {@code decoder_convs}
     */
    public int[] decoderConvs() {
        return ReferenceCases.intArray(param("decoder_convs"), "case " + name + " parameters.decoder_convs");
    }

    /**
     * The decoder's output size before the crop to the content's size.
     *
     * @return {@code {H, W}} of a TRANSFER case, multiples of 8
     * @throws IllegalArgumentException the case has no {@code decoded_size}
     */
    public int[] decodedSize() {
        return ReferenceCases.intArray(param("decoded_size"), "case " + name + " parameters.decoded_size");
    }

    @Override
    public String toString() {
        return "ReferenceCase[" + name + ", " + kind + (expectError ? ", expect error" : ", tolerance " + tolerance)
                + "]";
    }
}
