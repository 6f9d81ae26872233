/**
 * What users of adain touch: {@link org.adain.StyleTransfer} (built once, thread-safe, closed at the end),
 * {@link org.adain.StyleRequest} (one stylisation and its controls), {@link org.adain.StyleFeatures} (a cached
 * style), {@link org.adain.SpatialMask}, {@link org.adain.ImageTensor}, {@link org.adain.Images} and the
 * exceptions under {@link org.adain.AdainException}. Training a decoder is in {@code org.adain.train}; backends
 * implement {@code org.adain.spi}.
 *
 * <pre>{@code
 * try (StyleTransfer st = StyleTransfer.builder().encoder(enc).decoder(dec).build()) {
 *     BufferedImage out = st.stylize(StyleRequest.builder().content(photo).style(painting).alpha(0.8).build());
 * }
 * }</pre>
 */
package org.adain;
