package org.adain.dl4j.modelimport;

import java.util.ArrayList;
import java.util.List;
import org.adain.ModelException;
import org.nd4j.shade.jackson.core.JsonProcessingException;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.node.ArrayNode;
import org.nd4j.shade.jackson.databind.node.ObjectNode;

/**
 * The {@code model_config} JSON of a functional Keras model (class_name "Functional" from tf.keras 2.x,
 * "Model" from standalone Keras 2.x), reduced to what the topology checks need: each layer's class, name,
 * config and inbound layers, in file order.
 */
final class KerasModelConfig {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<LayerSpec> layers;

    private KerasModelConfig(List<LayerSpec> layers) {
        this.layers = layers;
    }

    /** One Keras layer as the model config describes it. */
    record LayerSpec(int index, String className, String name, JsonNode config, List<String> inbound) {
        /** "'block1_conv1' (Conv2D, layer 3 of the file)", for messages. */
        String describe() {
            return "'" + name + "' (" + className + ", layer " + (index + 1) + " of the file)";
        }

        /** A config field as text, or null when absent or JSON null. */
        String text(String key) {
            JsonNode n = config.get(key);
            return n == null || n.isNull() ? null : n.isTextual() ? n.asText() : n.toString();
        }

        /** A config field as written in the file (for messages), "absent" when missing. */
        String raw(String key) {
            JsonNode n = config.get(key);
            return n == null ? "absent" : n.toString();
        }

        boolean has(String key) {
            JsonNode n = config.get(key);
            return n != null && !n.isNull();
        }

        /**
         * A 2-D size field such as kernel_size, strides or pool_size: {@code [a, b]} or a bare int {@code a}
         * (meaning {@code [a, a]}); null when absent or not of that form.
         */
        int[] pair(String key) {
            JsonNode n = config.get(key);
            if (n == null || n.isNull()) {
                return null;
            }
            if (n.isIntegralNumber()) {
                return new int[] {n.asInt(), n.asInt()};
            }
            if (n.isArray() && n.size() == 2 && n.get(0).isIntegralNumber() && n.get(1).isIntegralNumber()) {
                return new int[] {n.get(0).asInt(), n.get(1).asInt()};
            }
            return null;
        }
    }

    /** Parses the model config; throws naming the file when it is not a functional Keras model. */
    static KerasModelConfig parse(String json, String fileName) {
        JsonNode parsed;
        try {
            parsed = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new ModelException(fileName + ": the model_config attribute is not valid JSON ("
                    + e.getOriginalMessage() + ")", e);
        }
        if (!(parsed instanceof ObjectNode root)) {
            throw new ModelException(fileName + ": the model_config attribute is not a JSON object");
        }
        String modelClass = root.path("class_name").asText("");
        if (modelClass.equals("Sequential")) {
            throw new ModelException(fileName + ": is a Keras Sequential model; only functional models "
                    + "(class_name 'Functional' or 'Model') are supported. Rebuild it as keras.Model(inputs, "
                    + "outputs) and save it again");
        }
        if (!modelClass.equals("Functional") && !modelClass.equals("Model")) {
            throw new ModelException(fileName + ": model_config has class_name '" + modelClass
                    + "', expected a functional Keras model ('Functional' or 'Model')");
        }
        JsonNode layerArray = root.path("config").path("layers");
        if (!layerArray.isArray()) {
            throw new ModelException(fileName + ": model_config has no config.layers list");
        }
        List<LayerSpec> layers = new ArrayList<>();
        for (int i = 0; i < layerArray.size(); i++) {
            JsonNode l = layerArray.get(i);
            JsonNode config = l.path("config");
            String name = l.hasNonNull("name") ? l.get("name").asText() : config.path("name").asText(null);
            String className = l.path("class_name").asText(null);
            if (name == null || className == null || !config.isObject()) {
                throw new ModelException(fileName + ": model_config layer " + (i + 1)
                        + " lacks a name, class_name or config");
            }
            layers.add(new LayerSpec(i, className, name, config, inboundNames(l.path("inbound_nodes"))));
        }
        return new KerasModelConfig(List.copyOf(layers));
    }

    /**
     * Names of the layers feeding this one. Keras 2 writes inbound_nodes as a list of nodes, each a list of
     * {@code [layer_name, node_index, tensor_index, kwargs]}.
     */
    private static List<String> inboundNames(JsonNode inboundNodes) {
        List<String> names = new ArrayList<>();
        if (inboundNodes.isArray()) {
            for (JsonNode node : inboundNodes) {
                if (!node.isArray()) {
                    continue;
                }
                for (JsonNode tensor : node) {
                    if (tensor.isArray() && tensor.size() > 0 && tensor.get(0).isTextual()) {
                        names.add(tensor.get(0).asText());
                    }
                }
            }
        }
        return List.copyOf(names);
    }

    /**
     * The model config with {@code side} in place of each InputLayer's unknown ({@code null}) height and width,
     * for DL4J's import only. DL4J infers every layer's input type from the InputLayer's and warns once per JVM
     * ("InputType - Assigning height of 0") about an unknown size, which is what a fully convolutional AdaIN
     * network declares. The imported graph only holds the weights, whose shapes do not depend on the size.
     *
     * @param json a config {@link #parse} accepted
     * @param side a height and width every layer's shape inference accepts (a multiple of 8 for the pools)
     * @param fileName the file, for messages
     * @return the config as JSON text
     */
    static String withInputSize(String json, int side, String fileName) {
        try {
            JsonNode root = JSON.readTree(json);
            for (JsonNode layer : root.path("config").path("layers")) {
                if (!KerasTopology.INPUT.equals(layer.path("class_name").asText())) {
                    continue;
                }
                for (String key : new String[] {"batch_input_shape", "batch_shape"}) {
                    // [batch, height, width, channels]: channels last, as KerasTopology requires
                    if (layer.path("config").get(key) instanceof ArrayNode shape && shape.size() == 4) {
                        for (int i = 1; i <= 2; i++) {
                            if (shape.get(i).isNull()) {
                                shape.set(i, JSON.getNodeFactory().numberNode(side));
                            }
                        }
                    }
                }
            }
            return JSON.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new ModelException(fileName + ": the model_config attribute is not valid JSON ("
                    + e.getOriginalMessage() + ")", e);
        }
    }

    /** A plain Java value (maps, lists, numbers, as DL4J hands layer configs over) as a JSON tree. */
    static JsonNode toJson(Object value) {
        return JSON.valueToTree(value);
    }

    List<LayerSpec> layers() {
        return layers;
    }

    /** Whether any layer has this Keras class, for hints in messages. */
    boolean containsClass(String className) {
        return layers.stream().anyMatch(l -> l.className().equals(className));
    }
}
