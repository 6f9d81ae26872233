/**
 * The Deeplearning4j/ND4J backend of adain: {@link org.adain.dl4j.Dl4jBackendProvider}, registered for
 * {@link java.util.ServiceLoader}, is this module's only public API. Put {@code org.adain:adain-dl4j} on the class
 * path and {@code StyleTransfer} finds it; name it only to choose it over another backend.
 *
 * <pre>{@code
 * try (StyleTransfer st = StyleTransfer.builder().encoder(Path.of("vgg_normalised.h5"))
 *         .decoder(Path.of("decoder.h5")).backend(Dl4jBackendProvider.NAME).build()) {
 *     ...
 * }
 * }</pre>
 *
 * <p>The module also registers weight readers and writers (Keras HDF5 through the native HDF5 library, DL4J's
 * SameDiff {@code .fb} graphs) that the API finds by itself. The packages {@code org.adain.dl4j.graph},
 * {@code .ops}, {@code .modelimport} and {@code .train} are implementation: their types are public only so that
 * these packages, ServiceLoader and DL4J's importer can reach them, they are not in the published Javadoc, and
 * they may change in any release.
 */
package org.adain.dl4j;
