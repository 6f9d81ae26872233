package org.adain.format;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.adain.ModelException;

/**
 * The {@code model_config} JSON of a functional Keras model (class_name "Functional" from tf.keras 2.x,
 * "Model" from standalone Keras 2.x), reduced to what the topology checks need: each layer's class, name,
 * config and inbound layers, in file order. Parsed by {@link Json}; everything from the file that reaches a
 * message goes through {@link SafeText}.
 */
final class KerasModelConfig {
    private final List<LayerSpec> layers;

    private KerasModelConfig(List<LayerSpec> layers) {
        this.layers = layers;
    }

    /** One Keras layer as the model config describes it. */
    record LayerSpec(int index, String className, String name, Map<String, Object> config, List<String> inbound) {
        /** The name, escaped for messages. */
        String label() {
            return SafeText.of(name);
        }

        /** "'block1_conv1' (Conv2D, layer 3 of the file)", for messages. */
        String describe() {
            return "'" + label() + "' (" + SafeText.of(className) + ", layer " + (index + 1) + " of the file)";
        }

        /** A config field: strings as they are, other values as JSON; null when absent or JSON null. */
        String text(String key) {
            return Json.text(config.get(key));
        }

        /** A config field as written in the file, escaped (for messages); "absent" when missing. */
        String raw(String key) {
            Object v = config.get(key);
            return v == null ? "absent" : SafeText.of(Json.write(v));
        }

        boolean has(String key) {
            Object v = config.get(key);
            return v != null && v != Json.NULL;
        }

        Object get(String key) {
            return config.get(key);
        }

        /**
         * A 2-D size field such as kernel_size, strides or pool_size: {@code [a, b]} or a bare int {@code a}
         * (meaning {@code [a, a]}); null when absent or not of that form.
         */
        int[] pair(String key) {
            Object n = config.get(key);
            Integer single = Json.intValue(n);
            if (single != null) {
                return new int[] {single, single};
            }
            if (n instanceof List<?> l && l.size() == 2) {
                Integer a = Json.intValue(l.get(0));
                Integer b = Json.intValue(l.get(1));
                if (a != null && b != null) {
                    return new int[] {a, b};
                }
            }
            return null;
        }
    }

    /**
     * Parses the model config; throws naming the file when it is not a functional Keras model.
     *
     * @param fileName the file, for messages
     */
    static KerasModelConfig parse(String json, String fileName) {
        Object parsed = Json.parse(json, fileName + ": the model_config attribute");
        if (!(parsed instanceof Map<?, ?> root)) {
            throw new ModelException(fileName + ": the model_config attribute is not a JSON object");
        }
        Object cls = root.get("class_name");
        String modelClass = cls == null || cls == Json.NULL ? "" : Json.text(cls);
        if (modelClass.equals("Sequential")) {
            throw new ModelException(fileName + ": is a Keras Sequential model; only functional models "
                    + "(class_name 'Functional' or 'Model') are supported. Rebuild it as keras.Model(inputs, "
                    + "outputs) and save it again");
        }
        if (!modelClass.equals("Functional") && !modelClass.equals("Model")) {
            throw new ModelException(fileName + ": model_config has class_name '" + SafeText.of(modelClass)
                    + "', expected a functional Keras model ('Functional' or 'Model')");
        }
        Object layerArray = root.get("config") instanceof Map<?, ?> config ? config.get("layers") : null;
        if (!(layerArray instanceof List<?> list)) {
            throw new ModelException(fileName + ": model_config has no config.layers list");
        }
        List<LayerSpec> layers = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            Map<?, ?> l = list.get(i) instanceof Map<?, ?> m ? m : Map.of();
            Object config = l.get("config");
            String name = l.get("name") != null && l.get("name") != Json.NULL ? Json.text(l.get("name"))
                    : config instanceof Map<?, ?> c ? Json.text(c.get("name")) : null;
            String className = Json.text(l.get("class_name"));
            if (name == null || className == null || !(config instanceof Map<?, ?>)) {
                throw new ModelException(fileName + ": model_config layer " + (i + 1)
                        + " lacks a name, class_name or config");
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> c = (Map<String, Object>) config;
            layers.add(new LayerSpec(i, className, name, c, inboundNames(l.get("inbound_nodes"))));
        }
        return new KerasModelConfig(List.copyOf(layers));
    }

    /**
     * Names of the layers feeding this one. Keras 2 writes inbound_nodes as a list of nodes, each a list of
     * {@code [layer_name, node_index, tensor_index, kwargs]}.
     */
    private static List<String> inboundNames(Object inboundNodes) {
        List<String> names = new ArrayList<>();
        if (inboundNodes instanceof List<?> nodes) {
            for (Object node : nodes) {
                if (!(node instanceof List<?> tensors)) {
                    continue;
                }
                for (Object tensor : tensors) {
                    if (tensor instanceof List<?> t && !t.isEmpty() && t.get(0) instanceof String s) {
                        names.add(s);
                    }
                }
            }
        }
        return List.copyOf(names);
    }

    List<LayerSpec> layers() {
        return layers;
    }

    /** Whether any layer has this Keras class, for hints in messages. */
    boolean containsClass(String className) {
        return layers.stream().anyMatch(l -> l.className().equals(className));
    }
}
