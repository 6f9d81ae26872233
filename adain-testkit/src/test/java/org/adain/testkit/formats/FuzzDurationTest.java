package org.adain.testkit.formats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.File;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The libFuzzer arguments {@link FuzzDuration} gives Jazzer: the time limit and the findings under target/. */
class FuzzDurationTest {
    private static final String[] KEYS = {FuzzDuration.PROPERTY, "jazzer.internal.arg.0", "jazzer.internal.arg.1",
        "jazzer.internal.arg.2"};

    private final Map<String, String> saved = new HashMap<>();

    @BeforeEach
    void save() {
        for (String k : KEYS) {
            saved.put(k, System.getProperty(k));
            System.clearProperty(k);
        }
    }

    @AfterEach
    void restore() {
        saved.forEach((k, v) -> {
            if (v == null) {
                System.clearProperty(k);
            } else {
                System.setProperty(k, v);
            }
        });
    }

    @Test
    void setsTheTimeLimitAndSendsFindingsUnderTarget() {
        System.setProperty(FuzzDuration.PROPERTY, "2.5");
        FuzzDuration.apply();
        String prefix = FuzzDuration.FINDINGS.toAbsolutePath() + File.separator;
        assertThat(System.getProperty("jazzer.internal.arg.0")).isEqualTo("jazzer");
        assertThat(System.getProperty("jazzer.internal.arg.1")).isEqualTo("-max_total_time=150");
        assertThat(System.getProperty("jazzer.internal.arg.2")).isEqualTo("-artifact_prefix=" + prefix);
        assertThat(FuzzDuration.FINDINGS).isDirectory().isEqualTo(FuzzFindings.DIRECTORY);
        assertThat(prefix).contains("target" + File.separator + "fuzz-findings" + File.separator);
    }

    @Test
    void withoutMinutesOnlyTheFindingsDirectoryIsSet() {
        FuzzDuration.apply();
        assertThat(System.getProperty("jazzer.internal.arg.1")).startsWith("-artifact_prefix=")
                .endsWith("fuzz-findings" + File.separator);
        assertThat(System.getProperty("jazzer.internal.arg.2")).isNull();
    }

    @Test
    void refusesMinutesThatAreNotAPositiveNumber() {
        System.setProperty(FuzzDuration.PROPERTY, "0");
        assertThatThrownBy(FuzzDuration::apply).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("fuzz.minutes must be positive, was 0");
        System.setProperty(FuzzDuration.PROPERTY, "ten");
        assertThatThrownBy(FuzzDuration::apply).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("fuzz.minutes must be a number of minutes, was 'ten'");
    }
}
