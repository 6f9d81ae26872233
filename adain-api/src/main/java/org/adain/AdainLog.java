package org.adain;

/**
 * The logger of adain-api: the decisions the library takes (which backend and why, what a {@link StyleTransfer}
 * loaded, when a request is tiled) go to {@link System.Logger} under the name {@value #NAME}, so no logging
 * dependency is needed; without a {@link System.LoggerFinder} of the application's, the JDK sends them to
 * {@code java.util.logging}. One-off decisions at load are {@code INFO}, per-request ones {@code DEBUG}.
 */
final class AdainLog {
    /** The logger name of this module; backends log under names of their own (e.g. "org.adain.dl4j"). */
    static final String NAME = "org.adain";

    static final System.Logger LOGGER = System.getLogger(NAME);

    private AdainLog() {
    }
}
