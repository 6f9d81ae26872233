package org.adain.dl4j.modelimport;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.adain.ModelException;
import org.adain.dl4j.modelimport.KerasModelConfig.LayerSpec;
import org.adain.spi.DecoderWeights;
import org.adain.spi.EncoderWeights;
import org.nd4j.shade.jackson.databind.JsonNode;

/**
 * Checks a Keras model config against the AdaIN encoder (SEMANTICS §6) or decoder (§7) layer by layer, by
 * order and type, never by name, and returns the convolutions in order. Everything that decides what the
 * network computes is checked here (kernel sizes, strides, padding, activations, pooling and upsampling
 * modes), so a file that passes builds exactly the network the backends implement.
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
     * The convolutions of a matched model, and the index of the last layer used.
     *
     * @param preprocess the encoder's 1×1 conv; null for a decoder
     * @param convs      the 3×3 convs in network order
     * @param lastIndex  index in the file's layer list of the last layer the network uses
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
                    + c.last().name() + "'; the decoder must end with that linear 3×3 conv" + hint);
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
                    throw new ModelException(file + ": layer '" + l.name() + "' takes its input from "
                            + (l.inbound().isEmpty() ? "no layer" : l.inbound())
                            + ", expected the previous layer '" + prev
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

    /**
     * The channel count the InputLayer declares. Required: DL4J fits a stored kernel to the configured input
     * channels, so without it a kernel with too few input channels would load as scrambled weights.
     */
    private static int declaredChannels(LayerSpec input, String file) {
        JsonNode shape = input.config().has("batch_input_shape") ? input.config().get("batch_input_shape")
                : input.config().get("batch_shape");
        if (shape == null || !shape.isArray() || shape.size() != 4 || !shape.get(3).isIntegralNumber()) {
            throw new ModelException(file + ": the InputLayer '" + input.name() + "' does not declare its channel "
                    + "count (batch_input_shape " + shape + "); expected [null, null, null, channels]");
        }
        return shape.get(3).asInt();
    }

    private static void checkInputChannels(LayerSpec input, int expected, String file, String hint) {
        // tf.keras 2.x and Keras 2.3 write batch_input_shape; Keras 3 writes batch_shape
        JsonNode shape = input.config().has("batch_input_shape") ? input.config().get("batch_input_shape")
                : input.config().get("batch_shape");
        if (shape != null && shape.isArray() && shape.size() == 4) {
            JsonNode channels = shape.get(3);
            if (channels.isIntegralNumber() && channels.asInt() != expected) {
                throw new ModelException(file + ": the InputLayer '" + input.name() + "' takes "
                        + channels.asInt() + " channels (batch_input_shape " + shape + "), expected " + expected
                        + " (RGB, channels last)" + hint);
            }
        }
    }

    private static void checkConv(LayerSpec l, int kernel, String activation, String file) {
        checkChannelsLast(l, file);
        int[] k = l.pair("kernel_size");
        if (k == null || k[0] != kernel || k[1] != kernel) {
            throw new ModelException(file + ": layer '" + l.name() + "' has kernel_size " + l.raw("kernel_size")
                    + ", expected [" + kernel + ", " + kernel + "]");
        }
        checkOnes(l, "strides", file);
        checkOnes(l, "dilation_rate", file);
        String padding = l.has("padding") ? l.text("padding") : "valid";
        if (!"valid".equals(padding)) {
            throw new ModelException(file + ": layer '" + l.name() + "' has padding '" + padding
                    + "', expected 'valid' (the ReflectionPadding2D before it does the padding)");
        }
        if (l.has("groups") && l.config().get("groups").asInt(-1) != 1) {
            throw new ModelException(file + ": layer '" + l.name() + "' has groups " + l.raw("groups")
                    + ", expected 1");
        }
        if (l.has("use_bias") && !l.config().get("use_bias").asBoolean(true)) {
            throw new ModelException(file + ": layer '" + l.name() + "' has no bias (use_bias false); every "
                    + "AdaIN conv has one");
        }
        JsonNode filters = l.config().get("filters");
        if (filters == null || !filters.isIntegralNumber() || filters.asInt() <= 0) {
            throw new ModelException(file + ": layer '" + l.name() + "' has filters " + l.raw("filters")
                    + ", expected a positive number of output channels");
        }
        // Keras' default activation is None, i.e. linear
        String act = l.has("activation") ? l.text("activation") : "linear";
        if (!activation.equals(act)) {
            throw new ModelException(file + ": layer '" + l.name() + "' has activation '" + act + "', expected '"
                    + activation + "'");
        }
    }

    private static void checkOnes(LayerSpec l, String key, String file) {
        if (!l.has(key)) {
            return;
        }
        int[] v = l.pair(key);
        if (v == null || v[0] != 1 || v[1] != 1) {
            throw new ModelException(file + ": layer '" + l.name() + "' has " + key + " " + l.raw(key)
                    + ", expected [1, 1]");
        }
    }

    private static void checkPad(LayerSpec l, String file) {
        int[] p = paddings(l.config().get("padding"));
        if (p == null || Arrays.stream(p).anyMatch(v -> v != 1)) {
            throw new ModelException(file + ": layer '" + l.name() + "' has padding " + l.raw("padding")
                    + ", expected 1 on every side ([[1, 1], [1, 1]])");
        }
    }

    /**
     * A ReflectionPadding2D padding as {top, bottom, left, right}: an int, {@code [h, w]} or
     * {@code [[top, bottom], [left, right]]}; null when it is none of these.
     */
    static int[] paddings(JsonNode n) {
        if (n == null || n.isNull()) {
            return null;
        }
        if (n.isIntegralNumber()) {
            return new int[] {n.asInt(), n.asInt(), n.asInt(), n.asInt()};
        }
        if (!n.isArray() || n.size() != 2) {
            return null;
        }
        JsonNode a = n.get(0);
        JsonNode b = n.get(1);
        if (a.isIntegralNumber() && b.isIntegralNumber()) {
            return new int[] {a.asInt(), a.asInt(), b.asInt(), b.asInt()};
        }
        if (a.isArray() && b.isArray() && a.size() == 2 && b.size() == 2 && a.get(0).isIntegralNumber()
                && a.get(1).isIntegralNumber() && b.get(0).isIntegralNumber() && b.get(1).isIntegralNumber()) {
            return new int[] {a.get(0).asInt(), a.get(1).asInt(), b.get(0).asInt(), b.get(1).asInt()};
        }
        return null;
    }

    private static void checkPool(LayerSpec l, String file) {
        checkChannelsLast(l, file);
        int[] size = l.pair("pool_size");
        if (size == null || size[0] != 2 || size[1] != 2) {
            throw new ModelException(file + ": layer '" + l.name() + "' has pool_size " + l.raw("pool_size")
                    + ", expected [2, 2]");
        }
        // Keras: strides None means strides = pool_size
        int[] strides = l.has("strides") ? l.pair("strides") : size;
        if (strides == null || strides[0] != 2 || strides[1] != 2) {
            throw new ModelException(file + ": layer '" + l.name() + "' has strides " + l.raw("strides")
                    + ", expected [2, 2]");
        }
        String padding = l.has("padding") ? l.text("padding") : "valid";
        if (!"same".equals(padding)) {
            throw new ModelException(file + ": layer '" + l.name() + "' has padding '" + padding
                    + "', expected 'same' (the normalised VGG-19 pools in ceil mode, which 2×2/2 'same' is)");
        }
    }

    private static void checkUpsampling(LayerSpec l, String file) {
        checkChannelsLast(l, file);
        int[] size = l.pair("size");
        if (size == null || size[0] != 2 || size[1] != 2) {
            throw new ModelException(file + ": layer '" + l.name() + "' has size " + l.raw("size")
                    + ", expected [2, 2]");
        }
        // older Keras versions have no interpolation field and only do nearest
        String interpolation = l.has("interpolation") ? l.text("interpolation") : "nearest";
        if (!"nearest".equals(interpolation)) {
            throw new ModelException(file + ": layer '" + l.name() + "' has interpolation '" + interpolation
                    + "', expected 'nearest'");
        }
    }

    private static void checkChannelsLast(LayerSpec l, String file) {
        String format = l.text("data_format");
        if (format != null && !format.equals("channels_last")) {
            throw new ModelException(file + ": layer '" + l.name() + "' has data_format '" + format
                    + "'; only channels_last models are supported");
        }
    }
}
