package org.adain.examples.cli;

import picocli.CommandLine.Option;

/** {@code --debug}, accepted by every command so it can go anywhere on the line. */
final class DebugOption {
    @Option(names = "--debug", description = "On error, also print the stack trace (and log at INFO).")
    boolean debug;
}
