package org.adain.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.adain.Semantics;
import org.adain.testkit.formats.FormatFixtures;
import org.adain.testkit.reference.ReferenceCase;
import org.adain.testkit.reference.ReferenceCases;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI gives the same PNGs with either backend: {@code adain stylize --backend dl4j} and
 * {@code --backend onnxruntime} on every transfer case of the conformance kit (PyTorch-port semantics: both Keras
 * {@code .h5} encoder flavours and both Keras layouts, alpha, interpolation, colour preservation, mask), on the kit's
 * normalised Torch7 {@code .t7} weights, and tiled. The PNGs have one size and differ by at most one 8-bit level
 * per channel, where float32 sums run in another order; each case prints how many pixels differ.
 *
 * <p>The kit's Torch7-semantics cases are not here: onnxruntime does not declare {@code TORCH7_SEMANTICS} and
 * refuses {@code --semantics torch7}.
 */
class BackendParityTest {
    static final List<String> BACKENDS = List.of("dl4j", "onnxruntime");

    @TempDir
    static Path dir;

    /** One stylize run: the arguments common to both backends (no --backend, no --output). */
    record Case(String name, List<String> args) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static String copy(String kitResource) {
        return ReferenceCases.copyTo(kitResource, dir.resolve("inputs")).toString();
    }

    /** The kit case's encoder, decoder, images and parameters as stylize options, at the given sizes. */
    static List<String> args(ReferenceCase c, int contentSize, int styleSize) {
        List<String> a = new ArrayList<>(List.of("stylize", "--encoder", copy(c.encoder()), "--decoder",
                copy(c.decoder()), "--content", copy(c.content()), "--content-size", "" + contentSize,
                "--style-size", "" + styleSize, "--alpha", "" + c.alpha()));
        a.add("--style");
        c.styles().forEach(s -> a.add(copy(s)));
        if (c.mask().isPresent()) {
            // The mask's regions take the styles in order; weights do not apply.
            a.addAll(List.of("--mask", copy(c.mask().get())));
        } else if (c.styles().size() > 1) {
            a.addAll(List.of("--style-weights",
                    c.styleWeights().stream().map(String::valueOf).collect(Collectors.joining(","))));
        }
        if (c.preserveColor()) {
            a.add("--preserve-color");
        }
        return a;
    }

    static List<ReferenceCase> kitTransfers() {
        return ReferenceCases.load().ofKind(ReferenceCase.Kind.TRANSFER, Semantics.PYTORCH_PORT);
    }

    static List<Case> cases() {
        List<Case> cases = new ArrayList<>();
        for (ReferenceCase c : kitTransfers()) {
            cases.add(new Case(c.name(), args(c, 0, 0)));
        }
        // The kit's normalised VGG and decoder as Torch7 files (port semantics, the default).
        ReferenceCase alpha1 = ReferenceCases.load().get("alpha_1");
        List<String> t7 = new ArrayList<>(args(alpha1, 0, 0));
        Path t7Dir = dir.resolve("t7");
        t7.set(t7.indexOf("--encoder") + 1, FormatFixtures.copyTo(FormatFixtures.T7_ENCODER, t7Dir).toString());
        t7.set(t7.indexOf("--decoder") + 1, FormatFixtures.copyTo(FormatFixtures.T7_DECODER, t7Dir).toString());
        cases.add(new Case("t7_weights", t7));
        // As StylizeEndToEndTest's tiled run: 133×100 content, 100×100 style, 80-pixel tiles, ragged last tiles.
        List<String> tiled = new ArrayList<>(args(alpha1, 100, 100));
        tiled.addAll(List.of("--tiling-threshold", "0", "--tile-size", "80"));
        cases.add(new Case("alpha_1_tiled", tiled));
        return cases;
    }

    @Test
    void theKitsTransferCasesCoverWhatThisClassClaims() {
        List<ReferenceCase> kit = kitTransfers();
        assertThat(kit).extracting(ReferenceCase::encoderFlavour).contains("normalised", "keras_apps");
        assertThat(kit).anyMatch(c -> c.alpha() > 0 && c.alpha() < 1).anyMatch(c -> c.alpha() == 0)
                .anyMatch(c -> c.mask().isPresent()).anyMatch(ReferenceCase::preserveColor)
                .anyMatch(c -> c.mask().isEmpty() && c.styles().size() > 1);
    }

    @TestFactory
    Stream<DynamicTest> bothBackendsWriteTheSamePngToWithinOneLevel() {
        return cases().stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            Path outDir = Files.createDirectories(dir.resolve(c.name()));
            List<Path> outputs = new ArrayList<>();
            for (String backend : BACKENDS) {
                Path out = outDir.resolve(backend + ".png");
                List<String> a = new ArrayList<>(c.args());
                a.addAll(List.of("--backend", backend, "--output", out.toString()));
                CliRun run = CliRun.of(a);
                assertThat(run.exitCode()).as(c + " on " + backend + ": " + run).isZero();
                // Progress names the backend that ran: a silent fallback would compare a backend with itself.
                assertThat(run.err()).as(c + " on " + backend).contains("(" + backend + ")");
                outputs.add(out);
            }
            var a = Fixtures.read(outputs.get(0));
            var b = Fixtures.read(outputs.get(1));
            LevelDiff diff = LevelDiff.of(a, b);
            System.out.printf("backend parity %-16s %3dx%-3d %s%n", c.name(), a.getWidth(), a.getHeight(), diff);
            assertThat(diff.max()).as("%s: dl4j against onnxruntime, %s", c, diff).isLessThanOrEqualTo(1);
        }));
    }
}
