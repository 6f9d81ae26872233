package org.adain.testkit;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.adain.InvalidRequestException;
import org.adain.Precision;
import org.adain.Semantics;
import org.adain.spi.BackendProvider;
import org.adain.spi.ConvLayer;
import org.adain.spi.DecoderTraining;
import org.adain.spi.DecoderWeights;
import org.adain.spi.EncoderKind;
import org.adain.spi.EncoderWeights;
import org.adain.spi.FeatureMap;
import org.adain.spi.LossTerms;
import org.adain.spi.StyleModel;
import org.adain.spi.Tensor;
import org.adain.spi.TrainingConfig;
import org.adain.spi.TrainingState;
import org.adain.spi.TransferPlan;

/**
 * A slow, plain-Java, double-precision backend written from SEMANTICS (port semantics, and Torch7's §2.2 and §9.2
 * when asked), with switches that make
 * it commit the {@link Mistake classic mistakes}. The kit's own tests run the kit against it: correct, it must
 * pass every group; with any mistake, at least one case must fail. Not registered for ServiceLoader.
 */
final class ReferenceBackend implements BackendProvider {
    static final double EPS = 1e-5;

    private final Set<Mistake> mistakes;
    private final Set<StyleModel.Capability> capabilities;
    /** Whether it implements {@link Precision#BF16} besides float32 (the test double of a bf16 backend). */
    private final boolean bf16;

    /**
     * @param capabilities what the models declare: without {@code LOSSES} they keep the SPI's default
     *                     {@link StyleModel#losses}, without {@code TRAINING} the provider its default {@link #train}
     */
    ReferenceBackend(Set<Mistake> mistakes, Set<StyleModel.Capability> capabilities) {
        this(mistakes, capabilities, false);
    }

    private ReferenceBackend(Set<Mistake> mistakes, Set<StyleModel.Capability> capabilities, boolean bf16) {
        this.bf16 = bf16;
        this.mistakes = mistakes.isEmpty() ? EnumSet.noneOf(Mistake.class) : EnumSet.copyOf(mistakes);
        this.capabilities = capabilities.isEmpty() ? EnumSet.noneOf(StyleModel.Capability.class)
                : EnumSet.copyOf(capabilities);
    }

    /** Every capability a full backend has: losses, training and Torch7 semantics. */
    static final Set<StyleModel.Capability> FULL = EnumSet.of(StyleModel.Capability.LOSSES,
            StyleModel.Capability.TRAINING, StyleModel.Capability.TORCH7_SEMANTICS);

    /** The semantics this backend actually computes when asked for {@code asked}. */
    private Semantics numerics(Semantics asked) {
        return has(Mistake.PORT_NUMERICS_FOR_TORCH7) ? Semantics.PYTORCH_PORT : asked;
    }

    /** The correct backend, with losses and training. */
    static ReferenceBackend correct() {
        return new ReferenceBackend(Set.of(), FULL);
    }

    /**
     * The correct backend that also implements {@link Precision#BF16} as a bf16 backend computes it: every
     * convolution's inputs and kernel rounded to bfloat16 ({@link Ops#bf16(double)}), the products summed in double
     * (a bf16 convolution sums in float32), bias, statistics, AdaIN and CORAL untouched.
     */
    static ReferenceBackend bf16() {
        return bf16(Set.of());
    }

    /** {@link #bf16()} committing mistakes. */
    static ReferenceBackend bf16(Set<Mistake> mistakes) {
        return new ReferenceBackend(mistakes, FULL, true);
    }

    /** The correct backend as an inference-only one: no capability, the SPI's defaults for losses and training. */
    static ReferenceBackend inferenceOnly() {
        return new ReferenceBackend(Set.of(), Set.of());
    }

    @Override
    public String name() {
        return mistakes.isEmpty() ? "java-reference" : "java-reference" + mistakes;
    }

    @Override
    public int priority() {
        return 0;
    }

    @Override
    public StyleModel load(EncoderWeights encoder, DecoderWeights decoder) {
        return new Model(encoder, decoder, false);
    }

    /** BF16 when made by {@link #bf16()}; otherwise the SPI's default (float32 only). */
    @Override
    public StyleModel load(EncoderWeights encoder, DecoderWeights decoder, Precision precision) {
        if (bf16 && precision == Precision.BF16) {
            return new Model(encoder, decoder, true);
        }
        return BackendProvider.super.load(encoder, decoder, precision);
    }

    /** Decoder training in double precision (when this backend was made with training). */
    @Override
    public DecoderTraining train(EncoderWeights encoder, DecoderWeights initial, TrainingConfig config) {
        if (!capabilities.contains(StyleModel.Capability.TRAINING)) {
            return BackendProvider.super.train(encoder, initial, config);
        }
        return new Session(encoder, initial, config);
    }

    private boolean has(Mistake m) {
        return mistakes.contains(m);
    }

    // ---- statistics -------------------------------------------------------------------------------------

    /** Per (sample, channel): [0] mean, [1] the variance as this backend computes it, over the given positions. */
    private double[][] stats(Map4 x, int[] positions) {
        return stats(x, positions, Semantics.PYTORCH_PORT);
    }

    /** As {@link #stats(Map4, int[])}; Torch7 divides by the count (biased variance). */
    private double[][] stats(Map4 x, int[] positions, Semantics semantics) {
        if (has(Mistake.STATISTICS_IN_BF16)) {
            x = Ops.bf16(x);
        }
        int planes = x.n * x.c;
        int count = positions == null ? x.plane() : positions.length;
        double[][] r = new double[2][planes];
        for (int k = 0; k < planes; k++) {
            int b = k * x.plane();
            double s = 0;
            for (int i = 0; i < count; i++) {
                s += x.d[b + (positions == null ? i : positions[i])];
            }
            double m = s / count;
            double ss = 0;
            for (int i = 0; i < count; i++) {
                double e = x.d[b + (positions == null ? i : positions[i])] - m;
                ss += e * e;
            }
            r[0][k] = m;
            r[1][k] = ss / (has(Mistake.BIASED_VARIANCE) || semantics == Semantics.TORCH7 ? count : count - 1);
        }
        return r;
    }

    private double sigma(double variance) {
        return has(Mistake.EPS_OUTSIDE_SQRT) ? Math.sqrt(variance) + EPS : Math.sqrt(variance + EPS);
    }

    /** The content's σ in AdaIN: Torch7 normalises with sqrt(biased var + 1e-5) (batch norm). */
    private double contentSigma(double variance, Semantics semantics) {
        return semantics == Semantics.TORCH7 ? Math.sqrt(variance + EPS) : sigma(variance);
    }

    /** The style's σ in AdaIN and the style loss: Torch7's std(3, true) has no eps. */
    private double styleSigma(double variance, Semantics semantics) {
        return semantics == Semantics.TORCH7 ? Math.sqrt(variance) : sigma(variance);
    }

    /** dσ/dx at one position: (x − μ) / (den · s) with s the square root in σ. */
    private double stdSlope(double x, double mean, double variance, int count) {
        double den = has(Mistake.BIASED_VARIANCE) ? count : count - 1;
        double root = has(Mistake.EPS_OUTSIDE_SQRT) ? Math.sqrt(variance) : Math.sqrt(variance + EPS);
        return (x - mean) / (den * root);
    }

    /** AdaIN of each content sample with the style sample of the same index (or the only one). */
    private Map4 adain(Map4 content, Map4 style, Semantics semantics) {
        double[][] cs = stats(content, null, semantics);
        double[][] ss = stats(style, null, semantics);
        Map4 o = content.zerosLike();
        for (int n = 0; n < content.n; n++) {
            for (int ch = 0; ch < content.c; ch++) {
                int k = n * content.c + ch;
                int ks = (style.n == 1 ? 0 : n) * style.c + ch;
                double scale = styleSigma(ss[1][ks], semantics) / contentSigma(cs[1][k], semantics);
                int b = content.at(n, ch);
                for (int i = 0; i < content.plane(); i++) {
                    o.d[b + i] = (content.d[b + i] - cs[0][k]) * scale + ss[0][ks];
                }
            }
        }
        return o;
    }

    // ---- networks ---------------------------------------------------------------------------------------

    /** The encoder up to relu4_1. */
    private final class Encoder {
        final EncoderKind kind;
        final Ops.Conv pre;
        final Ops.Conv[] convs;
        /** Convolutions in bfloat16: inputs rounded here, kernels rounded once at construction. */
        final boolean bf16;

        Encoder(EncoderWeights w, boolean bf16) {
            this.bf16 = bf16;
            kind = w.kind();
            pre = w.preprocess() == null ? null : kernel(Ops.Conv.of(w.preprocess()), bf16);
            convs = w.convs().stream().map(l -> kernel(Ops.Conv.of(l), bf16)).toArray(Ops.Conv[]::new);
        }

        private Map4 conv(Map4 x, Ops.Conv k) {
            return Ops.conv(bf16 ? Ops.bf16(x) : x, k);
        }

        private static Ops.Conv kernel(Ops.Conv k, boolean bf16) {
            return bf16 ? k.bf16() : k;
        }

        boolean keras() {
            return kind == EncoderKind.KERAS_APPLICATIONS_VGG19;
        }

        Ops.Padding padding() {
            return keras() || has(Mistake.ZERO_PADDING) ? Ops.Padding.ZERO : Ops.Padding.REFLECT;
        }

        boolean ceil() {
            return !keras() && !has(Mistake.FLOOR_POOLING);
        }

        /** Forward pass keeping what backward needs: each ReLU output and each pool's argmax. */
        Trace forward(Map4 img) {
            Map4 x = img;
            if (keras()) {
                x = caffe(Ops.padToMultipleOf8(img));
            } else {
                x = conv(x, pre);
            }
            Trace t = new Trace(img);
            for (int i = 0; i < convs.length; i++) {
                Map4 r = Ops.relu(conv(Ops.pad1(x, padding()), convs[i]));
                t.relu[i] = r;
                if (EncoderWeights.POOL_AFTER.contains(i)) {
                    Ops.Pooled p = Ops.maxPool(r, ceil());
                    t.argmax[i] = p.argmax();
                    x = p.out();
                } else {
                    x = r;
                }
            }
            return t;
        }

        /** Gradient w.r.t. the image, given gradients w.r.t. the four taps (null entries: none). */
        Map4 backward(Trace t, Map4[] tapGrads) {
            if (keras() && (t.image.h % 8 != 0 || t.image.w % 8 != 0)) {
                throw new UnsupportedOperationException("backward through the Keras input padding");
            }
            Map4 g = null;
            for (int i = convs.length - 1; i >= 0; i--) {
                Map4 r = t.relu[i];
                Map4 gr = g == null ? r.zerosLike() : EncoderWeights.POOL_AFTER.contains(i)
                        ? Ops.maxPoolBackward(g, t.argmax[i], r) : g;
                int tap = EncoderWeights.RELU_TAPS.indexOf(i);
                if (tap >= 0 && tapGrads[tap] != null) {
                    for (int j = 0; j < gr.d.length; j++) {
                        gr.d[j] += tapGrads[tap].d[j];
                    }
                }
                Map4 gz = Ops.reluBackward(r, gr);
                Map4 gp = Ops.convBackwardInput(convs[i], gz, r.h + 2, r.w + 2);
                g = Ops.pad1Backward(gp, padding(), r.h, r.w);
            }
            Map4 gi = t.image.zerosLike();
            int p = gi.plane();
            for (int n = 0; n < gi.n; n++) {
                for (int o = 0; o < 3; o++) {
                    for (int c = 0; c < 3; c++) {
                        double wv = keras() ? (c == 2 - o ? 255 : 0) : pre.w()[o * 3 + c];
                        if (wv == 0) {
                            continue;
                        }
                        int src = g.at(n, o);
                        int dst = gi.at(n, c);
                        for (int j = 0; j < p; j++) {
                            gi.d[dst + j] += wv * g.d[src + j];
                        }
                    }
                }
            }
            return gi;
        }

        /** RGB [0, 1] → Caffe BGR [0, 255] minus the ImageNet mean. */
        private Map4 caffe(Map4 x) {
            Map4 o = x.zerosLike();
            int p = x.plane();
            for (int n = 0; n < x.n; n++) {
                for (int c = 0; c < 3; c++) {
                    int src = x.at(n, 2 - c);
                    int dst = o.at(n, c);
                    for (int j = 0; j < p; j++) {
                        o.d[dst + j] = 255 * x.d[src + j] - EncoderKind.CAFFE_BGR_MEAN[c];
                    }
                }
            }
            return o;
        }
    }

    /** What the encoder's backward pass needs. */
    private static final class Trace {
        final Map4 image;
        final Map4[] relu = new Map4[9];
        final int[][] argmax = new int[9][];

        Trace(Map4 image) {
            this.image = image;
        }

        Map4 tap(int i) {
            return relu[EncoderWeights.RELU_TAPS.get(i)];
        }
    }

    /** The decoder, with mutable weights (training updates them in place on a copy). */
    private final class Decoder {
        final Ops.Conv[] convs;
        /** As the encoder's; a training copy is never bf16. */
        final boolean bf16;

        Decoder(Ops.Conv[] convs, boolean bf16) {
            this.convs = bf16 ? Arrays.stream(convs).map(Ops.Conv::bf16).toArray(Ops.Conv[]::new) : convs;
            this.bf16 = bf16;
        }

        Ops.Padding padding() {
            return has(Mistake.ZERO_PADDING) ? Ops.Padding.ZERO : Ops.Padding.REFLECT;
        }

        /** Forward pass; {@code padded} and {@code outs} (may be null) receive each conv's input and output. */
        Map4 forward(Map4 t, Map4[] padded, Map4[] outs) {
            Map4 x = t;
            int last = convs.length - 1;
            for (int i = 0; i <= last; i++) {
                Map4 p = Ops.pad1(x, padding());
                Map4 z = Ops.conv(bf16 ? Ops.bf16(p) : p, convs[i]);
                Map4 r = i < last ? Ops.relu(z) : has(Mistake.CLAMP_IN_NETWORK) ? Ops.clamp01(z) : z;
                if (padded != null) {
                    padded[i] = p;
                    outs[i] = i < last ? r : z;
                }
                x = DecoderWeights.UPSAMPLE_AFTER.contains(i)
                        ? Ops.upsample(r, has(Mistake.BILINEAR_UPSAMPLING)) : r;
            }
            return x;
        }

        /** Gradients w.r.t. every conv's kernel and bias, given the gradient w.r.t. the output. */
        void backward(Map4[] padded, Map4[] outs, Map4 gOut, double[][] gw, double[][] gb) {
            Map4 g = gOut;
            int last = convs.length - 1;
            for (int i = last; i >= 0; i--) {
                if (DecoderWeights.UPSAMPLE_AFTER.contains(i)) {
                    g = Ops.upsampleBackward(g, has(Mistake.BILINEAR_UPSAMPLING));
                }
                if (i < last) {
                    g = Ops.reluBackward(outs[i], g);
                } else if (has(Mistake.CLAMP_IN_NETWORK)) {
                    g = Ops.clamp01Backward(outs[i], g);
                }
                Ops.convBackwardWeights(convs[i], padded[i], g, gw[i], gb[i]);
                if (i > 0) {
                    Map4 gp = Ops.convBackwardInput(convs[i], g, padded[i].h, padded[i].w);
                    g = Ops.pad1Backward(gp, padding(), padded[i].h - 2, padded[i].w - 2);
                }
            }
        }
    }

    // ---- the model --------------------------------------------------------------------------------------

    private final class Model implements StyleModel {
        final Encoder encoder;
        final Decoder decoder;
        final int featureChannels;
        final boolean bf16;

        Model(EncoderWeights e, DecoderWeights d, boolean bf16) {
            this.bf16 = bf16;
            d.checkFits(e);
            encoder = new Encoder(e, bf16);
            decoder = new Decoder(d.convs().stream().map(Ops.Conv::of).toArray(Ops.Conv[]::new), bf16);
            featureChannels = e.featureChannels();
        }

        @Override
        public Precision precision() {
            return bf16 ? Precision.BF16 : Precision.FLOAT32;
        }

        @Override
        public Set<Capability> capabilities() {
            return capabilities.isEmpty() ? EnumSet.noneOf(Capability.class) : EnumSet.copyOf(capabilities);
        }

        @Override
        public FeatureMap encode(Tensor images) {
            return new Features(this, encoder.forward(images(images)).tap(3));
        }

        @Override
        public List<Tensor> encodeLayers(Tensor images) {
            Trace t = encoder.forward(images(images));
            List<Tensor> out = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                out.add(t.tap(i).toTensor());
            }
            return out;
        }

        @Override
        public FeatureMap transfer(TransferPlan plan) {
            Map4 content = own(plan.content());
            List<Map4> styles = plan.styles().stream().map(this::own).toList();
            Semantics semantics = numerics(plan.semantics());
            int least = semantics == Semantics.TORCH7 ? 1 : 2;
            for (Map4 x : styles) {
                if (x.plane() < least || x.c != content.c) {
                    throw new InvalidRequestException("a style feature map of shape " + x.shape() + " cannot be used "
                            + "with content " + content.shape() + ": AdaIN needs the same channels and at least 2 "
                            + "positions (unbiased variance)");
                }
            }
            if (content.plane() < least) {
                throw new InvalidRequestException("content features of shape " + content.shape() + " have a single "
                        + "position (no unbiased variance)");
            }
            Map4 t;
            int[] regions = plan.regions();
            if (regions == null) {
                t = content.zerosLike();
                double[] w = plan.weights();
                for (int k = 0; k < styles.size(); k++) {
                    Map4 a = adain(content, styles.get(k), semantics);
                    for (int i = 0; i < t.d.length; i++) {
                        t.d[i] += w[k] * a.d[i];
                    }
                }
            } else {
                t = masked(content, styles, regions, semantics);
            }
            double alpha = plan.alpha();
            if (has(Mistake.ALPHA_ON_IMAGES)) {
                return new Features(this, t, content, alpha);
            }
            return new Features(this, blend(t, content, alpha));
        }

        private Map4 masked(Map4 content, List<Map4> styles, int[] regions, Semantics semantics) {
            Map4 t = content.zerosLike();
            for (int k = 0; k < styles.size(); k++) {
                final int region = k;
                int[] pos = java.util.stream.IntStream.range(0, regions.length).filter(p -> regions[p] == region)
                        .toArray();
                double[][] cs = stats(content, pos, semantics);
                double[][] ss = stats(styles.get(k), null, semantics);
                for (int ch = 0; ch < content.c; ch++) {
                    double scale = styleSigma(ss[1][ch], semantics) / contentSigma(cs[1][ch], semantics);
                    int b = content.at(0, ch);
                    for (int p : pos) {
                        t.d[b + p] = (content.d[b + p] - cs[0][ch]) * scale + ss[0][ch];
                    }
                }
            }
            return t;
        }

        @Override
        public Tensor decode(FeatureMap features) {
            Features f = (Features) features;
            if (f.blendContent != null) {
                Map4 styled = decoder.forward(f.map, null, null);
                Map4 plain = decoder.forward(f.blendContent, null, null);
                return output(blend(styled, plain, f.alpha));
            }
            return output(decoder.forward(f.map, null, null));
        }

        /** The decoded image as this backend returns it. */
        private Tensor output(Map4 image) {
            if (has(Mistake.OUTPUT_TRUNCATED_TO_8_BITS)) {
                for (int i = 0; i < image.d.length; i++) {
                    image.d[i] = Math.floor(image.d[i] * 255) / 255;
                }
            }
            return image.toTensor();
        }

        @Override
        public FeatureMap upload(Tensor features) {
            if (features.rank() != 4 || features.dim(1) != featureChannels) {
                throw new InvalidRequestException("features must be N×" + featureChannels + "×h×w, got "
                        + Arrays.toString(features.shape()));
            }
            return new Features(this, Map4.of(features));
        }

        @Override
        public Tensor mean(Tensor features) {
            Map4 x = Map4.of(features);
            double[][] s = stats(x, null);
            return column(x, s[0]);
        }

        @Override
        public Tensor std(Tensor features) {
            Map4 x = Map4.of(features);
            if (x.plane() < 2) {
                throw new InvalidRequestException("the std of a map with one position is undefined (unbiased "
                        + "variance divides by H·W − 1 = 0): shape " + Arrays.toString(features.shape()));
            }
            double[][] s = stats(x, null);
            double[] r = new double[s[1].length];
            for (int i = 0; i < r.length; i++) {
                r[i] = sigma(s[1][i]);
            }
            return column(x, r);
        }

        @Override
        public Tensor std(Tensor features, Semantics asked) {
            Semantics semantics = numerics(asked);
            if (semantics == Semantics.PYTORCH_PORT) {
                return std(features);
            }
            Map4 x = Map4.of(features);
            double[][] s = stats(x, null, semantics);
            double[] r = new double[s[1].length];
            for (int i = 0; i < r.length; i++) {
                r[i] = styleSigma(s[1][i], semantics);
            }
            return column(x, r);
        }

        private Tensor column(Map4 x, double[] v) {
            return new Map4(x.n, x.c, 1, 1, v).toTensor();
        }

        @Override
        public Tensor coral(Tensor source, Tensor target) {
            return Ops.coral(Map4.of(source), Map4.of(target), has(Mistake.CORAL_COVARIANCE_PER_PIXEL)).toTensor();
        }

        @Override
        public LossTerms losses(Tensor contents, Tensor styles) {
            return losses(contents, styles, Semantics.PYTORCH_PORT);
        }

        @Override
        public LossTerms losses(Tensor contents, Tensor styles, Semantics semantics) {
            if (!capabilities.contains(Capability.LOSSES)) {
                return StyleModel.super.losses(contents, styles, semantics);
            }
            return new Pass(this, decoder, images(contents), images(styles), numerics(semantics)).losses();
        }

        @Override
        public String describe() {
            return name() + ": plain Java, double precision";
        }

        @Override
        public void close() {
        }

        private Map4 own(FeatureMap f) {
            if (!(f instanceof Features mine) || mine.owner != this) {
                throw new IllegalArgumentException("feature map " + f + " was not made by this model");
            }
            return mine.map;
        }

        private Map4 images(Tensor t) {
            int[] s = t.shape();
            if (s.length != 4 || s[1] != 3 || s[2] < 9 || s[3] < 9) {
                throw new InvalidRequestException("images must be N×3×H×W with H, W ≥ 9, got "
                        + Arrays.toString(s));
            }
            return Map4.of(t);
        }
    }

    private static Map4 blend(Map4 styled, Map4 content, double alpha) {
        Map4 o = styled.zerosLike();
        for (int i = 0; i < o.d.length; i++) {
            o.d[i] = alpha * styled.d[i] + (1 - alpha) * content.d[i];
        }
        return o;
    }

    /** Features held by the model; with {@link Mistake#ALPHA_ON_IMAGES} they remember the content and alpha. */
    private static final class Features implements FeatureMap {
        final Model owner;
        final Map4 map;
        final Map4 blendContent;
        final double alpha;

        Features(Model owner, Map4 map) {
            this(owner, map, null, 1);
        }

        Features(Model owner, Map4 map, Map4 blendContent, double alpha) {
            this.owner = owner;
            this.map = map;
            this.blendContent = blendContent;
            this.alpha = alpha;
        }

        @Override
        public int batch() {
            return map.n;
        }

        @Override
        public int channels() {
            return map.c;
        }

        @Override
        public int height() {
            return map.h;
        }

        @Override
        public int width() {
            return map.w;
        }

        /** With the alpha mistake the features look right: only the decoded image shows it. */
        @Override
        public Tensor toTensor() {
            return (blendContent == null ? map : blend(map, blendContent, alpha)).toTensor();
        }

        @Override
        public void close() {
        }
    }

    // ---- training ---------------------------------------------------------------------------------------

    /** One forward pass of the training objective on a batch of pairs, and its backward pass. */
    private final class Pass {
        final Model model;
        final Decoder decoder;
        final Trace fs;
        final Map4 t;
        final Map4[] padded = new Map4[DecoderWeights.CONV_COUNT];
        final Map4[] outs = new Map4[DecoderWeights.CONV_COUNT];
        final Trace fg;
        final Semantics semantics;

        Pass(Model model, Decoder decoder, Map4 contents, Map4 styles, Semantics semantics) {
            this.semantics = semantics;
            if (contents.n != styles.n) {
                throw new InvalidRequestException("losses need as many styles as contents, got " + contents.n
                        + " and " + styles.n);
            }
            this.model = model;
            this.decoder = decoder;
            Map4 fc = model.encoder.forward(contents).tap(3);
            fs = model.encoder.forward(styles);
            t = adain(fc, fs.tap(3), semantics);
            Map4 g = decoder.forward(t, padded, outs);
            fg = model.encoder.forward(g);
        }

        LossTerms losses() {
            Map4 g4 = fg.tap(3);
            double content = 0;
            for (int i = 0; i < t.d.length; i++) {
                content += (g4.d[i] - t.d[i]) * (g4.d[i] - t.d[i]);
            }
            content /= t.d.length;
            double[] style = new double[4];
            for (int l = 0; l < 4; l++) {
                double[][] a = stats(fg.tap(l), null, semantics);
                double[][] b = stats(fs.tap(l), null, semantics);
                int nc = a[0].length;
                double dm = 0;
                double ds = 0;
                for (int k = 0; k < nc; k++) {
                    dm += (a[0][k] - b[0][k]) * (a[0][k] - b[0][k]);
                    double e = outputSigma(a[1][k]) - styleSigma(b[1][k], semantics);
                    ds += e * e;
                }
                // Torch7: sums over channels, divided by the batch (StyleINLossModule.lua:87-90)
                double reduce = semantics == Semantics.TORCH7 ? fg.tap(l).n : nc;
                style[l] = dm / reduce + ds / reduce;
            }
            return new LossTerms(content, style);
        }

        /** σ of the decoded image's features in the style loss: Torch7's nn.Sqrt(1e-6) of the biased variance. */
        double outputSigma(double variance) {
            return semantics == Semantics.TORCH7 ? Math.sqrt(variance + 1e-6) : sigma(variance);
        }

        /** d(cw·content + sw·style)/d(decoder weights): [conv][0 = kernel, 1 = bias]. */
        double[][][] gradients(double contentWeight, double styleWeight) {
            Map4[] tapGrads = new Map4[4];
            for (int l = 0; l < 4; l++) {
                Map4 x = fg.tap(l);
                double[][] a = stats(x, null, semantics);
                double[][] b = stats(fs.tap(l), null, semantics);
                int nc = a[0].length;
                int count = x.plane();
                boolean torch = semantics == Semantics.TORCH7;
                double reduce = torch ? x.n : nc;
                Map4 g = x.zerosLike();
                for (int k = 0; k < nc; k++) {
                    double dMean = 2 * (a[0][k] - b[0][k]) / reduce / count;
                    double sg = outputSigma(a[1][k]);
                    double dStd = 2 * (sg - styleSigma(b[1][k], semantics)) / reduce;
                    int base = k * count;
                    for (int p = 0; p < count; p++) {
                        double v = x.d[base + p];
                        double slope = torch ? (v - a[0][k]) / (count * sg) : stdSlope(v, a[0][k], a[1][k], count);
                        g.d[base + p] = styleWeight * (dMean + dStd * slope);
                    }
                }
                tapGrads[l] = g;
            }
            Map4 g4 = fg.tap(3);
            for (int i = 0; i < t.d.length; i++) {
                tapGrads[3].d[i] += contentWeight * 2 * (g4.d[i] - t.d[i]) / t.d.length;
            }
            Map4 gImage = model.encoder.backward(fg, tapGrads);
            int convs = decoder.convs.length;
            double[][] gw = new double[convs][];
            double[][] gb = new double[convs][];
            for (int i = 0; i < convs; i++) {
                gw[i] = new double[decoder.convs[i].w().length];
                gb[i] = new double[decoder.convs[i].b().length];
            }
            decoder.backward(padded, outs, gImage, gw, gb);
            double[][][] r = new double[convs][][];
            for (int i = 0; i < convs; i++) {
                r[i] = new double[][] {gw[i], gb[i]};
            }
            return r;
        }
    }

    /** A training session: the model's frozen encoder, a copy of the decoder, and Adam's moments. */
    private final class Session implements DecoderTraining {
        final Model model;
        final Decoder decoder;
        final TrainingConfig config;
        final double[][][] first = new double[DecoderWeights.CONV_COUNT][2][];
        final double[][][] second = new double[DecoderWeights.CONV_COUNT][2][];
        long iteration;

        Session(EncoderWeights encoder, DecoderWeights initial, TrainingConfig config) {
            this.model = new Model(encoder, initial, false);
            this.decoder = new Decoder(Arrays.stream(model.decoder.convs).map(Ops.Conv::copy)
                    .toArray(Ops.Conv[]::new), false);
            this.config = Objects.requireNonNull(config, "config");
            for (int i = 0; i < DecoderWeights.CONV_COUNT; i++) {
                first[i][0] = new double[decoder.convs[i].w().length];
                first[i][1] = new double[decoder.convs[i].b().length];
                second[i][0] = first[i][0].clone();
                second[i][1] = first[i][1].clone();
            }
        }

        @Override
        public LossTerms step(Tensor contents, Tensor styles) {
            Pass pass = new Pass(model, decoder, model.images(contents), model.images(styles),
                    numerics(config.semantics()));
            LossTerms before = pass.losses();
            boolean torch = numerics(config.semantics()) == Semantics.TORCH7;
            double[][][] g = pass.gradients(config.contentWeight(), config.styleWeight());
            int t = (int) iteration + 1;
            double lr = config.learningRateAt(iteration);
            double c1 = 1 - Math.pow(config.beta1(), t);
            double c2 = 1 - Math.pow(config.beta2(), t);
            for (int i = 0; i < decoder.convs.length; i++) {
                double[][] params = {decoder.convs[i].w(), decoder.convs[i].b()};
                for (int j = 0; j < 2; j++) {
                    double[] p = params[j];
                    double[] m = first[i][j];
                    double[] v = second[i][j];
                    for (int q = 0; q < p.length; q++) {
                        double gq = g[i][j][q];
                        m[q] = config.beta1() * m[q] + (1 - config.beta1()) * gq;
                        v[q] = config.beta2() * v[q] + (1 - config.beta2()) * gq * gq;
                        p[q] -= torch ? lr * Math.sqrt(c2) / c1 * m[q] / (Math.sqrt(v[q]) + config.epsilon())
                                : lr * (m[q] / c1) / (Math.sqrt(v[q] / c2) + config.epsilon());
                    }
                }
            }
            iteration++;
            return before;
        }

        @Override
        public List<Tensor[]> gradients(Tensor contents, Tensor styles) {
            double[][][] g = new Pass(model, decoder, model.images(contents), model.images(styles),
                    numerics(config.semantics())).gradients(config.contentWeight(), config.styleWeight());
            return pairs(g);
        }

        private List<Tensor[]> pairs(double[][][] values) {
            List<Tensor[]> out = new ArrayList<>();
            for (int i = 0; i < values.length; i++) {
                Ops.Conv c = decoder.convs[i];
                out.add(new Tensor[] {new Map4(c.out(), c.in(), c.kh(), c.kw(), values[i][0]).toTensor(),
                        vector(values[i][1])});
            }
            return out;
        }

        private Tensor vector(double[] v) {
            float[] f = new float[v.length];
            for (int i = 0; i < v.length; i++) {
                f[i] = (float) v[i];
            }
            return Tensor.wrap(f, v.length);
        }

        @Override
        public DecoderWeights weights() {
            List<ConvLayer> layers = new ArrayList<>();
            for (int i = 0; i < decoder.convs.length; i++) {
                layers.add(decoder.convs[i].toLayer("decoder_conv" + i));
            }
            return new DecoderWeights(layers, name() + " training, iteration " + iteration);
        }

        @Override
        public long iteration() {
            return iteration;
        }

        @Override
        public TrainingState state() {
            return new TrainingState(iteration, weights(), pairs(first), pairs(second));
        }

        @Override
        public void restore(TrainingState state) {
            List<ConvLayer> convs = state.weights().convs();
            for (int i = 0; i < decoder.convs.length; i++) {
                decoder.convs[i] = Ops.Conv.of(convs.get(i));
                for (int j = 0; j < 2; j++) {
                    first[i][j] = doubles(state.firstMoments().get(i)[j]);
                    second[i][j] = doubles(state.secondMoments().get(i)[j]);
                }
            }
            iteration = state.iteration();
        }

        private double[] doubles(Tensor t) {
            float[] f = t.toArray();
            double[] d = new double[f.length];
            for (int i = 0; i < f.length; i++) {
                d[i] = f[i];
            }
            return d;
        }

        @Override
        public void close() {
        }
    }
}
