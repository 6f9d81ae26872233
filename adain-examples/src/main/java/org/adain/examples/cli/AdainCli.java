package org.adain.examples.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.Writer;
import java.util.Arrays;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.adain.AdainException;
import org.adain.BackendException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;

/**
 * The {@code adain} command-line tool: arbitrary style transfer from the shell.
 *
 * <pre>{@code
 * java -jar adain.jar models fetch     # once: the authors' pretrained models into ~/.cache/adain/models
 * java -jar adain.jar stylize --content photo.jpg --style starry_night.jpg --output photo_starry.png
 * java -jar adain.jar stylize --encoder vgg_normalised.h5 --decoder decoder.h5 \
 *     --content photo.jpg --style starry_night.jpg --output photo_starry.png
 * java -jar adain.jar env          # what the JVM sees: backends, native libraries, memory
 * }</pre>
 *
 * Errors end the run with one line on stderr, {@code adain: error: <message>}, and an exit code:
 * {@value #EXIT_INPUT} for bad inputs (images, weights, masks, parameters the library rejects),
 * {@value #EXIT_USAGE} for bad command lines, {@value #EXIT_INTERNAL} for bugs; {@code adain batch} ends with
 * {@value #EXIT_SOME_FAILED} when some images failed and the others were done. {@code --debug} adds the
 * stack trace and the log (adain's decisions, DL4J/ND4J's messages), which is off otherwise. For tests and
 * embedding, {@link #run(String[], PrintStream, PrintStream)} does everything {@link #main} does except exiting
 * the JVM and setting up logging.
 */
@Command(name = "adain",
        mixinStandardHelpOptions = true,
        versionProvider = AdainCli.Version.class,
        synopsisSubcommandLabel = "COMMAND",
        description = "Arbitrary style transfer in one forward pass with Adaptive Instance Normalization "
                + "(Huang and Belongie, ICCV 2017).",
        subcommands = {StylizeCommand.class, BatchCommand.class, VideoCommand.class, ModelsCommand.class,
                TrainCommand.class, ConvertCommand.class, EnvCommand.class,
                HelpCommand.class},
        // Footer lines are printed as they are: at most 80 characters each (UsageTest checks).
        footer = {"",
                "Exit codes: 0 success, 1 bad input (image, weights, mask) or failed",
                "download, 2 bad command line, 3 internal error, 4 'adain batch' finished",
                "but some images failed (see its failures.csv), 130/143 training stopped by",
                "Ctrl-C/SIGTERM (after a checkpoint).",
                "Run 'adain COMMAND --help' for a command's options."})
public final class AdainCli implements Callable<Integer> {
    /** The run succeeded. */
    public static final int EXIT_OK = 0;
    /** An input was unusable: a file missing or corrupt, weights of the wrong shape, a bad mask... */
    public static final int EXIT_INPUT = 1;
    /** The command line was wrong: unknown or missing options, values out of range. */
    public static final int EXIT_USAGE = 2;
    /** Anything unexpected: a bug in adain or its backend. */
    public static final int EXIT_INTERNAL = 3;
    /** {@code adain batch} did every content it could, but some failed; they are listed in its failures.csv. */
    public static final int EXIT_SOME_FAILED = 4;

    @Spec
    CommandSpec spec;

    @Mixin
    DebugOption debug;

    /**
     * Runs the tool and exits the JVM with its exit code. Logging is off unless {@code --debug} is given
     * ({@link CliLogging}).
     *
     * @param args the command line
     */
    public static void main(String[] args) {
        // Before the first logger exists, which is why it is not done by the option itself.
        CliLogging.configure(Arrays.asList(args).contains("--debug"));
        System.exit(run(args, System.out, System.err));
    }

    /**
     * The command model every parse uses. picocli's {@code @file} expansion is off: it read any file named after an
     * {@code @} as more arguments before any check, so {@code adain stylize @/dev/zero} never returned and
     * {@code adain @/} ended in a stack trace (found by {@code CliParserFuzzTest}); {@code @x} is now an ordinary
     * argument.
     */
    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new AdainCli());
        cl.setExpandAtFiles(false);
        return cl;
    }

    /**
     * Runs the tool in-process: parses {@code args}, does the work, writes results and progress to
     * {@code out} / {@code err}, and returns the exit code. Never throws, never exits.
     */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        PrintWriter outWriter = writerFor(out);
        PrintWriter errWriter = writerFor(err);
        CommandLine cl = commandLine();
        cl.setOut(outWriter);
        cl.setErr(errWriter);
        cl.setParameterExceptionHandler(AdainCli::usageError);
        cl.setExecutionExceptionHandler((ex, cmd, parseResult) ->
                failure(ex, debugRequested(parseResult), cmd.getErr()));
        try {
            return cl.execute(args);
        } catch (Throwable t) {
            // Errors (OutOfMemoryError, UnsatisfiedLinkError from a native library...) bypass picocli's handler.
            return failure(t, debugRequested(cl.getParseResult()), errWriter);
        } finally {
            outWriter.flush();
            errWriter.flush();
        }
    }

    /** Without a command there is nothing to do: say so as a usage error. */
    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "Missing command: use 'stylize', 'batch', 'video', 'models', "
                + "'train', 'convert' or 'env'");
    }

    private static int usageError(ParameterException ex, String[] args) {
        CommandLine cmd = ex.getCommandLine();
        PrintWriter err = cmd.getErr();
        // No stack trace even with --debug: the message says all there is about a command line.
        err.println("adain: error: " + oneLine(ex.getMessage()) + " (see '"
                + cmd.getCommandSpec().qualifiedName() + " --help')");
        err.flush();
        return EXIT_USAGE;
    }

    private static int failure(Throwable t, boolean debug, PrintWriter err) {
        int code;
        if (t instanceof AdainException && !unexpected(t)) {
            err.println("adain: error: " + oneLine(t.getMessage()));
            code = EXIT_INPUT;
        } else if (t instanceof AdainException) {
            err.println("adain: error: internal error: " + oneLine(t.getMessage())
                    + (debug ? "" : " (run again with --debug for the stack trace)"));
            code = EXIT_INTERNAL;
        } else {
            String message = t.getMessage() == null ? "" : ": " + oneLine(t.getMessage());
            err.println("adain: error: internal error " + t.getClass().getName() + message
                    + (debug ? "" : " (run again with --debug for the stack trace)"));
            code = EXIT_INTERNAL;
        }
        if (debug) {
            t.printStackTrace(err);
        }
        err.flush();
        return code;
    }

    /**
     * Whether an AdainException reports a bug rather than a bad input: the API's {@link BackendException} around an
     * unchecked exception that a backend or weight reader did not expect (see {@link BackendException}).
     */
    static boolean unexpected(Throwable t) {
        return t instanceof BackendException && t.getCause() instanceof RuntimeException cause
                && !(cause instanceof AdainException);
    }

    /** Whether --debug was given to the top command or any subcommand. */
    private static boolean debugRequested(ParseResult pr) {
        for (ParseResult p = pr; p != null; p = p.subcommand()) {
            if (p.hasMatchedOption("--debug")) {
                return true;
            }
        }
        return false;
    }

    /** Messages from native libraries can span lines; the error report must stay one line. */
    static String oneLine(String message) {
        if (message == null || message.isBlank()) {
            return "(no message)";
        }
        return message.strip().replaceAll("\\s*\\R\\s*", "; ");
    }

    /** Characters go through the stream's own encoding, so "×" and "≥" print as the stream expects. */
    private static PrintWriter writerFor(PrintStream stream) {
        return new PrintWriter(new Writer() {
            @Override
            public void write(char[] buf, int off, int len) {
                stream.print(new String(buf, off, len));
            }

            @Override
            public void flush() {
                stream.flush();
            }

            @Override
            public void close() {
                stream.flush();
            }
        }, true);
    }

    /** --version: the project version (filtered into a resource at build time) and the Java runtime. */
    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"adain " + version(),
                    "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + "), "
                            + System.getProperty("os.name") + " " + System.getProperty("os.arch")};
        }

        static String version() {
            try (InputStream in = AdainCli.class.getResourceAsStream("version.properties")) {
                if (in != null) {
                    Properties p = new Properties();
                    p.load(in);
                    String v = p.getProperty("version");
                    if (v != null && !v.startsWith("${")) {
                        return v;
                    }
                }
            } catch (IOException ignored) {
                // fall through: an unknown version is not worth failing --version for
            }
            return "(unknown version)";
        }
    }
}
