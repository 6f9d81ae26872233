package org.adain.format;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.adain.AdainException;
import org.adain.ModelException;
import org.adain.format.T7Parser.LuaObject;
import org.adain.format.T7Parser.LuaTable;
import org.adain.format.T7Parser.T7Tensor;
import org.adain.spi.DecoderWeights;
import org.adain.spi.EncoderWeights;
import org.adain.spi.WeightsReader;

/**
 * Reads the AdaIN authors' Torch7 models ({@code vgg_normalised.t7}, {@code decoder.t7},
 * {@code decoder-content-similar.t7}): the binary serialisation of an {@code nn.Sequential} of
 * {@code nn.SpatialConvolution}, {@code nn.SpatialReflectionPadding}, {@code nn.ReLU},
 * {@code nn.SpatialMaxPooling} (ceil mode) and {@code nn.SpatialUpSamplingNearest} ({@code nn.SpatialConvolutionMM},
 * the same convolution in older nn, is accepted too).
 *
 * <ul>
 *   <li>encoder: the 53-module normalised VGG-19; modules 0–30 (up to relu4_1) are checked module by module
 *   (class, kernel size, stride, padding, pooling mode) and used; later modules are parsed but not used;</li>
 *   <li>decoder: exactly the 29 modules of the AdaIN decoder.</li>
 * </ul>
 * Conv weights may be 4-D {@code [out, in, kh, kw]} or, as older nn stored them, 2-D
 * {@code [out, in·kh·kw]}; they may be views into one shared storage (the decoder after {@code getParameters()}).
 * Float, double and half tensors (CPU or CUDA) are read and converted to float.
 *
 * <p><b>Safety.</b> The parser ({@code T7Parser}) accepts only those classes and tensor types, refuses any other
 * class by name and any Lua function (bytecode) outright, and checks every size against the bytes left in the
 * file before allocating. Nothing from the file is ever executed.
 *
 * <pre>{@code
 * WeightsReader r = new Torch7WeightsReader();
 * EncoderWeights enc = r.readEncoder(Path.of("vgg_normalised.t7"));
 * DecoderWeights dec = r.readDecoder(Path.of("decoder.t7"));
 * }</pre>
 *
 * Registered in {@code META-INF/services/org.adain.spi.WeightsReader}. Thread-safe (no shared state). Every
 * failure is a {@link ModelException} that starts with the file name and names the module at fault.
 */
public final class Torch7WeightsReader implements WeightsReader {
    /** Creates a reader. */
    public Torch7WeightsReader() {
    }

    @Override
    public String formatName() {
        return "Torch7 (.t7)";
    }

    /**
     * True for a binary Torch7 file whose root is a torch object: tag 4, reference 1, then a version string
     * "V n" or a class name. An ASCII-mode Torch7 file named .t7 is claimed too, to be refused with a clear message.
     */
    @Override
    public boolean canRead(Path file, byte[] head) {
        if (head == null || head.length < 16) {
            return false;
        }
        if (le32(head, 0) == T7Parser.TYPE_TORCH && le32(head, 4) == 1) {
            int n = le32(head, 8);
            if (n < 2 || n > 128 || 12 + n > head.length) {
                return false;
            }
            String s = new String(head, 12, n, StandardCharsets.ISO_8859_1);
            return s.matches("V \\d+|[A-Za-z_][A-Za-z0-9_.]*");
        }
        return isAscii(head) && file != null && file.toString().toLowerCase(Locale.ROOT).endsWith(".t7");
    }

    private static boolean isAscii(byte[] head) {
        return head[0] == '4' && head[1] == '\n' && head[2] == '1' && head[3] == '\n';
    }

    private static int le32(byte[] b, int at) {
        return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8 | (b[at + 2] & 0xff) << 16 | (b[at + 3] & 0xff) << 24;
    }

    @Override
    public EncoderWeights readEncoder(Path file) {
        return read(file, (modules, name) -> {
            if (modules.size() < PortLayout.VGG_USED_MODULES) {
                throw new ModelException(name + ": the nn.Sequential has " + modules.size() + " modules; the normalised"
                        + " VGG-19 needs at least " + PortLayout.VGG_USED_MODULES + " (up to relu4_1)"
                        + (modules.size() == PortLayout.DECODER_MODULES ? " (this looks like an AdaIN decoder: pass it "
                                + "as the decoder)" : ""));
            }
            for (int i = 0; i < PortLayout.VGG_USED_MODULES; i++) {
                checkModule(modules.get(i), i, encoderKind(i), name, true);
            }
            return PortLayout.encoder(source(modules, PortLayout.VGG_USED), name);
        });
    }

    @Override
    public DecoderWeights readDecoder(Path file) {
        return read(file, (modules, name) -> {
            int n = modules.size();
            if (n >= PortLayout.VGG_USED_MODULES && modules.get(0).className.equals(Kind.CONV.className)) {
                throw new ModelException(name + ": the nn.Sequential has " + n + " modules and starts with a conv; "
                        + "this looks like the VGG encoder (pass it as the encoder): the AdaIN decoder has "
                        + PortLayout.DECODER_MODULES + " modules and starts with a reflection padding");
            }
            if (n < PortLayout.DECODER_MODULES) {
                throw new ModelException(name + ": the nn.Sequential has " + n + " modules; the AdaIN decoder has "
                        + PortLayout.DECODER_MODULES);
            }
            for (int i = 0; i < PortLayout.DECODER_MODULES; i++) {
                checkModule(modules.get(i), i, decoderKind(i), name, false);
            }
            if (n > PortLayout.DECODER_MODULES) {
                throw new ModelException(name + ": module " + PortLayout.DECODER_MODULES + " ("
                        + modules.get(PortLayout.DECODER_MODULES).className + ") follows the decoder's last conv "
                        + "(module 28); the AdaIN decoder has " + PortLayout.DECODER_MODULES + " modules and ends with "
                        + "that linear conv" + (n >= PortLayout.VGG_USED_MODULES ? " (this looks like the VGG encoder: "
                        + "pass it as the encoder)" : ""));
            }
            return PortLayout.decoder(source(modules, PortLayout.DECODER), name);
        });
    }

    // ---- the module layout ----------------------------------------------------------------------

    private enum Kind {
        CONV("nn.SpatialConvolution"), PAD("nn.SpatialReflectionPadding"), RELU("nn.ReLU"),
        POOL("nn.SpatialMaxPooling"), UP("nn.SpatialUpSamplingNearest");

        final String className;

        Kind(String className) {
            this.className = className;
        }
    }

    private static Kind encoderKind(int i) {
        if (PortLayout.indexOf(PortLayout.VGG_USED, i) >= 0) {
            return Kind.CONV;
        }
        if (PortLayout.indexOf(PortLayout.VGG_POOLS, i) >= 0) {
            return Kind.POOL;
        }
        return PortLayout.indexOf(PortLayout.VGG_USED, i + 1) > 0 ? Kind.PAD : Kind.RELU;
    }

    private static Kind decoderKind(int i) {
        if (PortLayout.indexOf(PortLayout.DECODER, i) >= 0) {
            return Kind.CONV;
        }
        if (PortLayout.indexOf(PortLayout.DECODER_UPSAMPLING, i) >= 0) {
            return Kind.UP;
        }
        return PortLayout.indexOf(PortLayout.DECODER, i + 1) >= 0 ? Kind.PAD : Kind.RELU;
    }

    private static String role(int i, Kind kind, boolean encoder) {
        return switch (kind) {
            case CONV -> PortLayout.role(encoder, i);
            case PAD -> "the reflection padding before " + PortLayout.role(encoder, i + 1);
            case RELU -> "the ReLU after " + PortLayout.role(encoder, i - 1);
            case POOL -> "a 2×2 max-pool";
            case UP -> "a ×2 nearest upsampling";
        };
    }

    private static void checkModule(LuaObject m, int i, Kind kind, String file, boolean encoder) {
        String net = encoder ? "the normalised VGG-19" : "the AdaIN decoder";
        boolean mm = kind == Kind.CONV && m.className.equals("nn.SpatialConvolutionMM");
        if (!m.className.equals(kind.className) && !mm) {
            throw new ModelException(file + ": module " + i + " is " + m.className + " where " + net + " has "
                    + kind.className + " (" + role(i, kind, encoder) + ")");
        }
        String at = file + ": module " + i + " (" + m.className + ", " + role(i, kind, encoder) + ")";
        switch (kind) {
            case CONV -> {
                int k = i == 0 && encoder ? 1 : 3;
                expect(m, "kW", k, at);
                expect(m, "kH", k, at);
                expect(m, "dW", 1, at);
                expect(m, "dH", 1, at);
                // a module converted from cudnn keeps cudnn's fields, among them groups
                if (number(m, "groups", 1, at) != 1) {
                    throw new ModelException(at + " is a grouped convolution (groups = "
                            + describe(number(m, "groups", 1, at)) + "); " + net + " has none");
                }
                // the oldest nn has one 'padding' field instead of padW/padH
                double padding = number(m, "padding", 0, at);
                double padW = number(m, "padW", padding, at);
                double padH = number(m, "padH", padding, at);
                if (padW != 0 || padH != 0) {
                    throw new ModelException(at + " zero-pads by " + describe(padW) + "×" + describe(padH) + "; in "
                            + net + " the conv does not pad (a reflection padding module before it does)");
                }
            }
            case PAD -> {
                for (String f : List.of("pad_l", "pad_r", "pad_t", "pad_b")) {
                    expect(m, f, 1, at);
                }
            }
            case RELU -> {
                if (number(m, "threshold", 0, at) != 0 || number(m, "val", 0, at) != 0) {
                    throw new ModelException(at + " thresholds at " + number(m, "threshold", 0, at) + " with value "
                            + number(m, "val", 0, at) + "; a ReLU thresholds at 0 with value 0");
                }
            }
            case POOL -> {
                expect(m, "kW", 2, at);
                expect(m, "kH", 2, at);
                expect(m, "dW", 2, at);
                expect(m, "dH", 2, at);
                expect(m, "padW", 0, at);
                expect(m, "padH", 0, at);
                if (!Boolean.TRUE.equals(m.fields.get("ceil_mode"))) {
                    throw new ModelException(at + " rounds its output size down (ceil_mode is not set); the "
                            + "normalised VGG-19 pools in ceil mode (:ceil())");
                }
            }
            case UP -> expect(m, "scale_factor", 2, at);
            default -> throw new IllegalStateException(kind.name());
        }
    }

    /** A numeric field; {@code absent} when the module does not have it (older nn versions). */
    private static double number(LuaObject m, String field, double absent, String at) {
        Object v = m.fields.get(field);
        if (v == null) {
            return absent;
        }
        if (!(v instanceof Double d)) {
            throw new ModelException(at + " has the field " + field + " = " + describe(v) + ", not a number");
        }
        return d;
    }

    private static void expect(LuaObject m, String field, int value, String at) {
        Object v = m.fields.get(field);
        if (!(v instanceof Double d) || d != value) {
            throw new ModelException(at + " has " + field + " = " + describe(v) + ", expected " + value);
        }
    }

    private static String describe(Object v) {
        if (v == null) {
            return "nil (absent)";
        }
        if (v instanceof Double d) {
            return d == Math.rint(d) && Math.abs(d) < 1e15 ? String.valueOf(d.longValue()) : d.toString();
        }
        if (v instanceof String s) {
            return SafeText.quoted(s);
        }
        if (v instanceof LuaObject o) {
            return o.className;
        }
        if (v instanceof T7Tensor t) {
            return t.className;
        }
        return v.getClass().getSimpleName();
    }

    /** The conv modules' weights and biases as "&lt;module&gt;.weight" / ".bias", 2-D kernels viewed as 4-D. */
    private static PortLayout.Source source(List<LuaObject> modules, int[] convs) {
        Map<String, StoredTensor> tensors = new LinkedHashMap<>();
        for (int i : convs) {
            LuaObject m = modules.get(i);
            StoredTensor w = kernel(m);
            if (w != null) {
                tensors.put(i + ".weight", w);
            }
            Object b = m.fields.get("bias");
            if (b instanceof T7Tensor t) {
                tensors.put(i + ".bias", t.stored());
            }
        }
        return PortLayout.source(tensors, key -> {
            String module = key.substring(0, key.indexOf('.'));
            return "module " + module + " (" + modules.get(Integer.parseInt(module)).className + ") "
                    + key.substring(key.indexOf('.') + 1);
        });
    }

    private static StoredTensor kernel(LuaObject m) {
        Object w = m.fields.get("weight");
        if (!(w instanceof T7Tensor t)) {
            return null;
        }
        if (t.size.length != 2) {
            return t.stored();
        }
        // older nn: [nOutputPlane, nInputPlane·kH·kW], row-major, the same element order as 4-D
        Object nIn = m.fields.get("nInputPlane");
        Object kH = m.fields.get("kH");
        Object kW = m.fields.get("kW");
        if (!(nIn instanceof Double in) || !(kH instanceof Double h) || !(kW instanceof Double wd) || in <= 0
                || h <= 0 || wd <= 0 || t.size[1] != (long) (in * h * wd)) {
            return t.stored(); // PortLayout reports the 2-D shape as wrong
        }
        long[] size = {t.size[0], in.longValue(), h.longValue(), wd.longValue()};
        long colStride = t.stride[1];
        long[] stride = {t.stride[0], size[2] * size[3] * colStride, size[3] * colStride, colStride};
        return new StoredTensor(size, stride, t.offset, t.storage);
    }

    // ---- reading --------------------------------------------------------------------------------

    private interface Body<T> {
        T apply(List<LuaObject> modules, String name);
    }

    static String fileName(Path path) {
        Path name = path.getFileName();
        return name == null ? path.toString() : name.toString();
    }

    private static <T> T read(Path path, Body<T> body) {
        Objects.requireNonNull(path, "file");
        String name = fileName(path);
        try (BinaryInput in = BinaryInput.open(path, name)) {
            if (in.size() >= 4) {
                byte[] head = in.bytes(Math.min(4, in.size()));
                if (isAscii(head)) {
                    throw new ModelException(name + ": is an ASCII-mode Torch7 file; only binary ones are read (save "
                            + "it again with torch.save(path, model), whose default mode is binary)");
                }
                in.seek(0);
            }
            Object root = new T7Parser(in, name).read();
            return body.apply(modules(root, name), name);
        } catch (AdainException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new ModelException(name + ": cannot read the file as a Torch7 model (" + SafeText.of(e.toString()) + ")", e);
        }
    }

    private static List<LuaObject> modules(Object root, String file) {
        if (!(root instanceof LuaObject seq) || !seq.className.equals("nn.Sequential")) {
            throw new ModelException(file + ": the file holds " + describe(root) + ", not an nn.Sequential model");
        }
        Object mods = seq.fields.get("modules");
        if (!(mods instanceof LuaTable t)) {
            throw new ModelException(file + ": the nn.Sequential has no modules table");
        }
        List<LuaObject> out = new ArrayList<>();
        for (int i = 1; i <= t.size(); i++) {
            Object m = t.get((double) i);
            if (!(m instanceof LuaObject o)) {
                throw new ModelException(file + ": the nn.Sequential's modules table has no module " + i
                        + " (1-based) among its " + t.size() + " entries, or it is not an nn module");
            }
            out.add(o);
        }
        return out;
    }
}
