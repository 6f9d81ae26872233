package org.adain.format;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.adain.ModelException;
import org.adain.spi.ConvLayer;
import org.adain.spi.DecoderWeights;
import org.adain.spi.EncoderKind;
import org.adain.spi.EncoderWeights;

/**
 * The published models' module layout (SEMANTICS §6–7), shared by the PyTorch and Torch7 readers: the port's
 * state-dict keys {@code <module>.weight} / {@code <module>.bias} are the 0-based indices of the authors'
 * nn.Sequential modules (the port converted the .t7 files module by module).
 *
 * <ul>
 *   <li>normalised VGG-19, 53 modules: convs at 0 (1×1 preprocessing), 2, 5, 9, 12, 16, 19, 22, 25, 29 (conv1_1 …
 *   conv4_1, used) and 32, 35, 38, 42, 45, 48, 51 (conv4_2 … conv5_4, after relu4_1: optional and ignored);</li>
 *   <li>decoder, 29 modules: convs at 1, 5, 8, 11, 14, 18, 21, 25, 28.</li>
 * </ul>
 * Keys are checked first (unexpected, then missing), then every used kernel and bias shape in network order
 * against the channels of the conv before it, then the values.
 */
final class PortLayout {
    static final int[] VGG_USED = {0, 2, 5, 9, 12, 16, 19, 22, 25, 29};
    static final int[] VGG_TAIL = {32, 35, 38, 42, 45, 48, 51};
    static final int VGG_MODULES = 53;
    /** Modules 0 … 30 (relu4_1) are used. */
    static final int VGG_USED_MODULES = 31;
    static final int[] VGG_POOLS = {7, 14, 27, 40};
    static final int[] DECODER = {1, 5, 8, 11, 14, 18, 21, 25, 28};
    static final int DECODER_MODULES = 29;
    static final int[] DECODER_UPSAMPLING = {3, 16, 23};

    private static final Pattern KEY = Pattern.compile("(\\d{1,9})\\.(weight|bias)");
    private static final Pattern PREFIXED = Pattern.compile("(.+\\.)\\d{1,9}\\.(weight|bias)");

    private PortLayout() {
    }

    /** The stored tensors of one file, by key, with how to name them in messages. */
    interface Source {
        /** Every key in the file, in file order. */
        List<String> keys();

        /** The tensor stored under {@code key}, or null. */
        StoredTensor tensor(String key);

        /** "key '2.weight'" or "module 2 (nn.SpatialConvolution) weight", without the file name. */
        String describe(String key);
    }

    static String role(boolean encoder, int module) {
        if (!encoder) {
            int i = indexOf(DECODER, module);
            return "decoder conv " + i;
        }
        if (module == 0) {
            return "the 1×1 preprocessing conv";
        }
        int i = indexOf(VGG_USED, module);
        if (i > 0) {
            return EncoderWeights.CONV_NAMES.get(i - 1);
        }
        return List.of("conv4_2", "conv4_3", "conv4_4", "conv5_1", "conv5_2", "conv5_3", "conv5_4")
                .get(indexOf(VGG_TAIL, module));
    }

    static int indexOf(int[] a, int v) {
        for (int i = 0; i < a.length; i++) {
            if (a[i] == v) {
                return i;
            }
        }
        return -1;
    }

    private static String list(int[] modules) {
        return Arrays.stream(modules).mapToObj(String::valueOf).collect(Collectors.joining(", "));
    }

    static EncoderWeights encoder(Source s, String file) {
        int[] all = IntStream.concat(Arrays.stream(VGG_USED), Arrays.stream(VGG_TAIL)).toArray();
        String what = "a state dict of the port's normalised VGG-19 (net.py's vgg)";
        checkKeys(s, file, all, VGG_USED, what, true);
        List<ConvLayer> convs = new ArrayList<>();
        ConvLayer pre = null;
        int in = 3;
        String from = "the RGB input";
        for (int m : VGG_USED) {
            int k = m == 0 ? 1 : 3;
            ConvLayer c = conv(s, file, true, m, in, from, k, m == 0 ? 3 : -1);
            if (m == 0) {
                pre = c;
            } else {
                convs.add(c);
            }
            in = c.outChannels();
            from = s.describe(m + ".weight");
        }
        try {
            return new EncoderWeights(EncoderKind.NORMALISED_VGG19, pre, convs, file);
        } catch (ModelException e) {
            throw e.getMessage().contains(file) ? e : new ModelException(file + ": " + e.getMessage(), e);
        }
    }

    static DecoderWeights decoder(Source s, String file) {
        String what = "a state dict of the port's AdaIN decoder (net.py's decoder)";
        checkKeys(s, file, DECODER, DECODER, what, false);
        List<ConvLayer> convs = new ArrayList<>();
        int in = -1;
        String from = null;
        for (int i = 0; i < DECODER.length; i++) {
            int m = DECODER[i];
            ConvLayer c = conv(s, file, false, m, in, from, 3, i == DECODER.length - 1 ? 3 : -1);
            convs.add(c);
            in = c.outChannels();
            from = s.describe(m + ".weight");
        }
        return new DecoderWeights(convs, file);
    }

    /** Unexpected keys first (they explain missing ones best), then missing ones. */
    private static void checkKeys(Source s, String file, int[] allowed, int[] required, String what,
            boolean encoder) {
        List<String> keys = s.keys();
        List<String> unexpected = new ArrayList<>();
        for (String key : keys) {
            Matcher m = KEY.matcher(key);
            if (!m.matches() || indexOf(allowed, Integer.parseInt(m.group(1))) < 0) {
                unexpected.add(key);
            }
        }
        if (!unexpected.isEmpty()) {
            throw new ModelException(file + ": unexpected key" + (unexpected.size() > 1 ? "s " : " ")
                    + quoted(unexpected) + "; " + what + " has only '<i>.weight' and '<i>.bias' for its conv modules "
                    + list(allowed) + hint(keys, encoder));
        }
        Set<String> missing = new LinkedHashSet<>();
        for (int m : required) {
            for (String p : List.of(".weight", ".bias")) {
                if (s.tensor(m + p) == null) {
                    missing.add(m + p);
                }
            }
        }
        if (!missing.isEmpty()) {
            String first = missing.iterator().next();
            int module = Integer.parseInt(first.substring(0, first.indexOf('.')));
            List<String> described = missing.stream().map(s::describe).collect(Collectors.toList());
            String shown = String.join(", ", described.size() > 6 ? described.subList(0, 6) : described)
                    + (described.size() > 6 ? " and " + (described.size() - 6) + " more" : "");
            throw new ModelException(file + ": missing " + shown + " (" + role(encoder, module) + " is module " + module
                    + "); " + what + " needs '<i>.weight' and '<i>.bias' for the conv modules " + list(required)
                    + (encoder ? " (modules 31–52, after relu4_1, are optional and ignored)" : "")
                    + hint(keys, encoder));
        }
    }

    private static String quoted(List<String> keys) {
        List<String> shown = keys.size() > 6 ? keys.subList(0, 6) : keys;
        return shown.stream().map(SafeText::quoted).collect(Collectors.joining(", "))
                + (keys.size() > 6 ? " and " + (keys.size() - 6) + " more" : "");
    }

    private static String hint(List<String> keys, boolean encoder) {
        if (keys.isEmpty()) {
            return " (the file holds no tensors)";
        }
        String prefix = null;
        for (String k : keys) {
            Matcher m = PREFIXED.matcher(k);
            String p = m.matches() ? m.group(1) : "";
            if (prefix == null) {
                prefix = p;
            } else if (!prefix.equals(p)) {
                prefix = "";
            }
        }
        if (prefix != null && !prefix.isEmpty()) {
            return " (every key starts with " + SafeText.quoted(prefix) + ": save the bare nn.Sequential's state_dict(), or strip "
                    + "the prefix)";
        }
        if (encoder && keys.contains("1.weight") && !keys.contains("0.weight")) {
            return " (this looks like an AdaIN decoder: pass it as the decoder)";
        }
        if (!encoder && keys.contains("0.weight")) {
            return " (this looks like the VGG encoder: pass it as the encoder)";
        }
        return "";
    }

    /**
     * One conv's weight and bias, checked against the layout. {@code in} is the channels the conv must take (-1:
     * any, the decoder's first), {@code out} the channels it must give (-1: any).
     */
    private static ConvLayer conv(Source s, String file, boolean encoder, int module, int in, String from, int k,
            int out) {
        String wk = module + ".weight";
        String bk = module + ".bias";
        StoredTensor w = s.tensor(wk);
        StoredTensor b = s.tensor(bk);
        String role = role(encoder, module);
        long[] ws = w.shape();
        long expectOut = out > 0 ? out : ws.length == 4 ? ws[0] : -1;
        long expectIn = in > 0 ? in : ws.length == 4 ? ws[1] : -1;
        boolean ok = ws.length == 4 && ws[0] == expectOut && ws[1] == expectIn && ws[2] == k && ws[3] == k
                && ws[0] > 0 && ws[1] > 0;
        if (!ok) {
            String expected = ws.length == 4 && expectOut > 0 && expectIn > 0
                    ? "[" + expectOut + ", " + expectIn + ", " + k + ", " + k + "]"
                    : "a 4-D kernel [out, " + (in > 0 ? in : "in") + ", " + k + ", " + k + "]";
            StringBuilder why = new StringBuilder("[out, in, kh, kw]: " + role + " has a " + k + "×" + k + " kernel");
            if (in > 0) {
                why.append(", takes the ").append(in).append(" channels ").append(from.startsWith("the ") ? "of "
                        : "that ").append(from).append(from.startsWith("the ") ? "" : " gives");
            }
            if (out > 0) {
                why.append(" and, as the last conv, gives ").append(out).append(" (RGB)");
            }
            throw new ModelException(file + ": " + s.describe(wk) + " has shape " + w.shapeString() + ", expected "
                    + expected + " (" + why + ")");
        }
        long[] bs = b.shape();
        if (bs.length != 1 || bs[0] != ws[0]) {
            throw new ModelException(file + ": " + s.describe(bk) + " has shape " + b.shapeString() + ", expected ["
                    + ws[0] + "] (one bias per output channel of " + s.describe(wk) + ", shape " + w.shapeString()
                    + ")");
        }
        float[] kernel = w.values(file + ": " + s.describe(wk));
        float[] bias = b.values(file + ": " + s.describe(bk));
        try {
            return new ConvLayer("module " + module, (int) ws[0], (int) ws[1], k, k, kernel, bias);
        } catch (ModelException e) {
            throw new ModelException(file + ": " + s.describe(wk) + " (" + role + "): " + e.getMessage(), e);
        }
    }

    /** A source over a map of tensors, for the readers. */
    static Source source(Map<String, StoredTensor> tensors, java.util.function.UnaryOperator<String> describe) {
        List<String> keys = List.copyOf(tensors.keySet());
        return new Source() {
            @Override
            public List<String> keys() {
                return keys;
            }

            @Override
            public StoredTensor tensor(String key) {
                return tensors.get(key);
            }

            @Override
            public String describe(String key) {
                return describe.apply(key);
            }
        };
    }
}
