package org.adain.video;

/**
 * What {@link VideoStylizer#stylize} did, with the time of each stage. The stages run concurrently, so their
 * times may add up to more than {@code seconds}; decoding and encoding share the machine with stylising.
 *
 * <pre>{@code
 * VideoReport r = stylizer.stylize(in, out);
 * System.out.printf("%d frames at %.1f frames/s, %s%n", r.frames(), r.frames() / r.seconds(), r.output());
 * }</pre>
 *
 * @param frames         frames written
 * @param frameRate      frames per second of the input, kept in the output
 * @param width          output frame width
 * @param height         output frame height
 * @param output         what was written, e.g. "H.264 (libopenh264) in mp4, audio copied" or "120 PNG frames"
 * @param seconds        wall time of the whole run
 * @param decodeSeconds  time spent decoding and converting input frames
 * @param stylizeSeconds time spent stylising
 * @param encodeSeconds  time spent converting and encoding output frames (and copying the audio)
 * @param sceneCuts      scene cuts the stabiliser detected (0 without stabilisation)
 */
public record VideoReport(long frames, double frameRate, int width, int height, String output, double seconds,
        double decodeSeconds, double stylizeSeconds, double encodeSeconds, int sceneCuts) {
}
