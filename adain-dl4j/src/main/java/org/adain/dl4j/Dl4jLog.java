package org.adain.dl4j;

/**
 * The logger of the dl4j backend: its decisions (the native library ND4J loaded, the buffer reuse each model or
 * training session gets) go to {@link System.Logger} under the name {@value #NAME}, next to adain-api's
 * "org.adain". One-off decisions at load are {@code INFO}.
 */
final class Dl4jLog {
    /** The logger name of this module. */
    static final String NAME = "org.adain.dl4j";

    static final System.Logger LOGGER = System.getLogger(NAME);

    private Dl4jLog() {
    }
}
