package org.adain.video;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.FrameGrabber;
import org.bytedeco.javacv.Java2DFrameConverter;

/** A video file decoded by FFmpeg through JavaCV. */
final class FfmpegSource implements FrameSource {
    private final Path file;
    private final FFmpegFrameGrabber grabber;
    private final Java2DFrameConverter converter = new Java2DFrameConverter();
    private final long listedFrames;
    private long decoded;

    private FfmpegSource(Path file, FFmpegFrameGrabber grabber, long listedFrames) {
        this.file = file;
        this.grabber = grabber;
        this.listedFrames = listedFrames;
    }

    /**
     * Opens and probes a video, refusing before decoding any frame: an empty file, a file FFmpeg cannot read, one
     * without a video stream or with a codec it cannot decode, and frames over {@code maxPixels}.
     */
    static FfmpegSource open(Path file, long maxPixels) {
        FrameSource.requireReadable(file);
        try {
            if (Files.size(file) == 0) {
                throw new VideoException("Input " + file + " is empty (0 bytes)");
            }
        } catch (IOException e) {
            throw new VideoException("Cannot read the size of input " + file + ": " + e.getMessage(), e);
        }
        FFmpegFrameGrabber g = new FFmpegFrameGrabber(file.toFile());
        // the decoder refuses frames over the limit itself (AVCodecContext.max_pixels), whatever the header says
        g.setVideoOption("max_pixels", Long.toString(Math.min(Integer.MAX_VALUE, maxPixels)));
        try {
            g.start();
        } catch (FrameGrabber.Exception | RuntimeException e) {
            release(g);
            throw new VideoException("Input " + file + " is not a video FFmpeg can read (truncated, corrupt, or "
                    + "an unknown codec): " + e.getMessage(), e);
        }
        try {
            if (g.getVideoStream() < 0 || g.getImageWidth() <= 0 || g.getImageHeight() <= 0) {
                throw new VideoException("Input " + file + " has no video stream"
                        + (g.getFormat() == null ? "" : " (container " + g.getFormat() + ")"));
            }
            if (g.getVideoCodec() == org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_NONE) {
                throw new VideoException("Input " + file + " has a video stream in a codec FFmpeg cannot decode");
            }
            long pixels = (long) g.getImageWidth() * g.getImageHeight();
            if (pixels > maxPixels) {
                throw new VideoException("Input " + file + " has " + g.getImageWidth() + "×" + g.getImageHeight()
                        + " frames, over the limit of " + maxPixels + " pixels");
            }
            if (!(g.getFrameRate() > 0) || !Double.isFinite(g.getFrameRate())) {
                throw new VideoException("Input " + file + " does not state a frame rate (" + g.getFrameRate() + ")");
            }
            AVStream stream = g.getFormatContext().streams(g.getVideoStream());
            return new FfmpegSource(file, g, stream.nb_frames() > 0 ? stream.nb_frames() : -1);
        } catch (RuntimeException e) {
            release(g);
            throw e;
        }
    }

    private static void release(FFmpegFrameGrabber g) {
        try {
            g.release();
        } catch (FrameGrabber.Exception | RuntimeException ignored) {
            // the error being reported is the interesting one
        }
    }

    @Override
    public double frameRate() {
        return grabber.getFrameRate();
    }

    @Override
    public int width() {
        return grabber.getImageWidth();
    }

    @Override
    public int height() {
        return grabber.getImageHeight();
    }

    @Override
    public long frameCount() {
        return listedFrames;
    }

    @Override
    public boolean hasAudio() {
        return grabber.getAudioStream() >= 0 && grabber.getAudioChannels() > 0;
    }

    @Override
    public BufferedImage next() {
        Frame f;
        try {
            f = grabber.grabImage();
        } catch (FrameGrabber.Exception | RuntimeException e) {
            throw new VideoException("Input " + file + " is corrupt: decoding frame " + decoded + " failed: "
                    + e.getMessage(), e);
        }
        if (f == null || f.image == null) {
            if (listedFrames > 0 && decoded < listedFrames) {
                throw new VideoException("Input " + file + " ends after " + decoded + " of the " + listedFrames
                        + " frames its container lists: it is truncated or corrupt");
            }
            if (decoded == 0) {
                throw new VideoException("Input " + file + " has no decodable frame");
            }
            return null;
        }
        if (f.imageWidth != width() || f.imageHeight != height()) {
            throw new VideoException("Input " + file + " changes frame size at frame " + decoded + " ("
                    + f.imageWidth + "×" + f.imageHeight + ", was " + width() + "×" + height() + ")");
        }
        decoded++;
        // the converter reuses its image: the pipeline keeps frames in queues, so each gets its own copy
        return Java2DFrameConverter.cloneBufferedImage(converter.getBufferedImage(f));
    }

    @Override
    public void close() {
        release(grabber);
        converter.close();
    }
}
