package org.adain.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.UniqueId;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;

/**
 * The kit tests itself: run through the JUnit Platform against the reference backend with one classic mistake
 * switched on, it must fail at least one case. Prints which groups caught which mistake.
 */
class KitCatchesClassicMistakesTest {
    /** The groups in kit order. */
    private static final List<String> GROUPS = List.of("Statistics", "Adain", "Encoder", "Decoder", "Transfer",
            "Interpolation", "ColourPreservation", "SpatialControl", "Quantisation", "Losses", "Gradients", "Adam");

    /** mistake → group → cases failed. */
    private static final Map<Mistake, Map<String, Integer>> CAUGHT = new EnumMap<>(Mistake.class);

    private static EngineExecutionResults runKit(ReferenceBackend backend) {
        MistakeKit.backend = backend;
        System.setProperty(BackendConformanceKit.VERBOSE_PROPERTY, "false");
        try {
            return EngineTestKit.engine("junit-jupiter").selectors(selectClass(MistakeKit.class)).execute();
        } finally {
            MistakeKit.backend = ReferenceBackend.correct();
            System.clearProperty(BackendConformanceKit.VERBOSE_PROPERTY);
        }
    }

    /** The kit group (the @Nested class) a test or container belongs to. */
    private static String group(Event e) {
        UniqueId id = e.getTestDescriptor().getUniqueId();
        return id.getSegments().stream().filter(s -> s.getType().equals("nested-class"))
                .map(UniqueId.Segment::getValue).findFirst().orElse("(kit)");
    }

    /** Whether an event is one reference case (a dynamic test of a group's factory). */
    private static boolean isCase(Event e) {
        return e.getTestDescriptor().getUniqueId().getLastSegment().getType().equals("dynamic-test");
    }

    /** Failed reference cases per group. */
    private static Map<String, Integer> casesFailedByGroup(EngineExecutionResults r) {
        Map<String, Integer> byGroup = new TreeMap<>();
        r.testEvents().failed().stream().filter(KitCatchesClassicMistakesTest::isCase)
                .forEach(e -> byGroup.merge(group(e), 1, Integer::sum));
        return byGroup;
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
        EngineExecutionResults r = runKit(new ReferenceBackend(Set.of(mistake), true));
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
        assertThat(cases.keySet()).containsExactlyInAnyOrderElementsOf(GROUPS);
    }

    @Test
    void aBackendWithoutTrainingSkipsOnlyTheTrainingGroupsAndSaysWhy() {
        EngineExecutionResults r = runKit(new ReferenceBackend(Set.of(), false));
        assertThat(failuresByGroup(r)).isEmpty();
        List<String> skipped = new ArrayList<>();
        r.allEvents().aborted().stream().forEach(e -> {
            skipped.add(group(e));
            assertThat(isCase(e)).as("a single case was skipped: %s", e.getTestDescriptor().getDisplayName())
                    .isFalse();
            TestExecutionResult result = e.getPayload(TestExecutionResult.class).orElseThrow();
            assertThat(result.getThrowable().orElseThrow().getMessage())
                    .contains("does not declare Capability.TRAINING").contains("skipped");
        });
        assertThat(skipped).as("groups skipped").isNotEmpty().containsOnly("Gradients", "Adam")
                .contains("Gradients", "Adam");
        assertThat(r.testEvents().skipped().count()).as("disabled tests").isZero();
        assertThat(r.testEvents().succeeded().stream().filter(e -> group(e).equals("Losses")).count())
                .as("the forward-only loss group runs").isPositive();
    }

    @Test
    void aFailureNamesTheCaseTheIndexTheValuesAndTheTolerance() {
        EngineExecutionResults r = runKit(new ReferenceBackend(Set.of(Mistake.BILINEAR_UPSAMPLING), true));
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
