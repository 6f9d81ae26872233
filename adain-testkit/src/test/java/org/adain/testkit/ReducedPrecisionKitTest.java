package org.adain.testkit;

import static org.adain.testkit.KitEvents.casesFailedByGroup;
import static org.adain.testkit.KitEvents.group;
import static org.adain.testkit.KitEvents.isCase;
import static org.adain.testkit.KitEvents.message;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.adain.Precision;
import org.adain.spi.BackendProvider;
import org.adain.spi.DecoderWeights;
import org.adain.spi.EncoderWeights;
import org.adain.spi.StyleModel;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;

/**
 * The kit's reduced-precision mode, run through the JUnit Platform against the reference backend whose convolutions
 * round their inputs and kernels to bfloat16 ({@link ReferenceBackend#bf16()}): it passes with the tolerances it
 * states, fails when they are too tight (the mode cannot pass vacuously), keeps the float32 tolerances where the
 * arithmetic is float32 at any precision, skips training with the reason, and refuses loosened float32 tolerances.
 */
class ReducedPrecisionKitTest {
    /**
     * What the bf16 reference backend states: its worst errors on the kit's random reference weights were a
     * relative 0.038 (a Torch7 transfer's output), 12 levels and a mean of 1.87 levels (the quantisation cases).
     */
    private static final ReducedPrecisionTolerances STATED = new ReducedPrecisionTolerances(0.05, 16, 2.5);

    /** The groups whose values the networks compute. */
    private static final Set<String> NETWORK_GROUPS = Set.of("Encoder", "Decoder", "Transfer", "Interpolation",
            "ColourPreservation", "SpatialControl", "Quantisation", "Torch7");

    private static EngineExecutionResults runKit(BackendProvider backend, Precision precision,
            ReducedPrecisionTolerances tolerances) {
        PrecisionKit.backend = backend;
        PrecisionKit.precision = precision;
        PrecisionKit.tolerances = tolerances;
        System.setProperty(BackendConformanceKit.VERBOSE_PROPERTY, "false");
        try {
            return EngineTestKit.engine("junit-jupiter").selectors(selectClass(PrecisionKit.class)).execute();
        } finally {
            PrecisionKit.backend = ReferenceBackend.bf16();
            PrecisionKit.precision = Precision.BF16;
            PrecisionKit.tolerances = null;
            System.clearProperty(BackendConformanceKit.VERBOSE_PROPERTY);
        }
    }

    private static String table() {
        return PrecisionKit.last.report().table();
    }

    @Test
    void theBf16ReferenceBackendPassesWithItsStatedTolerancesAndSkipsTrainingSayingWhy() {
        EngineExecutionResults r = runKit(ReferenceBackend.bf16(), Precision.BF16, STATED);
        assertThat(r.testEvents().failed().count() + r.containerEvents().failed().count()).isZero();
        Set<String> ran = new TreeSet<>();
        r.testEvents().succeeded().stream().filter(KitEvents::isCase).forEach(e -> ran.add(group(e)));
        assertThat(ran).containsExactlyInAnyOrder("Statistics", "Adain", "Encoder", "Decoder", "Transfer",
                "Interpolation", "ColourPreservation", "SpatialControl", "Quantisation", "Torch7");
        String reason = "backend 'java-reference' runs the kit at Precision.BF16, and training is checked at FLOAT32 "
                + "only (by the backend's float32 run of the kit)";
        Set<String> skipped = new TreeSet<>();
        r.allEvents().aborted().stream().forEach(e -> {
            skipped.add(group(e));
            assertThat(isCase(e)).isFalse();
            assertThat(message(e)).contains(reason);
        });
        assertThat(skipped).containsExactlyInAnyOrder("Losses", "Gradients", "Adam", "Torch7");
        // the Torch7 group skips only its training factories
        assertThat(r.containerEvents().aborted().stream().filter(e -> group(e).equals("Torch7"))
                .map(e -> e.getTestDescriptor().getDisplayName()))
                .containsExactlyInAnyOrder("losses()", "gradients()", "adam()");
        String table = table();
        System.out.print(table);
        assertThat(table).contains("backend java-reference (org.adain.testkit.ReferenceBackend) at BF16, stated "
                + "tolerances: relative 0.0500, max 16 levels, mean 2.50 levels")
                .contains("SKIPPED: " + reason + ": group Losses skipped");
    }

    @Test
    void statedTolerancesTooTightFailTheNetworkGroupsAndOnlyThem() {
        // the bar for real weights; the random reference weights make bf16 errors larger than that
        EngineExecutionResults r = runKit(ReferenceBackend.bf16(), Precision.BF16,
                new ReducedPrecisionTolerances(0.005, 3, 0.3));
        Map<String, Integer> failed = casesFailedByGroup(r);
        System.out.println("Cases failed at too tight bf16 tolerances: " + failed);
        assertThat(failed.keySet()).containsExactlyInAnyOrderElementsOf(NETWORK_GROUPS);
        // CORAL alone is float32 arithmetic: it passes; the transfer with colour preservation runs the networks
        assertThat(r.testEvents().failed().stream().filter(e -> group(e).equals("ColourPreservation"))
                .map(e -> e.getTestDescriptor().getDisplayName())).containsExactly("in a transfer: preserve_color");
        Event quantised = r.testEvents().failed().stream().filter(e -> group(e).equals("Quantisation")).findFirst()
                .orElseThrow();
        assertThat(message(quantised)).contains("quantised · uint8 (StyleTransfer.stylize): ")
                .contains("values differ by more than the tolerance 3")
                .containsPattern("the mean \\|difference\\| from the reference levels is 1\\.\\d+, over the stated "
                        + "meanLevels 0\\.300 at Precision\\.BF16")
                .doesNotContain("uint8 vs the float output rounded");
        Event decoder = r.testEvents().failed().stream().filter(e -> group(e).equals("Decoder")).findFirst()
                .orElseThrow();
        assertThat(message(decoder)).startsWith("decoder_only · output: ").contains("× the tolerance");
    }

    @Test
    void whatIsFloat32AtAnyPrecisionKeepsTheFloat32Tolerances() {
        // generous stated tolerances do not cover statistics computed in bf16
        EngineExecutionResults r = runKit(ReferenceBackend.bf16(Set.of(Mistake.STATISTICS_IN_BF16)), Precision.BF16,
                new ReducedPrecisionTolerances(0.5, 50, 10));
        Map<String, Integer> failed = casesFailedByGroup(r);
        System.out.println("Cases failed by bf16 statistics under generous bf16 tolerances: " + failed);
        assertThat(failed).containsKeys("Statistics", "Adain");
        String statistics = r.testEvents().failed().stream().filter(e -> group(e).equals("Statistics"))
                .map(KitEvents::message).findFirst().orElseThrow();
        assertThat(statistics).contains("values differ by more than the tolerance 1.00e-05");
    }

    @Test
    void float32TolerancesCannotBeLoosened() {
        EngineExecutionResults r = runKit(ReferenceBackend.correct(), Precision.FLOAT32, STATED);
        Event kit = r.containerEvents().failed().stream().findFirst().orElseThrow();
        assertThat(kit.getTestDescriptor().getDisplayName()).isEqualTo("PrecisionKit");
        Throwable t = kit.getPayload(TestExecutionResult.class).orElseThrow().getThrowable().orElseThrow();
        assertThat(t).isInstanceOf(IllegalStateException.class).hasMessage("org.adain.testkit.PrecisionKit states "
                + "reduced-precision tolerances (relative 0.0500, max 16 levels, mean 2.50 levels) for "
                + "Precision.FLOAT32: the kit's float32 tolerances are never loosened. Remove "
                + "reducedPrecisionTolerances(), or return the reduced precision the backend runs from precision()");
        assertThat(r.testEvents().started().count()).as("cases run").isZero();
    }

    @Test
    void aReducedPrecisionWithoutStatedTolerancesIsRefused() {
        EngineExecutionResults r = runKit(ReferenceBackend.bf16(), Precision.BF16, null);
        Event kit = r.containerEvents().failed().stream().findFirst().orElseThrow();
        assertThat(message(kit)).isEqualTo("org.adain.testkit.PrecisionKit runs the kit at Precision.BF16 but "
                + "states no tolerances for it: override reducedPrecisionTolerances()");
    }

    @Test
    void aFloat32OnlyBackendAtBf16FailsItsCasesNamingThePrecision() {
        EngineExecutionResults r = runKit(ReferenceBackend.correct(), Precision.BF16, STATED);
        assertThat(r.testEvents().succeeded().stream().filter(KitEvents::isCase)
                .filter(e -> !group(e).equals("Torch7"))).as("cases passed").isEmpty();
        assertThat(r.testEvents().failed().stream().filter(KitEvents::isCase)
                .map(KitEvents::message)).isNotEmpty()
                .allMatch(m -> m.equals("Backend 'java-reference' does not implement precision BF16: it runs "
                        + "float32 only; use Precision.FLOAT32, or a backend that implements BF16"));
    }

    @Test
    void aModelRunningAnotherPrecisionThanAskedFailsTheCases() {
        ReferenceBackend reference = ReferenceBackend.correct();
        BackendProvider liar = new BackendProvider() {
            @Override
            public String name() {
                return "liar";
            }

            @Override
            public int priority() {
                return 0;
            }

            @Override
            public StyleModel load(EncoderWeights encoder, DecoderWeights decoder) {
                return reference.load(encoder, decoder);
            }

            @Override
            public StyleModel load(EncoderWeights encoder, DecoderWeights decoder, Precision precision) {
                return reference.load(encoder, decoder); // ignores the precision
            }
        };
        EngineExecutionResults r = runKit(liar, Precision.BF16, STATED);
        List<String> messages = r.testEvents().failed().stream().filter(KitEvents::isCase)
                .map(KitEvents::message).toList();
        assertThat(messages).isNotEmpty().contains("backend 'liar' loaded at Precision.BF16 returned a model that "
                + "runs FLOAT32 (StyleModel.precision()): BackendProvider.load(encoder, decoder, precision) must "
                + "honour the precision or refuse it");
    }

    @Test
    void bf16RoundsToNearestEvenOnTheFloatBits() {
        assertThat(Ops.bf16(1.0)).isEqualTo(1.0);
        // spacing 2^-7 at 1: a tie rounds to the even mantissa
        assertThat(Ops.bf16(1 + 0x1p-8)).isEqualTo(1.0);
        assertThat(Ops.bf16(1 + 3 * 0x1p-8)).isEqualTo(1 + 0x1p-6);
        assertThat(Ops.bf16(1 + 0x1p-8 + 0x1p-20)).isEqualTo(1 + 0x1p-7);
        assertThat(Ops.bf16(-(1 + 0x1p-8 + 0x1p-20))).isEqualTo(-(1 + 0x1p-7));
        assertThat(Ops.bf16(0.1)).isEqualTo(0.10009765625);
        assertThat(Ops.bf16(Double.POSITIVE_INFINITY)).isInfinite();
        assertThat(Ops.bf16(Double.NaN)).isNaN();
        // the largest float32 rounds up to infinity, as bf16 conversion does
        assertThat(Ops.bf16(Float.MAX_VALUE)).isInfinite();
    }

    @Test
    void statedTolerancesAreCheckedAndNeverTighterThanFloat32() {
        assertThat(STATED.tolerance(1e-5, 2.0)).isEqualTo(0.1);
        assertThat(STATED.tolerance(0.5, 2.0)).isEqualTo(0.5);
        assertThatThrownBy(() -> new ReducedPrecisionTolerances(0, 3, 0.3)).isInstanceOf(
                IllegalArgumentException.class).hasMessageContaining("relative must be in (0, 1)").hasMessageEndingWith(
                "got 0.0");
        assertThatThrownBy(() -> new ReducedPrecisionTolerances(Double.NaN, 3, 0.3))
                .hasMessageEndingWith("got NaN");
        assertThatThrownBy(() -> new ReducedPrecisionTolerances(0.1, 0, 0)).hasMessage(
                "maxLevels must be in [1, 255], got 0");
        assertThatThrownBy(() -> new ReducedPrecisionTolerances(0.1, 3, 4)).hasMessage(
                "meanLevels must be in [0, maxLevels = 3], got 4.0");
    }
}
