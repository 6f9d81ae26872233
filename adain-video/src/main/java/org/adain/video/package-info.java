/**
 * Video style transfer: {@link org.adain.video.VideoStylizer} reads a video (FFmpeg through JavaCV) or a frame
 * directory, stylises every frame with styles encoded once, optionally stabilised over time
 * ({@link org.adain.video.Stabilization}), and writes a video with the input's audio, frame rate and frame count, or
 * a frame directory. {@link org.adain.video.FlickerMetric} measures the flicker.
 */
package org.adain.video;
