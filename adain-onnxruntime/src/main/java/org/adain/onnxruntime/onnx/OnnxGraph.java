package org.adain.onnxruntime.onnx;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Builds an ONNX model ({@code ModelProto}) in memory, without protobuf or onnx libraries: a graph of nodes, float32
 * and int64 initializers, typed inputs and outputs, serialised with {@link ProtoWriter} after {@code onnx.proto}'s
 * field numbers (ModelProto, GraphProto, NodeProto, AttributeProto, TensorProto, ValueInfoProto, TypeProto,
 * OperatorSetIdProto). Only the default ONNX domain; names must be unique, which {@link #node} checks.
 *
 * <pre>{@code
 * OnnxGraph g = new OnnxGraph("tiny");
 * g.input("x", OnnxGraph.FLOAT, "N", 3, "H", "W");
 * String y = g.node("Relu", List.of("x"), List.of());
 * g.output(y, OnnxGraph.FLOAT, "N", 3, "H", "W");
 * byte[] model = g.toModel();
 * }</pre>
 */
public final class OnnxGraph {
    /** TensorProto.DataType FLOAT. */
    public static final int FLOAT = 1;
    /** TensorProto.DataType INT64. */
    public static final int INT64 = 7;
    /**
     * The operator set the graphs use: 13 has everything needed (Pad takes its pads as an input, Resize its scales);
     * ORT runs it on every release since 1.6.
     */
    public static final int OPSET = 13;
    /** IR version 7 goes with opset 13. */
    public static final int IR_VERSION = 7;

    private final String name;
    private final List<ProtoWriter> nodes = new ArrayList<>();
    private final List<ProtoWriter> initializers = new ArrayList<>();
    private final List<ProtoWriter> inputs = new ArrayList<>();
    private final List<ProtoWriter> outputs = new ArrayList<>();
    private final Set<String> names = new HashSet<>();
    private int counter;

    /** An empty graph named {@code name}. */
    public OnnxGraph(String name) {
        this.name = Objects.requireNonNull(name, "name");
    }

    /** An attribute of a node. */
    public static final class Attr {
        private final ProtoWriter proto;

        private Attr(ProtoWriter proto) {
            this.proto = proto;
        }

        /** An INT attribute. */
        public static Attr of(String name, long value) {
            return new Attr(new ProtoWriter().string(1, name).varint(3, value).varint(20, 2));
        }

        /** A FLOAT attribute. */
        public static Attr of(String name, float value) {
            return new Attr(new ProtoWriter().string(1, name).float32(2, value).varint(20, 1));
        }

        /** A STRING attribute. */
        public static Attr of(String name, String value) {
            return new Attr(new ProtoWriter().string(1, name).string(4, value).varint(20, 3));
        }

        /** An INTS attribute. */
        public static Attr ints(String name, long... values) {
            ProtoWriter p = new ProtoWriter().string(1, name);
            for (long v : values) {
                p.varint(8, v);
            }
            return new Attr(p.varint(20, 7));
        }
    }

    /**
     * A graph input of the given element type; each dimension is an {@link Integer} (fixed) or a {@link String}
     * (symbolic, e.g. "N").
     */
    public void input(String inputName, int elemType, Object... dims) {
        claim(inputName);
        inputs.add(valueInfo(inputName, elemType, dims));
    }

    /** Declares an existing value as a graph output, with dimensions as in {@link #input}. */
    public void output(String valueName, int elemType, Object... dims) {
        outputs.add(valueInfo(valueName, elemType, dims));
    }

    /** A float32 constant, {@code values} in row-major order of {@code dims}; returns its name. */
    public String initializer(String tensorName, float[] values, long... dims) {
        checkCount(tensorName, values.length, dims);
        ByteBuffer raw = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        raw.asFloatBuffer().put(values);
        return initializer(tensorName, FLOAT, raw.array(), dims);
    }

    /** An int64 constant; returns its name. */
    public String initializer(String tensorName, long[] values, long... dims) {
        checkCount(tensorName, values.length, dims);
        ByteBuffer raw = ByteBuffer.allocate(8 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        raw.asLongBuffer().put(values);
        return initializer(tensorName, INT64, raw.array(), dims);
    }

    private String initializer(String tensorName, int type, byte[] raw, long... dims) {
        claim(tensorName);
        ProtoWriter t = new ProtoWriter();
        for (long d : dims) {
            t.varint(1, d);
        }
        t.varint(2, type).string(8, tensorName).bytes(9, raw);
        initializers.add(t);
        return tensorName;
    }

    /**
     * A node with one output, named after the op and a counter; an empty input name is an omitted optional input.
     *
     * @return the output's name
     */
    public String node(String opType, List<String> nodeInputs, List<Attr> attributes) {
        return node(opType, nodeInputs, attributes, opType.toLowerCase(java.util.Locale.ROOT) + "_" + counter);
    }

    /** A node with one output named {@code outputName}; returns it. */
    public String node(String opType, List<String> nodeInputs, List<Attr> attributes, String outputName) {
        claim(outputName);
        ProtoWriter n = new ProtoWriter();
        for (String in : nodeInputs) {
            if (!in.isEmpty() && !names.contains(in)) {
                throw new IllegalArgumentException("Node " + opType + " → " + outputName + ": input '" + in
                        + "' is not defined yet");
            }
            n.string(1, in);
        }
        n.string(2, outputName).string(3, "n" + counter++ + "_" + opType).string(4, opType);
        for (Attr a : attributes) {
            n.message(5, a.proto);
        }
        nodes.add(n);
        return outputName;
    }

    /** The serialised {@code ModelProto} (opset {@value #OPSET}, IR version {@value #IR_VERSION}). */
    public byte[] toModel() {
        ProtoWriter graph = new ProtoWriter();
        nodes.forEach(n -> graph.message(1, n));
        graph.string(2, name);
        initializers.forEach(t -> graph.message(5, t));
        inputs.forEach(v -> graph.message(11, v));
        outputs.forEach(v -> graph.message(12, v));
        ProtoWriter opset = new ProtoWriter().string(1, "").varint(2, OPSET);
        return new ProtoWriter().varint(1, IR_VERSION).string(2, "adain-onnxruntime").message(7, graph)
                .message(8, opset).toByteArray();
    }

    private static ProtoWriter valueInfo(String valueName, int elemType, Object... dims) {
        ProtoWriter shape = new ProtoWriter();
        for (Object d : dims) {
            ProtoWriter dim = new ProtoWriter();
            if (d instanceof Integer i) {
                dim.varint(1, i);
            } else if (d instanceof String s) {
                dim.string(2, s);
            } else {
                throw new IllegalArgumentException("A dimension is an Integer or a String, got " + d);
            }
            shape.message(1, dim);
        }
        ProtoWriter tensor = new ProtoWriter().varint(1, elemType).message(2, shape);
        ProtoWriter type = new ProtoWriter().message(1, tensor);
        return new ProtoWriter().string(1, valueName).message(2, type);
    }

    private void claim(String valueName) {
        if (valueName.isEmpty() || !names.add(valueName)) {
            throw new IllegalArgumentException("Value name '" + valueName + "' is empty or already used in graph "
                    + name);
        }
    }

    private static void checkCount(String tensorName, int count, long... dims) {
        long n = 1;
        for (long d : dims) {
            n *= d;
        }
        if (n != count) {
            throw new IllegalArgumentException("Initializer '" + tensorName + "' has " + count + " values, its dims "
                    + java.util.Arrays.toString(dims) + " need " + n);
        }
    }
}
