/**
 * Internal, not API: decoder training on ND4J, the session that {@code Dl4jBackendProvider.train} returns as an
 * {@link org.adain.spi.DecoderTraining}: the forward pass, a hand-written backward pass through the frozen encoder
 * and the decoder, and PyTorch's Adam. Use it through {@code org.adain.train.DecoderTrainer}; may change in any
 * release.
 */
package org.adain.dl4j.train;
