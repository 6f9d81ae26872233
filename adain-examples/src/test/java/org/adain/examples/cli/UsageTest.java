package org.adain.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Help, version, env, and command lines picocli rejects (exit 2, one line). */
class UsageTest {
    @Test
    void helpListsTheCommands() {
        CliRun run = CliRun.of("--help");
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("Usage: adain", "stylize", "models", "env", "Exit codes");
        assertThat(run.err()).isEmpty();
    }

    /**
     * {@code @name} is an ordinary argument, never a file of more arguments: picocli's expansion read
     * {@code /dev/zero} without end and turned {@code @/} into a stack trace (a CliParserFuzzTest finding). The
     * timeout only stops a regression from hanging the build.
     */
    @Test
    void atArgumentsAreNotReadAsArgumentFiles() {
        CliRun endless = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(60),
                () -> CliRun.of("stylize", "@/dev/zero"));
        assertThat(endless.exitCode()).isEqualTo(2);
        assertThat(endless.err()).startsWith("adain: error:").doesNotContain("Exception");
        CliRun directory = CliRun.of("@/");
        assertThat(directory.exitCode()).isEqualTo(2);
        assertThat(directory.err()).contains("@/").doesNotContain("Exception", "\tat ");
    }

    @Test
    void stylizeHelpDocumentsEveryOptionAndTheOutputNaming() {
        CliRun run = CliRun.of("stylize", "--help");
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("--encoder", "--decoder", "--content", "--style", "--style-weights",
                "--alpha", "--preserve-color", "--mask", "--content-size", "--style-size", "--crop", "--output",
                "--backend", "--max-pixels", "--max-decode-pixels", "--tiling-threshold", "--tile-size", "--debug", "Default: 512",
                "Default: 1.", "Default: 1048576 (1024×1024)", "'off'", "Default: 768.",
                "OUT/<content-basename>_stylized.<ext>", "else png", "Directories:", "in name order",
                "OUT/<content-basename>_stylized_<style-basename>.<ext>", "style by style");
    }

    /**
     * Every command's help, as users get it, fits 80 columns: no line is longer, the wrapping breaks no word (the
     * words are those of the same help laid out 1000 columns wide, where nothing wraps), and the footers, laid out
     * by hand, are printed line for line (picocli would wrap a longer footer line without indenting it).
     */
    @Test
    void everyCommandsHelpWrapsCleanlyAt80Columns() {
        CommandLine wide = new CommandLine(new AdainCli());
        wide.setUsageHelpWidth(1000);
        List<CommandLine> commands = new ArrayList<>();
        commands.add(wide);
        commands.addAll(wide.getSubcommands().values());
        assertThat(commands).extracting(CommandLine::getCommandName)
                .contains("adain", "stylize", "train", "convert", "env", "help");
        for (CommandLine command : commands) {
            List<String> args = new ArrayList<>();
            if (command != wide) {
                args.add(command.getCommandName());
            }
            args.add("--help");
            CliRun run = CliRun.of(args);
            String name = command.getCommandSpec().qualifiedName();
            assertThat(run.exitCode()).as(name).isZero();
            List<String> lines = run.out().lines().toList();
            assertThat(lines).as("lines of '%s --help' longer than 80 columns", name)
                    .filteredOn(l -> l.length() > 80).isEmpty();
            assertThat(words(run.out())).as("words of '%s --help' (a difference is a word broken by wrapping)", name)
                    .containsExactlyElementsOf(words(command.getUsageMessage()));
            String[] footer = command.getCommandSpec().usageMessage().footer();
            if (footer.length > 0) {
                assertThat(lines).as("footer of '%s --help', line for line", name).containsSubsequence(footer);
            }
        }
    }

    private static List<String> words(String text) {
        return Arrays.stream(text.strip().split("\\s+")).toList();
    }

    @Test
    void helpCommand() {
        CliRun run = CliRun.of("help", "stylize");
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("Usage: adain stylize");
    }

    @Test
    void version() {
        CliRun run = CliRun.of("--version");
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).startsWith("adain 0.").contains("Java ");
        assertThat(run.out()).doesNotContain("${", "unknown");
    }

    @Test
    void envPrintsTheDebugEnvironment() {
        CliRun run = CliRun.of("env");
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.out()).contains("adain environment", "java:", "backend");
    }

    @Test
    void noCommand() {
        CliRun run = CliRun.of();
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.errLines()).hasSize(1);
        assertThat(run.errorLine()).contains("Missing command", "adain --help");
    }

    @Test
    void unknownCommand() {
        CliRun run = CliRun.of("paint");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.errLines()).hasSize(1);
        assertThat(run.errorLine()).contains("paint");
    }

    @Test
    void unknownOption() {
        CliRun run = CliRun.of("stylize", "--colour", "--encoder", "e", "--decoder", "d", "--content", "c",
                "--style", "s", "--output", "o.png");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.errLines()).hasSize(1);
        assertThat(run.errorLine()).contains("--colour", "adain stylize --help");
    }

    @Test
    void missingRequiredOptions() {
        CliRun run = CliRun.of("stylize", "--content", "c.png");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.errLines()).hasSize(1);
        // --encoder/--decoder are optional: without them stylize uses the fetched models.
        assertThat(run.errorLine()).contains("--style", "--output").doesNotContain("--encoder");
    }

    @Test
    void alphaThatIsNotANumber() {
        CliRun run = CliRun.of("stylize", "--alpha", "lots", "--encoder", "e", "--decoder", "d", "--content", "c",
                "--style", "s", "--output", "o.png");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.errorLine()).contains("--alpha", "lots");
    }

    @Test
    void debugAnywhereStillGivesOneLineForUsageErrors() {
        for (String[] args : new String[][] {{"--debug", "stylize", "--alpha", "x"},
                {"stylize", "--alpha", "x", "--debug"}}) {
            CliRun run = CliRun.of(args);
            assertThat(run.exitCode()).isEqualTo(2);
            assertThat(run.errLines()).hasSize(1);
            assertThat(run.errorLine()).contains("--alpha");
        }
    }

    @Test
    void oneLineJoinsMultiLineMessages() {
        assertThat(AdainCli.oneLine("first\n  second\r\nthird  ")).isEqualTo("first; second; third");
        assertThat(AdainCli.oneLine(null)).isEqualTo("(no message)");
    }
}
