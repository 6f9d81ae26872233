package org.adain.onnxruntime;

/**
 * The logger of the onnxruntime backend: its decisions (device, threads, a CUDA fallback) go to
 * {@link System.Logger} under the name {@value #NAME}, next to adain-api's "org.adain".
 */
final class OrtLog {
    /** The logger name of this module. */
    static final String NAME = "org.adain.onnxruntime";

    static final System.Logger LOGGER = System.getLogger(NAME);

    private OrtLog() {
    }
}
