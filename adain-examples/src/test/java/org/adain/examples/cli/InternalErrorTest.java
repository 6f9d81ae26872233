package org.adain.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bugs (anything that is not an {@link org.adain.AdainException}) exit with 3 and one line that suggests
 * --debug; --debug adds the stack trace. The bugs come from {@link FaultyWeightsReader}, registered for the
 * tests only, selected with the test backend "faulty".
 */
class InternalErrorTest {
    @TempDir
    Path dir;

    CliRun runWithFault(String fault, String... extra) throws Exception {
        Path weights = Files.writeString(dir.resolve("fault.h5"), FaultyWeightsReader.MAGIC + fault);
        Path content = Fixtures.content(dir);
        Path style = Fixtures.style(dir, 0);
        List<String> args = new ArrayList<>(List.of("stylize", "--backend", "faulty",
                "--encoder", weights.toString(), "--decoder", weights.toString(), "--content", content.toString(),
                "--style", style.toString(), "--output", dir.resolve("out.png").toString()));
        args.addAll(List.of(extra));
        return CliRun.of(args);
    }

    @Test
    void unexpectedExceptionExitsWith3AndSuggestsDebug() throws Exception {
        CliRun run = runWithFault("runtime");

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(3);
        assertThat(run.errorLine()).contains("internal error", "IllegalStateException", "simulated bug",
                "--debug");
        assertThat(run.errLines()).containsExactly("loading model ... failed", run.errorLine());
        assertThat(dir.resolve("out.png")).doesNotExist();
    }

    @Test
    void errorsBypassingPicocliAreReportedToo() throws Exception {
        CliRun run = runWithFault("error", "-q");

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(3);
        assertThat(run.errLines()).hasSize(1);
        assertThat(run.errorLine()).contains("UnsatisfiedLinkError", "simulated native failure", "--debug");
    }

    @Test
    void debugPrintsTheStackTrace() throws Exception {
        CliRun run = runWithFault("runtime", "--debug");

        assertThat(run.exitCode()).isEqualTo(3);
        assertThat(run.err()).contains("adain: error: internal error", "\tat ", FaultyWeightsReader.class.getName());
        assertThat(run.err()).doesNotContain("run again with --debug");
    }

    @Test
    void debugPrintsTheStackTraceOfInputErrorsToo() {
        CliRun run = CliRun.of("stylize", "--debug", "--encoder", "e.h5", "--decoder", "d.h5", "--content",
                dir.resolve("missing.png").toString(), "--style", Fixtures.style(dir, 0).toString(), "--output",
                dir.resolve("out.png").toString());

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("adain: error: ", "missing.png", "\tat ", "ImageException");
    }
}
