package org.adain.examples.cli;

import picocli.CommandLine.Option;

/** {@code --debug}, accepted by every command so it can go anywhere on the line. */
final class DebugOption {
    @Option(names = "--debug", description = "Show the log (adain's decisions at DEBUG, DL4J/ND4J at INFO) and, "
            + "on error, the stack trace.")
    boolean debug;
}
