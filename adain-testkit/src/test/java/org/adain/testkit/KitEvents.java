package org.adain.testkit;

import java.util.Map;
import java.util.TreeMap;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.UniqueId;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.Event;

/** Reading the events of a kit run through JUnit's {@code EngineTestKit}: which group, which case, which message. */
final class KitEvents {
    private KitEvents() {
    }

    /** The failure message of a failed or aborted event. */
    static String message(Event e) {
        return e.getPayload(TestExecutionResult.class).orElseThrow().getThrowable().orElseThrow().getMessage();
    }

    /** The kit group (the @Nested class) a test or container belongs to. */
    static String group(Event e) {
        UniqueId id = e.getTestDescriptor().getUniqueId();
        return id.getSegments().stream().filter(s -> s.getType().equals("nested-class"))
                .map(UniqueId.Segment::getValue).findFirst().orElse("(kit)");
    }

    /** Whether an event is one reference case (a dynamic test of a group's factory). */
    static boolean isCase(Event e) {
        return e.getTestDescriptor().getUniqueId().getLastSegment().getType().equals("dynamic-test");
    }

    /** Failed reference cases per group. */
    static Map<String, Integer> casesFailedByGroup(EngineExecutionResults r) {
        Map<String, Integer> byGroup = new TreeMap<>();
        r.testEvents().failed().stream().filter(KitEvents::isCase)
                .forEach(e -> byGroup.merge(group(e), 1, Integer::sum));
        return byGroup;
    }
}
