package org.adain.testkit.reference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.adain.testkit.reference.ReferenceCase.Kind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Sanity of the committed fixtures: every case loads, files exist, shapes and tolerances are coherent. */
class ReferenceCasesTest {

    private static final byte[] HDF5_SIGNATURE = {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};

    static Stream<String> caseNames() {
        return ReferenceCases.load().names().stream();
    }

    private static int[] imageSize(String file) {
        Map<String, Object> info = ReferenceCases.load().imageInfo(file);
        return new int[] {((Number) info.get("height")).intValue(), ((Number) info.get("width")).intValue()};
    }

    private static int ceil8(int n) {
        return (n + 7) / 8;
    }

    @Test
    void allCasesOfTheBriefArePresent() {
        assertThat(ReferenceCases.load().names()).containsExactlyInAnyOrder(
                "features_48x64", "features_75x100", "decoder_only", "alpha_1", "alpha_0.6", "alpha_0",
                "square_40", "nonmult8_45x70", "interp_4", "preserve_color", "mask_2region", "keras_apps_45x70",
                "quantised", "resize_32", "resize_80", "resize_crop_32", "resize_crop_27",
                "stats_3x5x7x6", "stats_constant_channel", "stats_1x1", "adain_6ch", "adain_batch2",
                "adain_style_1x1", "losses", "gradients", "adam", "adam_lr_decay",
                "torch7_stats", "torch7_stats_1x1", "torch7_adain_6ch", "torch7_adain_constant",
                "torch7_adain_style_1x1", "torch7_adain_content_1x1", "torch7_alpha_1", "torch7_alpha_0.6",
                "torch7_interp_4", "torch7_mask_2region", "torch7_quantised", "torch7_resize_32", "torch7_resize_80", "torch7_resize_crop_32",
                "torch7_resize_crop_27", "torch7_resize_crop_0", "torch7_losses", "torch7_gradients", "torch7_adam");
        assertThat(ReferenceCases.load().names()).allMatch(n -> n.startsWith("torch7_")
                == (ReferenceCases.load().get(n).semantics() == org.adain.Semantics.TORCH7));
        assertThat(ReferenceCases.load().topology()).containsExactly(
                Map.entry("a", 8), Map.entry("b", 12), Map.entry("c", 16), Map.entry("d", 24));
        assertThat(ReferenceCases.load().eps()).isEqualTo(1e-5);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("caseNames")
    void expectedArraysExistAndMatchTheManifest(String name) {
        ReferenceCase c = ReferenceCases.load().get(name);
        double maxTol = 0;
        for (ExpectedArray e : c.expected()) {
            assertThat(ReferenceCases.exists(e.file())).as(e.file()).isTrue();
            Npy.Array a = e.load();
            assertThat(a.shape()).as(e.file()).containsExactly(e.shape());
            assertThat(Arrays.stream(a.data()).allMatch(Double::isFinite)).as(e.file() + " finite").isTrue();
            assertThat(a.maxAbs()).as(e.file() + " max_abs").isCloseTo(e.maxAbs(), within(1e-12 * (1 + e.maxAbs())));
            assertThat(e.tolerance()).as(e.file() + " tolerance").isGreaterThanOrEqualTo(0);
            if (c.kind() != Kind.QUANTISE && c.kind() != Kind.RESIZE) {
                assertThat(e.tolerance()).isGreaterThanOrEqualTo(1e-5)
                        .isGreaterThanOrEqualTo(10 * e.float32Error()).isLessThan(1e-3);
            }
            maxTol = Math.max(maxTol, e.tolerance());
        }
        assertThat(c.tolerance()).isEqualTo(maxTol);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("caseNames")
    void inputsAndModelsExist(String name) throws Exception {
        ReferenceCase c = ReferenceCases.load().get(name);
        List<String> paths = new ArrayList<>();
        c.inputs().forEach((k, v) -> {
            if (v instanceof String s) {
                paths.add(s);
            } else {
                paths.addAll(ReferenceCases.stringList(v, name + " inputs." + k));
            }
        });
        assertThat(paths).as(name + " inputs").isNotEmpty();
        for (String p : paths) {
            assertThat(ReferenceCases.exists(p)).as(name + " input " + p).isTrue();
        }
        for (String key : List.of("encoder", "decoder")) {
            if (c.has(key)) {
                String file = c.stringParameter(key);
                byte[] head = Arrays.copyOf(ReferenceCases.bytes(file), 8);
                assertThat(head).as(file).containsExactly(HDF5_SIGNATURE);
                String twin = ReferenceCases.load().sameWeightsAs(file);
                assertThat(ReferenceCases.exists(twin)).isTrue();
                assertThat(ReferenceCases.load().sameWeightsAs(twin)).isEqualTo(file);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("caseNames")
    void shapesFollowTheArchitecture(String name) {
        ReferenceCase c = ReferenceCases.load().get(name);
        Map<String, Integer> t = ReferenceCases.load().topology();
        switch (c.kind()) {
            case FEATURES -> {
                int[] hw = imageSize(c.content());
                int[] ch = {t.get("a"), t.get("b"), t.get("c"), t.get("d")};
                int h = hw[0];
                int w = hw[1];
                for (int k = 0; k < 4; k++) {
                    assertThat(c.expected("relu" + (k + 1) + "_1").shape()).containsExactly(1, ch[k], h, w);
                    h = (h + 1) / 2;                       // ceil-mode pooling
                    w = (w + 1) / 2;
                }
            }
            case DECODE -> {
                Npy.Array in = ReferenceCases.array(c.input("features"));
                assertThat(in.shape()[1]).isEqualTo(t.get("d"));
                assertThat(c.output().shape()).containsExactly(1, 3, 8 * in.shape()[2], 8 * in.shape()[3]);
            }
            case TRANSFER -> {
                int[] hw = imageSize(c.content());
                assertThat(c.output().shape()).containsExactly(1, 3, hw[0], hw[1]);
                assertThat(c.expected("target").shape()).containsExactly(1, t.get("d"), ceil8(hw[0]), ceil8(hw[1]));
                assertThat(c.decodedSize()).containsExactly(8 * ceil8(hw[0]), 8 * ceil8(hw[1]));
                assertThat(c.alpha()).isBetween(0.0, 1.0);
                assertThat(c.styleWeights()).hasSameSizeAs(c.styles());
                assertThat(c.normalisedStyleWeights().stream().mapToDouble(Double::doubleValue).sum())
                        .isCloseTo(1.0, within(1e-12));
                assertThat(c.encoderFlavour()).isIn("normalised", "keras_apps");
                for (String s : c.styles()) {
                    assertThat(imageSize(s)).containsExactly(48, 48);
                }
            }
            case QUANTISE, RESIZE -> {
                Npy.Array a = c.expected().get(0).load();
                boolean torch7Resize = c.kind() == Kind.RESIZE && c.semantics() == org.adain.Semantics.TORCH7;
                if (torch7Resize) {
                    // floats in [0, 1]: crop first, then the shorter side to size (0: the square kept)
                    assertThat(Arrays.stream(a.data()).allMatch(v -> v >= 0 && v <= 1)).isTrue();
                    int size = c.intParameter("size");
                    int side = c.booleanParameter("crop") ? 75 : -1;
                    if (size > 0) {
                        assertThat(Math.min(a.shape()[1], a.shape()[2])).isEqualTo(size);
                    } else {
                        assertThat(a.shape()).containsExactly(3, side, side);
                    }
                    assertThat(a.shape()).containsExactly(3, c.intParameter("resized_height"),
                            c.intParameter("resized_width"));
                    return;
                }
                assertThat(Arrays.stream(a.data()).allMatch(v -> v >= 0 && v <= 255 && v == Math.rint(v))).isTrue();
                if (c.kind() == Kind.RESIZE) {
                    int size = c.intParameter("size");
                    int[] want = c.has("crop") ? new int[] {3, c.intParameter("crop"), c.intParameter("crop")}
                            : new int[] {3, c.intParameter("resized_height"), c.intParameter("resized_width")};
                    assertThat(a.shape()).containsExactly(want);
                    assertThat(Math.min(c.intParameter("resized_height"), c.intParameter("resized_width")))
                            .isEqualTo(size);
                }
            }
            case STATISTICS -> {
                int[] in = ReferenceCases.array(c.input("features")).shape();
                assertThat(in).hasSize(4);
                assertThat(c.intArrayParameter("input_shape")).containsExactly(in);
                if (c.expectError()) {
                    assertThat(in[2] * in[3]).isEqualTo(1);
                } else {
                    assertThat(c.expected("mean").shape()).containsExactly(in[0], in[1], 1, 1);
                    assertThat(c.expected("std").shape()).containsExactly(in[0], in[1], 1, 1);
                }
            }
            case ADAIN -> {
                int[] fc = ReferenceCases.array(c.input("content_features")).shape();
                int[] fs = ReferenceCases.array(c.input("style_features")).shape();
                assertThat(fc[0]).isEqualTo(fs[0]);
                assertThat(fc[1]).isEqualTo(fs[1]);
                if (c.expectError()) {
                    assertThat(Math.min(fc[2] * fc[3], fs[2] * fs[3])).isEqualTo(1);
                } else {
                    assertThat(c.output().shape()).containsExactly(fc);
                    // Torch7's content std is inside AdaIN (batch norm), not a statistic of its own
                    List<String> stats = c.semantics() == org.adain.Semantics.TORCH7
                            ? List.of("content_mean", "style_mean", "style_std")
                            : List.of("content_mean", "content_std", "style_mean", "style_std");
                    for (String k : stats) {
                        assertThat(c.expected(k).shape()).containsExactly(fc[0], fc[1], 1, 1);
                    }
                }
            }
            case LOSSES, GRADIENTS, ADAM -> {
                Npy.Array contents = c.contentBatch();
                Npy.Array styles = c.styleBatch();
                assertThat(contents.shape()).containsExactly(2, 3, 64, 64);
                assertThat(styles.shape()).containsExactly(2, 3, 64, 64);
                assertThat(c.contentWeight()).isEqualTo(1.0);
                assertThat(c.styleWeight()).isEqualTo(c.semantics() == org.adain.Semantics.TORCH7 ? 1e-2 : 10.0);
                assertThat(c.stringParameter("encoder_weights")).isEqualTo("normalised");
                assertThat(c.stringParameter("decoder_weights")).isEqualTo("decoder");
                if (c.kind() == Kind.LOSSES) {
                    assertThat(c.expected("content").shape()).containsExactly(1);
                    assertThat(c.expected("total").shape()).containsExactly(1);
                    assertThat(c.expected("style_layers").shape()).containsExactly(4);
                    assertThat(c.expected("target").shape()).containsExactly(2, t.get("d"), 8, 8);
                    assertThat(c.expected("decoded").shape()).containsExactly(2, 3, 64, 64);
                } else {
                    List<ReferenceWeights.Layer> dec = ReferenceWeights.layers("decoder");
                    String prefix = c.kind() == Kind.GRADIENTS ? "grad_conv" : "conv";
                    for (int k : c.decoderConvs()) {
                        int[] shape = dec.get(k).shape();
                        assertThat(c.expected(prefix + k + "_kernel").shape()).containsExactly(shape);
                        assertThat(c.expected(prefix + k + "_bias").shape()).containsExactly(shape[0]);
                    }
                    assertThat(c.expected()).hasSize(c.kind() == Kind.GRADIENTS ? 1 + 2 * c.decoderConvs().length
                            : 2 + 2 * c.decoderConvs().length);
                }
            }
            default -> throw new AssertionError(c.kind());
        }
    }

    @Test
    void errorCasesHaveNoExpectedArraysAndNameTheException() {
        ReferenceCases r = ReferenceCases.load();
        List<String> errors = r.all().stream().filter(ReferenceCase::expectError).map(ReferenceCase::name).toList();
        assertThat(errors).containsExactlyInAnyOrder("stats_1x1", "adain_style_1x1");
        for (String n : errors) {
            ReferenceCase c = r.get(n);
            assertThat(c.expected()).isEmpty();
            assertThat(c.tolerance()).isZero();
            assertThat(c.expectedException()).isEqualTo("InvalidRequestException");
            assertThat(c.stringParameter("port_result")).isEqualTo("NaN");
            assertThat(ReferenceCases.stringList(c.parameters().get("operations"), "operations")).contains("std");
            assertThat(c.toString()).contains("expect error");
        }
        assertThatThrownBy(() -> r.get("adain_6ch").expectedException()).isInstanceOf(IllegalStateException.class);
        assertThat(r.get("adain_6ch").expectError()).isFalse();
        assertThat(r.get("alpha_1").expectError()).isFalse();
    }

    @Test
    void trainingCasesShareTheirNumbers() {
        ReferenceCases r = ReferenceCases.load();
        ReferenceCase l = r.get("losses");
        Npy.Array style = l.load("style_layers");
        double sum = 0;
        for (double v : style.data()) {
            sum += v;
        }
        assertThat(l.scalar("total")).isCloseTo(l.scalar("content") + 10 * sum, within(1e-12));
        assertThat(r.get("gradients").scalar("loss")).isEqualTo(l.scalar("total"));
        assertThat(r.get("adam").load("losses").data()[0]).isEqualTo(l.scalar("total"));
        assertThat(r.get("adam_lr_decay").load("losses").data()[0]).isEqualTo(l.scalar("total"));
        for (String n : List.of("gradients", "adam", "adam_lr_decay")) {
            assertThat(r.get(n).contents()).isEqualTo(l.contents());
            assertThat(r.get(n).styles()).isEqualTo(l.styles());
        }
        assertThatThrownBy(() -> l.scalar("target")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a scalar");
        // the losses target is the AdaIN of the batch's own relu4_1: 2 samples
        assertThat(l.contents()).hasSize(2).doesNotHaveDuplicates();
    }

    @Test
    void imageBatchStacksSamplesInOrder() {
        ReferenceCase l = ReferenceCases.load().get("losses");
        Npy.Array b = l.contentBatch();
        Npy.Array second = ReferenceCases.imageTensor(l.contents().get(1));
        assertThat(b.get(1, 2, 63, 5)).isEqualTo(second.get(0, 2, 63, 5));
        assertThat(Arrays.copyOfRange(b.data(), second.size(), 2 * second.size())).isEqualTo(second.data());
        assertThatThrownBy(() -> ReferenceCases.imageBatch(List.of("images/train_content_0.png", "images/style_0.png")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("style_0");
        assertThatThrownBy(() -> ReferenceCases.imageBatch(List.of())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void knownParameterValues() {
        ReferenceCases r = ReferenceCases.load();
        assertThat(r.get("alpha_0.6").alpha()).isEqualTo(0.6);
        assertThat(r.get("interp_4").styleWeights()).containsExactly(1.0, 2.0, 3.0, 4.0);
        assertThat(r.get("interp_4").normalisedStyleWeights()).containsExactly(0.1, 0.2, 0.3, 0.4);
        assertThat(r.get("preserve_color").preserveColor()).isTrue();
        assertThat(r.get("alpha_1").preserveColor()).isFalse();
        assertThat(r.get("mask_2region").mask()).contains("images/mask_48x64.png");
        assertThat(r.get("alpha_1").mask()).isEmpty();
        assertThat(r.get("nonmult8_45x70").decodedSize()).containsExactly(48, 72);
        assertThat(r.get("keras_apps_45x70").encoder()).isEqualTo("models/vgg19_notop.h5");
        assertThat(r.get("keras_apps_45x70").encoderFlavour()).isEqualTo("keras_apps");
        assertThat(r.get("resize_crop_27").intParameter("crop")).isEqualTo(27);
        org.adain.Semantics port = org.adain.Semantics.PYTORCH_PORT;
        org.adain.Semantics torch7 = org.adain.Semantics.TORCH7;
        assertThat(r.ofKind(Kind.TRANSFER, port)).hasSize(9);
        assertThat(r.ofKind(Kind.STATISTICS, port)).hasSize(3);
        assertThat(r.ofKind(Kind.ADAIN, port)).hasSize(3);
        assertThat(r.ofKind(Kind.LOSSES, port)).hasSize(1);
        assertThat(r.ofKind(Kind.GRADIENTS, port)).hasSize(1);
        assertThat(r.ofKind(Kind.ADAM, port)).hasSize(2);
        assertThat(r.ofKind(Kind.TRANSFER, torch7)).hasSize(4);
        assertThat(r.ofKind(Kind.STATISTICS, torch7)).hasSize(2);
        assertThat(r.ofKind(Kind.ADAIN, torch7)).hasSize(4);
        assertThat(r.ofKind(Kind.RESIZE, torch7)).hasSize(5);
        assertThat(r.ofKind(Kind.ADAM)).hasSize(3);
        assertThat(r.get("torch7_adam").doubleParameter("adam_eps")).isEqualTo(1e-4);
        assertThat(r.get("adam_lr_decay").learningRate()).isEqualTo(1e-3);
        assertThat(r.get("adam_lr_decay").learningRateDecay()).isEqualTo(0.5);
        assertThat(r.get("adam_lr_decay").decoderConvs()).containsExactly(0, 8);
        assertThatThrownBy(() -> r.get("no_such_case")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("alpha_1");
        assertThatThrownBy(() -> r.get("alpha_1").expected("nope")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> r.get("alpha_1").intParameter("size")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void casesAreMutuallyConsistent() {
        ReferenceCases r = ReferenceCases.load();
        Npy.Array fc = r.get("features_48x64").load("relu4_1");
        // alpha 0 decodes the content's own relu4_1 (same weights in encoder_tf2 / encoder_keras23)
        assertThat(r.get("alpha_0").load("target").maxAbsDiff(fc)).isZero();
        // the alpha blend is linear at feature level
        Npy.Array t1 = r.get("alpha_1").load("target");
        Npy.Array t6 = r.get("alpha_0.6").load("target");
        double[] blend = new double[fc.size()];
        for (int i = 0; i < blend.length; i++) {
            blend[i] = 0.6 * t1.data()[i] + 0.4 * fc.data()[i];
        }
        assertThat(t6.maxAbsDiff(new Npy.Array(fc.shape(), blend))).isLessThan(1e-12);
        // CORAL output is not clamped
        Npy.Array coral = r.get("preserve_color").load("coral_style");
        assertThat(Arrays.stream(coral.data()).anyMatch(v -> v < 0 || v > 1)).isTrue();
    }

    @Test
    void quantisedIsThePortRuleInFloat32() {
        ReferenceCase q = ReferenceCases.load().get("quantised");
        Npy.Array out = ReferenceCases.array(q.input("tensor"));
        Npy.Array want = q.load("uint8");
        assertThat(want.size()).isEqualTo(out.size());
        int clampedLow = 0;
        int clampedHigh = 0;
        for (int i = 0; i < out.size(); i++) {
            float y = Math.min(255f, Math.max(0f, (float) out.data()[i] * 255f + 0.5f));
            assertThat((double) (int) y).isEqualTo(want.data()[i]);
            clampedLow += out.data()[i] < 0 ? 1 : 0;
            clampedHigh += out.data()[i] > 1 ? 1 : 0;
        }
        assertThat(clampedLow).isPositive();
        assertThat(clampedHigh).isPositive();
    }

    @Test
    void imagesDecodeLikeThePythonSide() {
        ReferenceCases r = ReferenceCases.load();
        for (Object o : ((Map<?, ?>) r.manifest().get("images")).values()) {
            Map<?, ?> info = (Map<?, ?>) o;
            String file = (String) info.get("file");
            List<?> sums = (List<?>) info.get("channel_sums");
            boolean mask = "L".equals(info.get("mode"));
            Npy.Array a = mask ? ReferenceCases.maskArray(file) : ReferenceCases.imageTensor(file);
            int h = ((Number) info.get("height")).intValue();
            int w = ((Number) info.get("width")).intValue();
            assertThat(a.shape()).as(file).containsExactly(mask ? new int[] {h, w} : new int[] {1, 3, h, w});
            for (int c = 0; c < sums.size(); c++) {
                long s = 0;
                for (int i = c * h * w; i < (c + 1) * h * w; i++) {
                    s += Math.round(a.data()[i] * 255);
                }
                assertThat(s).as(file + " channel " + c).isEqualTo(((Number) sums.get(c)).longValue());
            }
        }
    }

    @Test
    void maskIsBinaryAndBothRegionsSurviveAtRelu41() {
        Npy.Array m = ReferenceCases.maskArray("images/mask_48x64.png");
        int h = m.shape()[0];
        int w = m.shape()[1];
        int fh = ceil8(h);
        int fw = ceil8(w);
        int fg = 0;
        int bg = 0;
        for (int i = 0; i < fh; i++) {
            for (int j = 0; j < fw; j++) {
                double v = m.get(i * h / fh, j * w / fw);
                assertThat(v).isIn(0.0, 1.0);
                fg += v == 1.0 ? 1 : 0;
                bg += v == 0.0 ? 1 : 0;
            }
        }
        assertThat(fg).isGreaterThanOrEqualTo(5);
        assertThat(bg).isGreaterThanOrEqualTo(5);
    }

    @Test
    void copiesResourcesToRealFiles(@TempDir Path dir) throws Exception {
        for (ReferenceCases.ModelInfo m : ReferenceCases.load().models()) {
            Path p = ReferenceCases.copyTo(m.file(), dir.resolve("models"));
            assertThat(p.getFileName().toString()).isEqualTo(m.file().substring("models/".length()));
            assertThat(Files.readAllBytes(p)).isEqualTo(ReferenceCases.bytes(m.file()));
        }
        Path again = ReferenceCases.copyTo("models/decoder_tf2.h5", dir.resolve("models"));
        assertThat(Files.size(again)).isEqualTo(ReferenceCases.bytes("models/decoder_tf2.h5").length);
        Path tmp = ReferenceCases.copyToTemp("cases/alpha_1/output.npy");
        assertThat(tmp.getFileName().toString()).endsWith("-output.npy");
        assertThat(Npy.read(tmp).shape()).containsExactly(1, 3, 48, 64);
        assertThatThrownBy(() -> ReferenceCases.copyTo("models/missing.h5", dir))
                .hasMessageContaining("models/missing.h5");
    }

    @Test
    void manifestParserRejectsBrokenManifests() {
        assertThatThrownBy(() -> ReferenceCases.parse("{\"cases\": [{\"name\": \"x\"}], \"models\": {}}", "bad.json"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bad.json");
        String errorCase = "{\"name\": \"e\", \"kind\": \"statistics\", \"description\": \"d\", %s"
                + "\"inputs\": {}, \"parameters\": {}, \"expected\": %s, \"float32_error\": 0.0, \"tolerance\": 0.0}";
        String one = "[{\"name\": \"mean\", \"file\": \"f.npy\", \"shape\": [1], \"max_abs\": 1.0, "
                + "\"float32_error\": 0.0, \"tolerance\": 1e-5}]";
        java.util.function.Function<String, String> doc = c -> "{\"cases\": [" + c + "], \"models\": {}}";
        assertThat(ReferenceCases.parse(doc.apply(String.format(errorCase, "\"expect_error\": true,", "[]")), "ok.json")
                .get("e").expectError()).isTrue();
        assertThat(ReferenceCases.parse(doc.apply(String.format(errorCase, "", one)), "ok.json")
                .get("e").expectError()).isFalse();
        assertThatThrownBy(() -> ReferenceCases.parse(doc.apply(String.format(errorCase, "", "[]")), "bad.json"))
                .hasMessageContaining("no expected arrays");
        assertThatThrownBy(() -> ReferenceCases.parse(doc.apply(String.format(errorCase, "\"expect_error\": true,", one)),
                "bad.json")).hasMessageContaining("must have no expected arrays");
        assertThatThrownBy(() -> ReferenceCases.parse(doc.apply(String.format(errorCase, "\"expect_error\": 1,", "[]")),
                "bad.json")).hasMessageContaining("expect_error");
        assertThatThrownBy(() -> ReferenceCases.parse(doc.apply(String.format(errorCase, "", one)
                .replace("statistics", "gradient_flow")), "bad.json")).hasMessageContaining("unknown kind");
    }
}
