/**
 * For backend authors: implement {@link org.adain.spi.BackendProvider} and {@link org.adain.spi.StyleModel}
 * (and, for a new weight format, {@link org.adain.spi.WeightsReader}), register them under
 * {@code META-INF/services/}, and run the conformance tests of {@code adain-testkit}. The API does all pre- and
 * post-processing; a backend receives validated {@link org.adain.spi.EncoderWeights} /
 * {@link org.adain.spi.DecoderWeights} and computes encoder, AdaIN ({@link org.adain.spi.TransferPlan}) and
 * decoder on {@link org.adain.spi.Tensor}s and its own {@link org.adain.spi.FeatureMap}s.
 *
 * <p>A backend runs float32 unless it implements a reduced {@link org.adain.Precision}: then it overrides
 * {@link org.adain.spi.BackendProvider#load(org.adain.spi.EncoderWeights, org.adain.spi.DecoderWeights,
 * org.adain.Precision)} and {@link org.adain.spi.StyleModel#precision()}, and runs the conformance kit's
 * reduced-precision mode with the tolerances it states (the float32 tolerances are never loosened).
 */
package org.adain.spi;
