package org.adain.testkit;

import static org.adain.testkit.KitEvents.casesFailedByGroup;
import static org.adain.testkit.KitEvents.group;
import static org.adain.testkit.KitEvents.isCase;
import static org.adain.testkit.KitEvents.message;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import org.adain.spi.BackendProvider;
import org.adain.spi.StyleModel.Capability;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.DiscoverySelector;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;

/**
 * The kit tests itself: run through the JUnit Platform against the reference backend with one classic mistake
 * switched on, it must fail at least one case. Prints which groups caught which mistake. Also pins what the kit
 * does with capabilities a backend lacks, and that it fails rather than pass when it checks nothing.
 */
class KitCatchesClassicMistakesTest {
    /** The groups in kit order. */
    private static final List<String> GROUPS = List.of("Statistics", "Adain", "Encoder", "Decoder", "Transfer",
            "Interpolation", "ColourPreservation", "SpatialControl", "Quantisation", "Losses", "Gradients", "Adam",
            "Torch7");

    /** mistake → group → cases failed. */
    private static final Map<Mistake, Map<String, Integer>> CAUGHT = new EnumMap<>(Mistake.class);

    /** The kit's guard test, which stands for it where no JUnit 5 test runs. */
    private static final String GUARD = "testRunsOnTheJUnitPlatform";

    private static EngineExecutionResults runKit(ReferenceBackend backend) {
        return runKit(backend, selectClass(MistakeKit.class));
    }

    private static EngineExecutionResults runKit(ReferenceBackend backend, DiscoverySelector selector) {
        MistakeKit.backend = backend;
        System.setProperty(BackendConformanceKit.VERBOSE_PROPERTY, "false");
        try {
            return EngineTestKit.engine("junit-jupiter").selectors(selector).execute();
        } finally {
            MistakeKit.backend = ReferenceBackend.correct();
            System.clearProperty(BackendConformanceKit.VERBOSE_PROPERTY);
        }
    }

    /** What the kit printed on stdout during the run, and the run. */
    private record Printed(EngineExecutionResults results, String out) {
    }

    private static Printed runKitCapturingStdout(ReferenceBackend backend) {
        PrintStream stdout = System.out;
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buffer, true, StandardCharsets.UTF_8));
        try {
            EngineExecutionResults r = runKit(backend);
            return new Printed(r, buffer.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(stdout);
        }
    }

    /** The kit's summary line for a group. */
    private static String tableLine(String group) {
        return MistakeKit.last.report().table().lines().filter(l -> l.startsWith("  " + group + " ")).findFirst()
                .orElseThrow(() -> new AssertionError("no table line for " + group + ":\n"
                        + MistakeKit.last.report().table()));
    }

    /** Any failed test or container per group. */
    private static Map<String, Integer> failuresByGroup(EngineExecutionResults r) {
        Map<String, Integer> byGroup = new TreeMap<>();
        r.testEvents().failed().stream().forEach(e -> byGroup.merge(group(e), 1, Integer::sum));
        r.containerEvents().failed().stream().forEach(e -> byGroup.merge(group(e), 1, Integer::sum));
        return byGroup;
    }

    @ParameterizedTest
    @EnumSource(Mistake.class)
    void eachClassicMistakeFailsAtLeastOneCase(Mistake mistake) {
        EngineExecutionResults r = runKit(new ReferenceBackend(Set.of(mistake), ReferenceBackend.FULL));
        Map<String, Integer> byGroup = casesFailedByGroup(r);
        CAUGHT.put(mistake, byGroup);
        assertThat(byGroup).as("groups that caught %s", mistake.label()).isNotEmpty();
        assertThat(failuresByGroup(r).keySet()).as("only cases fail").isEqualTo(byGroup.keySet());
        assertThat(r.allEvents().aborted().count()).as("groups skipped").isZero();
    }

    @Test
    void theCorrectReferenceBackendPassesEveryGroupWithNothingSkipped() {
        EngineExecutionResults r = runKit(ReferenceBackend.correct());
        assertThat(failuresByGroup(r)).isEmpty();
        assertThat(r.allEvents().aborted().count()).isZero();
        Map<String, Long> cases = new LinkedHashMap<>();
        r.testEvents().succeeded().stream().forEach(e -> cases.merge(group(e), 1L, Long::sum));
        List<String> all = new ArrayList<>(GROUPS);
        all.add("(kit)"); // the guard test
        assertThat(cases.keySet()).containsExactlyInAnyOrderElementsOf(all);
        assertThat(r.testEvents().succeeded().stream().filter(e -> group(e).equals("(kit)"))
                .map(e -> e.getTestDescriptor().getDisplayName())).containsExactly("the kit runs on the JUnit Platform");
    }

    /** Skipped groups, each with the reason of every aborted event checked; never a single case. */
    private static List<String> skippedGroups(EngineExecutionResults r) {
        List<String> skipped = new ArrayList<>();
        r.allEvents().aborted().stream().forEach(e -> {
            String group = group(e);
            skipped.add(group);
            assertThat(isCase(e)).as("a single case was skipped: %s", e.getTestDescriptor().getDisplayName())
                    .isFalse();
            String needed = group.equals("Losses") ? "LOSSES" : group.equals("Torch7") ? "TORCH7_SEMANTICS"
                    : "TRAINING";
            assertThat(message(e)).isEqualTo("backend 'java-reference' does not declare Capability." + needed
                    + ": group " + group + " skipped");
        });
        return skipped;
    }

    @Test
    void anInferenceOnlyBackendSkipsLossesGradientsAndAdamAndSaysWhyOnce() {
        Printed run = runKitCapturingStdout(ReferenceBackend.inferenceOnly());
        EngineExecutionResults r = run.results();
        assertThat(failuresByGroup(r)).isEmpty();
        assertThat(skippedGroups(r)).as("groups skipped").containsOnly("Losses", "Gradients", "Adam", "Torch7")
                .contains("Losses", "Gradients", "Adam", "Torch7");
        assertThat(r.testEvents().skipped().count()).as("disabled tests").isZero();
        // Each group skips its stand-in test and its factory, but says why once; the table once more.
        for (String group : List.of("Losses", "Gradients", "Adam")) {
            String needed = group.equals("Losses") ? "LOSSES" : "TRAINING";
            String reason = "backend 'java-reference' does not declare Capability." + needed + ": group " + group
                    + " skipped";
            assertThat(run.out()).containsOnlyOnce("adain-kit " + reason).containsOnlyOnce("SKIPPED: " + reason);
        }
        Set<String> ran = new java.util.TreeSet<>();
        r.testEvents().succeeded().stream().filter(KitEvents::isCase).forEach(e -> ran.add(group(e)));
        assertThat(ran).as("inference groups run").containsExactlyInAnyOrderElementsOf(GROUPS.subList(0, 9));
    }

    @Test
    void aBackendWithLossesButWithoutTrainingRunsTheLossGroup() {
        EngineExecutionResults r = runKit(new ReferenceBackend(Set.of(), Set.of(Capability.LOSSES)));
        assertThat(failuresByGroup(r)).isEmpty();
        assertThat(skippedGroups(r)).containsOnly("Gradients", "Adam", "Torch7").contains("Gradients", "Adam");
        assertThat(r.testEvents().succeeded().stream().filter(e -> group(e).equals("Losses") && isCase(e)).count())
                .as("the forward-only loss group runs").isPositive();
    }

    @Test
    void aBackendDeclaringTrainingWithoutLossesFailsTheTrainingGroups() {
        EngineExecutionResults r = runKit(new ReferenceBackend(Set.of(), Set.of(Capability.TRAINING)));
        assertThat(skippedGroups(r)).containsOnly("Losses", "Torch7");
        assertThat(failuresByGroup(r).keySet()).containsExactly("Adam", "Gradients");
        r.testEvents().failed().stream().forEach(e -> assertThat(message(e))
                .contains("declares Capability.TRAINING but not Capability.LOSSES, which training implies"));
        assertThat(tableLine("Gradients")).contains("capabilities · TRAINING without LOSSES");
    }

    @Test
    void aPortSemanticsBackendFailsTheTorch7GroupAndNothingElse() {
        // Declares TORCH7_SEMANTICS but computes the port's numerics whatever the plan or configuration says.
        EngineExecutionResults r = runKit(new ReferenceBackend(Set.of(Mistake.PORT_NUMERICS_FOR_TORCH7),
                ReferenceBackend.FULL));
        assertThat(casesFailedByGroup(r).keySet()).containsExactly("Torch7");
        assertThat(r.allEvents().aborted().count()).as("groups skipped").isZero();
        Set<String> failed = new java.util.TreeSet<>();
        r.testEvents().failed().stream().filter(KitEvents::isCase)
                .forEach(e -> failed.add(e.getTestDescriptor().getDisplayName()));
        System.out.println("Torch7 cases a port-semantics backend fails: " + failed);
        // every backend-computed kind of the group catches it: statistics, AdaIN (constant and 1×1 maps),
        // transfers at alpha 1 and 0.6, interpolation, spatial control, losses, gradients and Adam
        assertThat(failed).contains("torch7_stats", "torch7_stats_1x1", "torch7_adain_6ch", "torch7_adain_constant",
                "torch7_adain_style_1x1", "torch7_adain_content_1x1", "torch7_alpha_1", "torch7_alpha_0.6",
                "torch7_interp_4", "torch7_mask_2region", "torch7_losses", "torch7_gradients", "torch7_adam");
        // resizing is the API's, not the backend's: it passes
        assertThat(failed).noneMatch(n -> n.startsWith("torch7_resize"));
    }

    @Test
    void aFailureNamesTheCaseTheIndexTheValuesAndTheTolerance() {
        EngineExecutionResults r = runKit(new ReferenceBackend(Set.of(Mistake.BILINEAR_UPSAMPLING),
                ReferenceBackend.FULL));
        Event decoder = r.testEvents().failed().stream().filter(e -> group(e).equals("Decoder")).findFirst()
                .orElseThrow();
        assertThat(decoder.getTestDescriptor().getDisplayName()).isEqualTo("decoder_only");
        String message = decoder.getPayload(TestExecutionResult.class).orElseThrow().getThrowable().orElseThrow()
                .getMessage();
        System.out.println("Example failure (bilinear upsampling): " + message);
        assertThat(message).startsWith("decoder_only · output: ").contains("values differ by more than the tolerance")
                .containsPattern("flat index \\d+ = \\[0, \\d, \\d+, \\d+\\] of shape \\[1, 3, 48, 64\\]")
                .contains("actual ").contains("expected ").contains("|error| ").contains("× the tolerance");
    }

    @Test
    void aFailedQuantisationShowsItsRealWorstErrorAndWhereInTheTable() {
        // Truncated 8-bit levels are at most one level off the reference, within the tolerance of 1, but about
        // half of them are: the case fails by the 1 % rule, and its row must still show the real worst error.
        EngineExecutionResults r = runKit(new ReferenceBackend(Set.of(Mistake.OUTPUT_TRUNCATED_TO_8_BITS),
                ReferenceBackend.FULL));
        Event quantised = r.testEvents().failed().stream().filter(e -> group(e).equals("Quantisation")).findFirst()
                .orElseThrow();
        assertThat(message(quantised)).startsWith("quantised · uint8 (StyleTransfer.stylize): ")
                .contains("values differ from the reference levels");
        String line = tableLine("Quantisation");
        System.out.println("Quantisation row of a failed run: " + line);
        assertThat(line).matches("  Quantisation +1 +1  1\\.00 +1\\.00 +quantised · uint8 \\(StyleTransfer\\.stylize\\)");
    }

    @Test
    void aGroupThatFailsWithoutAValueSaysSoInTheTable() {
        KitReport report = new KitReport("test");
        KitReport.Group g = report.group("Adain");
        CaseCheck check = new CaseCheck(g, "adain_style_1x1");
        check.fail("adain (StyleModel.transfer)", "returned normally; expected an InvalidRequestException");
        assertThat(g.line()).contains("(no value)", "adain_style_1x1 · adain (StyleModel.transfer)")
                .doesNotContain("0.00");
        System.setProperty(BackendConformanceKit.VERBOSE_PROPERTY, "false"); // no "FAILED" line in the build log
        try {
            new CaseCheck(g, "adain_6ch").scalar("output", 1.5, 1.0, 1e-5);
        } finally {
            System.clearProperty(BackendConformanceKit.VERBOSE_PROPERTY);
        }
        assertThat(g.line()).contains("0.500", "1.00e-05", "adain_6ch · output; failed without a value: "
                + "adain_style_1x1 · adain (StyleModel.transfer)");
    }

    @Test
    void theKitFailsWhenNoCaseRan() {
        // A filter that leaves the @Nested groups out, as Surefire's -Dtest=MyKit#testRunsOnTheJUnitPlatform does.
        EngineExecutionResults r = runKit(ReferenceBackend.correct(), selectMethod(MistakeKit.class, GUARD));
        assertThat(r.testEvents().succeeded().count()).as("the guard test").isOne();
        Event kit = r.containerEvents().failed().stream().findFirst().orElseThrow();
        assertThat(kit.getTestDescriptor().getDisplayName()).isEqualTo("MistakeKit");
        assertThat(message(kit)).contains("no reference case ran for backend java-reference")
                .contains("-Dtest=MistakeKit#testRunsOnTheJUnitPlatform");
    }

    /** Not public: old test runners would not find it. Only run here, through the JUnit Platform. */
    static class HiddenKit extends BackendConformanceKit {
        @Override
        protected BackendProvider provider() {
            return ReferenceBackend.correct();
        }
    }

    @Test
    void aSubclassOldRunnersCannotFindFailsTheGuard() {
        EngineExecutionResults r = EngineTestKit.engine("junit-jupiter").selectors(selectMethod(HiddenKit.class,
                GUARD)).execute();
        Event guard = r.testEvents().failed().stream().findFirst().orElseThrow();
        assertThat(message(guard)).contains("declare " + HiddenKit.class.getName() + " public, with a public "
                + "no-argument constructor").contains("Surefire before 2.22.0");
    }

    @Test
    void outsideTheJUnitPlatformTheGuardNamesTheSurefireTheKitNeeds() throws InterruptedException {
        // As an old runner calls it: a plain method call on a thread with no JUnit Platform on its stack.
        MistakeKit kit = new MistakeKit();
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread runner = new Thread(() -> {
            try {
                kit.testRunsOnTheJUnitPlatform();
            } catch (Throwable t) {
                thrown.set(t);
            }
        }, "plain-runner");
        runner.start();
        runner.join(30_000);
        assertThat(thrown.get()).isInstanceOf(AssertionError.class)
                .hasMessageContaining("MistakeKit runs under a test runner that does not run JUnit 5 tests")
                .hasMessageContaining(BackendConformanceKit.SUREFIRE_NEEDED)
                .hasMessageContaining("<version>3.5.2</version>");
        // On the JUnit Platform (this test's thread) the same call passes.
        kit.testRunsOnTheJUnitPlatform();
    }

    @AfterAll
    static void printTable() {
        if (CAUGHT.isEmpty()) {
            return;
        }
        StringBuilder sb = new StringBuilder(
                "Classic mistakes caught by the conformance kit (failed cases per group)\n");
        sb.append(String.format(Locale.ROOT, "%-32s", "mistake"));
        for (String g : GROUPS) {
            sb.append(String.format(Locale.ROOT, " %-6.6s", g));
        }
        sb.append('\n');
        CAUGHT.forEach((m, byGroup) -> {
            sb.append(String.format(Locale.ROOT, "%-32s", m.label()));
            for (String g : GROUPS) {
                Integer n = byGroup.get(g);
                sb.append(String.format(Locale.ROOT, " %-6s", n == null ? "." : n.toString()));
            }
            sb.append('\n');
        });
        System.out.print(sb);
    }
}
