/**
 * Fixtures for tests of weight-file readers and model downloads, not needed to run the conformance kit:
 * {@link org.adain.testkit.formats.FormatFixtures} (the testkit's small model as PyTorch {@code .pth} and Torch7
 * {@code .t7} files in the published models' layouts, plus defective and malicious files a reader must refuse) and
 * {@link org.adain.testkit.formats.ModelServer} (an HTTP server on 127.0.0.1 that serves model files and can
 * misbehave on purpose). adain's own modules test their readers, converters and {@code ModelStore} with them; a new
 * {@link org.adain.spi.WeightsReader} can use them the same way.
 *
 * <pre>{@code
 * Path decoder = FormatFixtures.copyTo(FormatFixtures.LEGACY_DECODER, tempDir);
 * DecoderWeights d = new MyReader().readDecoder(decoder);
 * }</pre>
 */
package org.adain.testkit.formats;
