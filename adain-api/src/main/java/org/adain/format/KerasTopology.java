package org.adain.format;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.adain.ModelException;
import org.adain.format.KerasModelConfig.LayerSpec;
import org.adain.spi.DecoderWeights;
import org.adain.spi.EncoderWeights;

/**
 * Checks a Keras model config against the AdaIN encoder (SEMANTICS §6) or decoder (§7) layer by layer, by
 * order and type, never by name, and returns the convolutions in order. Everything that decides what the
 * network computes is checked here (kernel sizes, strides, padding, activations, pooling and upsampling
 * modes), so a file that passes describes exactly the network the backends implement. Layers after the last
 * one used (the encoder's conv4_1) are not looked at.
 */
final class KerasTopology {
    static final String INPUT = "InputLayer";
    static final String CONV = "Conv2D";
    static final String PAD = "ReflectionPadding2D";
    static final String POOL = "MaxPooling2D";
    static final String UP = "UpSampling2D";

    private KerasTopology() {
    }

    /**
     * The convolutions of a matched model.
     *
     * @param preprocess    the encoder's 1×1 conv; null for a decoder
     * @param convs         the 3×3 convs in network order
     * @param lastIndex     index in the file's layer list of the last layer the network uses
     * @param inputChannels channels the InputLayer declares (3 for an encoder)
     */
    record Match(LayerSpec preprocess, List<LayerSpec> convs, int lastIndex, int inputChannels) {
    }

    /**
     * The normalised VGG-19 up to relu4_1: InputLayer, 1×1 linear conv 3→3, then pad+conv3×3+relu per conv
     * with 2×2/2 'same' max-pools after conv1_2, conv2_2 and conv3_4. Layers after conv4_1 are ignored.
     */
    static Match encoder(KerasModelConfig model, String file) {
        String hint = "";
        if (model.containsClass(UP)) {
            hint = " (this looks like an AdaIN decoder: it has UpSampling2D layers; pass it as the decoder)";
        } else if (!model.containsClass(PAD) && model.layers().stream()
                .anyMatch(l -> l.className().equals(CONV) && "same".equals(l.text("padding")))) {
            hint = " (this looks like a Keras-applications VGG-19 saved as a full model: it has no "
                    + "ReflectionPadding2D layers and its convs pad 'same'; save only its weights with "
                    + "model.save_weights('vgg19.h5') and pass that file)";
        }
        Cursor c = new Cursor(model.layers(), file, hint);
        LayerSpec input = c.expect(INPUT, "the InputLayer");
        checkInputChannels(input, 3, file, hint);
        LayerSpec pre = c.expect(CONV, "the 1×1 preprocessing conv");
        checkConv(pre, 1, "linear", file);
        List<LayerSpec> convs = new ArrayList<>();
        for (int i = 0; i < EncoderWeights.CONV_NAMES.size(); i++) {
            String role = EncoderWeights.CONV_NAMES.get(i);
            if (EncoderWeights.POOL_AFTER.contains(i - 1)) {
                checkPool(c.expect(POOL, "the max-pool after " + EncoderWeights.CONV_NAMES.get(i - 1)), file);
            }
            checkPad(c.expect(PAD, "the reflection padding before " + role), file);
            LayerSpec conv = c.expect(CONV, "the 3×3 conv " + role);
            checkConv(conv, 3, "relu", file);
            convs.add(conv);
        }
        return new Match(pre, List.copyOf(convs), c.last().index(), 3);
    }

    /**
     * The AdaIN decoder: InputLayer, then nine times pad+conv3×3 (relu on all but the last, which is linear),
     * with a nearest ×2 upsampling after convs 0, 4 and 6. Nothing may follow the last conv.
     */
    static Match decoder(KerasModelConfig model, String file) {
        String hint = model.containsClass(POOL)
                ? " (this looks like a VGG encoder: it has MaxPooling2D layers; pass it as the encoder)" : "";
        Cursor c = new Cursor(model.layers(), file, hint);
        int inputChannels = declaredChannels(c.expect(INPUT, "the InputLayer"), file);
        List<LayerSpec> convs = new ArrayList<>();
        for (int i = 0; i < DecoderWeights.CONV_COUNT; i++) {
            boolean last = i == DecoderWeights.CONV_COUNT - 1;
            String role = "decoder conv " + i + (last ? " (the last, linear one)" : "");
            checkPad(c.expect(PAD, "the reflection padding before " + role), file);
            LayerSpec conv = c.expect(CONV, "the 3×3 " + role);
            checkConv(conv, 3, last ? "linear" : "relu", file);
            convs.add(conv);
            if (DecoderWeights.UPSAMPLE_AFTER.contains(i)) {
                checkUpsampling(c.expect(UP, "the ×2 upsampling after decoder conv " + i), file);
            }
        }
        if (c.pos < model.layers().size()) {
            LayerSpec extra = model.layers().get(c.pos);
            throw new ModelException(file + ": layer " + extra.describe() + " follows the decoder's last conv '"
                    + c.last().label() + "'; the decoder must end with that linear 3×3 conv" + hint);
        }
        return new Match(null, List.copyOf(convs), c.last().index(), inputChannels);
    }

    /** Walks the layer list in order, checking each layer's type and that it takes the previous layer's output. */
    private static final class Cursor {
        private final List<LayerSpec> layers;
        private final String file;
        private final String hint;
        private int pos;

        Cursor(List<LayerSpec> layers, String file, String hint) {
            this.layers = layers;
            this.file = file;
            this.hint = hint;
        }

        LayerSpec expect(String className, String what) {
            if (pos >= layers.size()) {
                throw new ModelException(file + ": the model ends after " + layers.size() + " layers, where "
                        + what + " (" + className + ") should follow" + hint);
            }
            LayerSpec l = layers.get(pos);
            if (!l.className().equals(className)) {
                throw new ModelException(file + ": layer " + l.describe() + " comes where " + what + " ("
                        + className + ") is expected" + hint);
            }
            if (pos > 0) {
                String prev = layers.get(pos - 1).name();
                if (!l.inbound().equals(List.of(prev))) {
                    String from = l.inbound().isEmpty() ? "no layer" : l.inbound().stream().limit(8)
                            .map(SafeText::of).collect(Collectors.joining(", ", "[", l.inbound().size() > 8
                                    ? ", …]" : "]"));
                    throw new ModelException(file + ": layer '" + l.label() + "' takes its input from " + from
                            + ", expected the previous layer '" + SafeText.of(prev)
                            + "'; only a straight chain of layers is supported");
                }
            }
            pos++;
            return l;
        }

        LayerSpec last() {
            return layers.get(pos - 1);
        }
    }

    /** batch_input_shape (tf.keras 2.x, Keras 2.3) or batch_shape (Keras 3). */
    private static Object inputShape(LayerSpec input) {
        return input.config().containsKey("batch_input_shape") ? input.get("batch_input_shape")
                : input.get("batch_shape");
    }

    /**
     * The channel count the InputLayer declares. Required: the stored kernels are checked against it, so a kernel
     * with too few input channels is caught.
     */
    private static int declaredChannels(LayerSpec input, String file) {
        Object shape = inputShape(input);
        Integer channels = shape instanceof List<?> l && l.size() == 4 ? Json.intValue(l.get(3)) : null;
        if (channels == null) {
            throw new ModelException(file + ": the InputLayer '" + input.label() + "' does not declare its channel "
                    + "count (batch_input_shape " + SafeText.of(shape == null ? "null" : Json.write(shape))
                    + "); expected [null, null, null, channels]");
        }
        return channels;
    }

    private static void checkInputChannels(LayerSpec input, int expected, String file, String hint) {
        Object shape = inputShape(input);
        if (shape instanceof List<?> l && l.size() == 4 && Json.isIntegral(l.get(3))) {
            Integer channels = Json.intValue(l.get(3));
            if (channels == null || channels != expected) {
                throw new ModelException(file + ": the InputLayer '" + input.label() + "' takes "
                        + SafeText.of(Json.write(l.get(3))) + " channels (batch_input_shape "
                        + SafeText.of(Json.write(shape)) + "), expected " + expected + " (RGB, channels last)" + hint);
            }
        }
    }

    private static void checkConv(LayerSpec l, int kernel, String activation, String file) {
        checkChannelsLast(l, file);
        int[] k = l.pair("kernel_size");
        if (k == null || k[0] != kernel || k[1] != kernel) {
            throw new ModelException(file + ": layer '" + l.label() + "' has kernel_size " + l.raw("kernel_size")
                    + ", expected [" + kernel + ", " + kernel + "]");
        }
        checkOnes(l, "strides", file);
        checkOnes(l, "dilation_rate", file);
        String padding = l.has("padding") ? l.text("padding") : "valid";
        if (!"valid".equals(padding)) {
            throw new ModelException(file + ": layer '" + l.label() + "' has padding '" + SafeText.of(padding)
                    + "', expected 'valid' (the ReflectionPadding2D before it does the padding)");
        }
        if (l.has("groups") && !Integer.valueOf(1).equals(Json.intValue(l.get("groups")))) {
            throw new ModelException(file + ": layer '" + l.label() + "' has groups " + l.raw("groups")
                    + ", expected 1");
        }
        if (l.has("use_bias") && !Json.booleanValue(l.get("use_bias"), true)) {
            throw new ModelException(file + ": layer '" + l.label() + "' has no bias (use_bias false); every "
                    + "AdaIN conv has one");
        }
        Integer filters = Json.intValue(l.get("filters"));
        if (filters == null || filters <= 0) {
            throw new ModelException(file + ": layer '" + l.label() + "' has filters " + l.raw("filters")
                    + ", expected a positive number of output channels");
        }
        // Keras' default activation is None, i.e. linear
        String act = l.has("activation") ? l.text("activation") : "linear";
        if (!activation.equals(act)) {
            throw new ModelException(file + ": layer '" + l.label() + "' has activation '" + SafeText.of(act)
                    + "', expected '" + activation + "'");
        }
    }

    /** A conv's filters, after {@link #checkConv} accepted them. */
    static int filters(LayerSpec l) {
        return Json.intValue(l.get("filters"));
    }

    private static void checkOnes(LayerSpec l, String key, String file) {
        if (!l.has(key)) {
            return;
        }
        int[] v = l.pair(key);
        if (v == null || v[0] != 1 || v[1] != 1) {
            throw new ModelException(file + ": layer '" + l.label() + "' has " + key + " " + l.raw(key)
                    + ", expected [1, 1]");
        }
    }

    private static void checkPad(LayerSpec l, String file) {
        int[] p = paddings(l.get("padding"));
        if (p == null || Arrays.stream(p).anyMatch(v -> v != 1)) {
            throw new ModelException(file + ": layer '" + l.label() + "' has padding " + l.raw("padding")
                    + ", expected 1 on every side ([[1, 1], [1, 1]])");
        }
    }

    /**
     * A ReflectionPadding2D padding as {top, bottom, left, right}: an int, {@code [h, w]} or
     * {@code [[top, bottom], [left, right]]}; null when it is none of these.
     */
    static int[] paddings(Object n) {
        Integer single = Json.intValue(n);
        if (single != null) {
            return new int[] {single, single, single, single};
        }
        if (!(n instanceof List<?> l) || l.size() != 2) {
            return null;
        }
        Integer a = Json.intValue(l.get(0));
        Integer b = Json.intValue(l.get(1));
        if (a != null && b != null) {
            return new int[] {a, a, b, b};
        }
        if (l.get(0) instanceof List<?> x && l.get(1) instanceof List<?> y && x.size() == 2 && y.size() == 2) {
            Integer t = Json.intValue(x.get(0));
            Integer bo = Json.intValue(x.get(1));
            Integer le = Json.intValue(y.get(0));
            Integer r = Json.intValue(y.get(1));
            if (t != null && bo != null && le != null && r != null) {
                return new int[] {t, bo, le, r};
            }
        }
        return null;
    }

    private static void checkPool(LayerSpec l, String file) {
        checkChannelsLast(l, file);
        int[] size = l.pair("pool_size");
        if (size == null || size[0] != 2 || size[1] != 2) {
            throw new ModelException(file + ": layer '" + l.label() + "' has pool_size " + l.raw("pool_size")
                    + ", expected [2, 2]");
        }
        // Keras: strides None means strides = pool_size
        int[] strides = l.has("strides") ? l.pair("strides") : size;
        if (strides == null || strides[0] != 2 || strides[1] != 2) {
            throw new ModelException(file + ": layer '" + l.label() + "' has strides " + l.raw("strides")
                    + ", expected [2, 2]");
        }
        String padding = l.has("padding") ? l.text("padding") : "valid";
        if (!"same".equals(padding)) {
            throw new ModelException(file + ": layer '" + l.label() + "' has padding '" + SafeText.of(padding)
                    + "', expected 'same' (the normalised VGG-19 pools in ceil mode, which 2×2/2 'same' is)");
        }
    }

    private static void checkUpsampling(LayerSpec l, String file) {
        checkChannelsLast(l, file);
        int[] size = l.pair("size");
        if (size == null || size[0] != 2 || size[1] != 2) {
            throw new ModelException(file + ": layer '" + l.label() + "' has size " + l.raw("size")
                    + ", expected [2, 2]");
        }
        // older Keras versions have no interpolation field and only do nearest
        String interpolation = l.has("interpolation") ? l.text("interpolation") : "nearest";
        if (!"nearest".equals(interpolation)) {
            throw new ModelException(file + ": layer '" + l.label() + "' has interpolation '"
                    + SafeText.of(interpolation) + "', expected 'nearest'");
        }
    }

    private static void checkChannelsLast(LayerSpec l, String file) {
        String format = l.text("data_format");
        if (format != null && !format.equals("channels_last")) {
            throw new ModelException(file + ": layer '" + l.label() + "' has data_format '" + SafeText.of(format)
                    + "'; only channels_last models are supported");
        }
    }
}
