package org.adain.onnxruntime.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.adain.onnxruntime.graph.AdainGraphs;
import org.adain.onnxruntime.onnx.OnnxGraph.Attr;
import org.adain.testkit.reference.ReferenceWeights;
import org.junit.jupiter.api.Test;

/**
 * The hand-written ONNX encoder, checked two ways: its bytes decoded back by an independent protobuf reader (the
 * wire format, field numbers and values of onnx.proto), and its graphs run in ONNX Runtime against naive Java
 * loops (reflection pad + conv, ceil-mode max-pooling, nearest upsampling).
 */
class OnnxGraphTest {
    private static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();

    @Test
    void varintsAndFixed32AsProtobufWritesThem() {
        byte[] b = new ProtoWriter().varint(1, 150).varint(2, -1).float32(3, 1.5f).string(4, "é").toByteArray();
        // 150 → 0x96 0x01 (protobuf's own example); -1 → ten bytes; 1.5f little-endian; "é" two UTF-8 bytes
        assertThat(b).startsWith(0x08, 0x96, 0x01, 0x10);
        Wire w = new Wire(b);
        assertThat(w.next()).isEqualTo(new long[] {1, 0});
        assertThat(w.varint()).isEqualTo(150);
        assertThat(w.next()).isEqualTo(new long[] {2, 0});
        assertThat(w.varint()).isEqualTo(-1);
        assertThat(w.next()).isEqualTo(new long[] {3, 5});
        assertThat(Float.intBitsToFloat(w.fixed32())).isEqualTo(1.5f);
        assertThat(w.next()).isEqualTo(new long[] {4, 2});
        assertThat(new String(w.bytes(), StandardCharsets.UTF_8)).isEqualTo("é");
        assertThat(w.done()).isTrue();
    }

    @Test
    void decodedBackTheModelHoldsWhatWasBuilt() {
        OnnxGraph g = new OnnxGraph("tiny");
        g.input("x", OnnxGraph.FLOAT, "N", 2, "H", "W");
        String w = g.initializer("w", new float[] {1, 2, 3, 4}, 2, 2, 1, 1);
        String y = g.node("Conv", List.of("x", w), List.of(Attr.ints("kernel_shape", 1, 1)), "y");
        g.output(y, OnnxGraph.FLOAT, "N", 2, "H", "W");
        Wire model = new Wire(g.toModel());
        Map<Integer, List<Object>> m = model.message();
        assertThat(m.get(1)).containsExactly((long) OnnxGraph.IR_VERSION);
        Map<Integer, List<Object>> opset = new Wire((byte[]) m.get(8).get(0)).message();
        assertThat(opset.get(2)).containsExactly((long) OnnxGraph.OPSET);
        Map<Integer, List<Object>> graph = new Wire((byte[]) m.get(7).get(0)).message();
        assertThat(text(graph.get(2).get(0))).isEqualTo("tiny");
        Map<Integer, List<Object>> node = new Wire((byte[]) graph.get(1).get(0)).message();
        assertThat(node.get(1).stream().map(OnnxGraphTest::text)).containsExactly("x", "w");
        assertThat(text(node.get(2).get(0))).isEqualTo("y");
        assertThat(text(node.get(4).get(0))).isEqualTo("Conv");
        Map<Integer, List<Object>> attr = new Wire((byte[]) node.get(5).get(0)).message();
        assertThat(text(attr.get(1).get(0))).isEqualTo("kernel_shape");
        assertThat(attr.get(8)).containsExactly(1L, 1L);
        assertThat(attr.get(20)).containsExactly(7L); // AttributeProto.INTS
        Map<Integer, List<Object>> init = new Wire((byte[]) graph.get(5).get(0)).message();
        assertThat(init.get(1)).containsExactly(2L, 2L, 1L, 1L);
        assertThat(init.get(2)).containsExactly((long) OnnxGraph.FLOAT);
        FloatBuffer raw = ByteBuffer.wrap((byte[]) init.get(9).get(0)).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        assertThat(new float[] {raw.get(0), raw.get(1), raw.get(2), raw.get(3)}).containsExactly(1, 2, 3, 4);
        Map<Integer, List<Object>> input = new Wire((byte[]) graph.get(11).get(0)).message();
        assertThat(text(input.get(1).get(0))).isEqualTo("x");
        assertThat(graph.get(12)).hasSize(1);
    }

    @Test
    void namesAreCheckedAsTheGraphIsBuilt() {
        OnnxGraph g = new OnnxGraph("g");
        g.input("x", OnnxGraph.FLOAT, 1);
        assertThatThrownBy(() -> g.node("Relu", List.of("nope"), List.of()))
                .hasMessageContaining("input 'nope' is not defined");
        assertThatThrownBy(() -> g.initializer("x", new float[] {1}, 1)).hasMessageContaining("'x'");
        assertThatThrownBy(() -> g.initializer("k", new float[] {1, 2}, 3)).hasMessageContaining("need 3");
    }

    @Test
    void reflectPadConvMaxPoolCeilAndNearestUpsampleMatchNaiveLoops() throws OrtException {
        OnnxGraph g = new OnnxGraph("ops");
        g.input("x", OnnxGraph.FLOAT, 1, 2, "H", "W");
        Random r = new Random(7);
        float[] k = new float[3 * 2 * 3 * 3];
        for (int i = 0; i < k.length; i++) {
            k[i] = (float) r.nextGaussian();
        }
        float[] bias = {0.1f, -0.2f, 0.3f};
        String pads = g.initializer("p", new long[] {0, 0, 1, 1, 0, 0, 1, 1}, 8);
        String padded = g.node("Pad", List.of("x", pads), List.of(Attr.of("mode", "reflect")));
        String conv = g.node("Conv", List.of(padded, g.initializer("k", k, 3, 2, 3, 3), g.initializer("b", bias, 3)),
                List.of(Attr.ints("kernel_shape", 3, 3)), "conv");
        g.output(conv, OnnxGraph.FLOAT, 1, 3, "H", "W");
        String pooled = g.node("MaxPool", List.of(conv), List.of(Attr.ints("kernel_shape", 2, 2),
                Attr.ints("strides", 2, 2), Attr.of("ceil_mode", 1L)), "pool");
        g.output(pooled, OnnxGraph.FLOAT, 1, 3, "h", "w");
        String up = g.node("Resize", List.of(pooled, "", g.initializer("s", new float[] {1, 1, 2, 2}, 4)),
                List.of(Attr.of("mode", "nearest"), Attr.of("coordinate_transformation_mode", "asymmetric"),
                        Attr.of("nearest_mode", "floor")), "up");
        g.output(up, OnnxGraph.FLOAT, 1, 3, "h2", "w2");
        int h = 5;
        int w = 7;
        float[] x = new float[2 * h * w];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        try (OrtSession s = ENV.createSession(g.toModel(), new OrtSession.SessionOptions());
                OnnxTensor in = OnnxTensor.createTensor(ENV, FloatBuffer.wrap(x), new long[] {1, 2, h, w});
                OrtSession.Result res = s.run(Map.of("x", in))) {
            float[] gotConv = values(res, "conv");
            float[] gotPool = values(res, "pool");
            float[] gotUp = values(res, "up");
            float[] want = new float[3 * h * w];
            for (int o = 0; o < 3; o++) {
                for (int yy = 0; yy < h; yy++) {
                    for (int xx = 0; xx < w; xx++) {
                        double acc = bias[o];
                        for (int i = 0; i < 2; i++) {
                            for (int dy = 0; dy < 3; dy++) {
                                for (int dx = 0; dx < 3; dx++) {
                                    int sy = reflect(yy + dy - 1, h);
                                    int sx = reflect(xx + dx - 1, w);
                                    acc += k[((o * 2 + i) * 3 + dy) * 3 + dx] * x[(i * h + sy) * w + sx];
                                }
                            }
                        }
                        want[(o * h + yy) * w + xx] = (float) acc;
                    }
                }
            }
            for (int i = 0; i < want.length; i++) {
                assertThat(gotConv[i]).as("conv %d", i).isCloseTo(want[i], org.assertj.core.data.Offset.offset(1e-5f));
            }
            int ph = (h + 1) / 2;
            int pw = (w + 1) / 2;
            assertThat(gotPool).hasSize(3 * ph * pw);
            for (int o = 0; o < 3; o++) {
                for (int yy = 0; yy < ph; yy++) {
                    for (int xx = 0; xx < pw; xx++) {
                        float m = Float.NEGATIVE_INFINITY;
                        for (int dy = 0; dy < 2; dy++) {
                            for (int dx = 0; dx < 2; dx++) {
                                int sy = Math.min(2 * yy + dy, h - 1);
                                int sx = Math.min(2 * xx + dx, w - 1);
                                m = Math.max(m, gotConv[(o * h + sy) * w + sx]);
                            }
                        }
                        assertThat(gotPool[(o * ph + yy) * pw + xx]).isEqualTo(m);
                        for (int dy = 0; dy < 2; dy++) {
                            for (int dx = 0; dx < 2; dx++) {
                                assertThat(gotUp[(o * 2 * ph + 2 * yy + dy) * 2 * pw + 2 * xx + dx]).isEqualTo(m);
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void ortLoadsTheGraphsOfBothEncoderFlavoursAndTheDecoder() throws OrtException {
        for (byte[] model : List.of(AdainGraphs.encoder(ReferenceWeights.encoder(ReferenceWeights.NORMALISED)),
                AdainGraphs.encoder(ReferenceWeights.encoder(ReferenceWeights.KERAS_APPS)),
                AdainGraphs.decoder(ReferenceWeights.decoder(ReferenceWeights.DECODER)))) {
            try (OrtSession s = ENV.createSession(model, new OrtSession.SessionOptions())) {
                assertThat(s.getOutputNames()).isNotEmpty();
            }
        }
    }

    @Test
    void everyPaddingFormGivesWhatPadGives() throws OrtException {
        var dec = ReferenceWeights.decoder(ReferenceWeights.DECODER);
        var enc = ReferenceWeights.encoder(ReferenceWeights.NORMALISED);
        // 2×2 is the smallest map a reflection pad of 1 accepts: there the ring is the whole output
        for (long[] shape : List.of(new long[] {1, 24, 3, 5}, new long[] {2, 24, 2, 2}, new long[] {1, 24, 6, 4})) {
            float[] f = wave(shape);
            float[] pad = null;
            for (AdainGraphs.Padding p : AdainGraphs.Padding.values()) {
                float[] got = run(AdainGraphs.decoder(dec, p), AdainGraphs.FEATURES, f, shape, AdainGraphs.IMAGE);
                if (pad == null) {
                    pad = got;
                    assertThat(got).hasSize((int) (shape[0] * 3 * 64 * shape[2] * shape[3]));
                } else {
                    assertClose(p + " decoder " + List.of(shape[0], shape[2], shape[3]), got, pad);
                }
            }
        }
        long[] image = {1, 3, 18, 13};
        float[] x = wave(image);
        float[] pad = null;
        for (AdainGraphs.Padding p : AdainGraphs.Padding.values()) {
            float[] got = run(AdainGraphs.encoder(enc, p), AdainGraphs.IMAGES, x, image, "relu4_1");
            if (pad == null) {
                pad = got;
            } else {
                assertClose(p + " encoder", got, pad);
            }
        }
    }

    private static float[] wave(long[] shape) {
        float[] f = new float[(int) (shape[0] * shape[1] * shape[2] * shape[3])];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) (0.5 + 0.5 * Math.sin(i));
        }
        return f;
    }

    private static float[] run(byte[] model, String input, float[] x, long[] shape, String output)
            throws OrtException {
        try (OrtSession s = ENV.createSession(model, new OrtSession.SessionOptions());
                OnnxTensor in = OnnxTensor.createTensor(ENV, FloatBuffer.wrap(x), shape);
                OrtSession.Result res = s.run(Map.of(input, in))) {
            return values(res, output);
        }
    }

    /** Equal up to float32 rounding: the ring forms sum the same products in another order. */
    private static void assertClose(String what, float[] got, float[] want) {
        assertThat(got).as(what).hasSameSizeAs(want);
        float scale = 0;
        for (float v : want) {
            scale = Math.max(scale, Math.abs(v));
        }
        assertThat(scale).as(what + ": a non-zero output").isGreaterThan(0f);
        for (int i = 0; i < want.length; i++) {
            assertThat(got[i]).as("%s at %d", what, i).isCloseTo(want[i], org.assertj.core.data.Offset.offset(
                    2e-6f * scale));
        }
    }

    private static int reflect(int i, int n) {
        return i < 0 ? -i : i >= n ? 2 * n - 2 - i : i;
    }

    private static float[] values(OrtSession.Result res, String name) throws OrtException {
        FloatBuffer fb = ((OnnxTensor) res.get(name).orElseThrow()).getFloatBuffer();
        float[] a = new float[fb.remaining()];
        fb.get(a);
        return a;
    }

    private static String text(Object bytes) {
        return new String((byte[]) bytes, StandardCharsets.UTF_8);
    }

    /** An independent protobuf wire reader: tags, varints, fixed32 and length-delimited fields. */
    private static final class Wire {
        private final byte[] b;
        private int pos;

        Wire(byte[] b) {
            this.b = b;
        }

        boolean done() {
            return pos == b.length;
        }

        long[] next() {
            long tag = varint();
            return new long[] {tag >>> 3, tag & 7};
        }

        long varint() {
            long v = 0;
            for (int shift = 0; ; shift += 7) {
                byte x = b[pos++];
                v |= (long) (x & 0x7F) << shift;
                if ((x & 0x80) == 0) {
                    return v;
                }
            }
        }

        int fixed32() {
            int v = (b[pos] & 0xFF) | (b[pos + 1] & 0xFF) << 8 | (b[pos + 2] & 0xFF) << 16 | (b[pos + 3] & 0xFF) << 24;
            pos += 4;
            return v;
        }

        byte[] bytes() {
            int n = (int) varint();
            byte[] out = java.util.Arrays.copyOfRange(b, pos, pos + n);
            pos += n;
            return out;
        }

        /** Field number → values (Long for varints, Integer bits for fixed32, byte[] for length-delimited). */
        Map<Integer, List<Object>> message() {
            Map<Integer, List<Object>> m = new java.util.HashMap<>();
            while (!done()) {
                long[] t = next();
                Object v = switch ((int) t[1]) {
                    case 0 -> varint();
                    case 5 -> fixed32();
                    case 2 -> bytes();
                    default -> throw new AssertionError("unexpected wire type " + t[1]);
                };
                m.computeIfAbsent((int) t[0], f -> new ArrayList<>()).add(v);
            }
            return m;
        }
    }
}
