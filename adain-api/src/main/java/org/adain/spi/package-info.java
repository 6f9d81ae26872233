/**
 * For backend authors: implement {@link org.adain.spi.BackendProvider} and {@link org.adain.spi.StyleModel}
 * (and, for a new weight format, {@link org.adain.spi.WeightsReader}), register them under
 * {@code META-INF/services/}, and run the conformance tests of {@code adain-testkit}. The API does all pre- and
 * post-processing; a backend receives validated {@link org.adain.spi.EncoderWeights} /
 * {@link org.adain.spi.DecoderWeights} and computes encoder, AdaIN ({@link org.adain.spi.TransferPlan}) and
 * decoder on {@link org.adain.spi.Tensor}s and its own {@link org.adain.spi.FeatureMap}s.
 */
package org.adain.spi;
