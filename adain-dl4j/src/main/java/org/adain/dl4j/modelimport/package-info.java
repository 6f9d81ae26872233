/**
 * Internal, not API: the weight-file readers and writers this backend registers under
 * {@code META-INF/services} (Keras HDF5 through the native HDF5 library and DL4J's Keras import; DL4J's SameDiff
 * {@code .fb} decoder graphs). Use them through the API ({@code StyleTransfer.builder().encoder(path)},
 * {@code WeightFormats}, {@code adain convert}), which picks a reader by the file's content and a writer by the
 * target's extension; the formats are described in docs/FORMATS.md. The classes are public only for ServiceLoader
 * and DL4J's importer, and may change in any release.
 */
package org.adain.dl4j.modelimport;
