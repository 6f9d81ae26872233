/**
 * Weight-file formats every backend can use: readers for the published AdaIN models, a Keras HDF5 writer and
 * format conversion.
 *
 * <ul>
 *   <li>{@link org.adain.format.PyTorchWeightsReader}: PyTorch state dicts ({@code .pth}) in the key layout of the
 *   PyTorch port, zip and legacy containers, float32/float16/float64, with a restricted unpickler that runs
 *   nothing from the file;</li>
 *   <li>{@link org.adain.format.Torch7WeightsReader}: the authors' Torch7 models ({@code .t7});</li>
 *   <li>{@link org.adain.format.KerasWeightsReader}: Keras HDF5 ({@code .h5}) full models and weights-only files,
 *   through a bounded HDF5 reader of its own (no native HDF5);</li>
 *   <li>{@link org.adain.format.KerasHdf5WeightsWriter}: Keras HDF5 ({@code .h5}) files of any encoder or
 *   decoder, written in plain Java (no native HDF5) and byte-for-byte reproducible;</li>
 *   <li>{@link org.adain.format.WeightConversion}: any readable format to any format a
 *   {@link org.adain.spi.WeightsWriter} on the class path writes.</li>
 * </ul>
 * The readers and the writer are registered with {@link java.util.ServiceLoader}, so
 * {@code StyleTransfer.builder().encoder(Path.of("vgg_normalised.pth"))} just works; the format is told by the
 * file's first bytes, not its name. Text taken from a file reaches messages only through
 * {@link org.adain.format.SafeText}. See docs/FORMATS.md for the formats, variants and what is refused.
 */
package org.adain.format;
