package org.adain.video;

import static org.bytedeco.ffmpeg.global.avcodec.avcodec_find_encoder_by_name;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.Map;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.FrameRecorder;
import org.bytedeco.javacv.Java2DFrameConverter;

/**
 * A video file encoded by FFmpeg through JavaCV: H.264 when the bundled FFmpeg has an H.264 encoder, else MPEG-4
 * Part 2 (see {@link #codec()}). The video goes to a temporary sibling of the output; with audio, a second pass
 * ({@link AudioRemux}) copies the input's audio packets beside it unchanged; then the file is renamed into place.
 */
final class FfmpegSink implements FrameSink {
    /** Output extensions and the FFmpeg muxer of each. */
    static final Map<String, String> CONTAINERS = Map.of("mp4", "mp4", "m4v", "mp4", "mov", "mov", "mkv", "matroska",
            "avi", "avi");

    private final Path output;
    private final Path audioSource;
    private final String format;
    private final Codec codec;
    private final Path videoTemp;
    private final Java2DFrameConverter converter = new Java2DFrameConverter();
    private final double frameRate;
    private FFmpegFrameRecorder recorder;
    private int width;
    private int height;
    private long written;

    /** An encoder of the bundled FFmpeg and why it was chosen. */
    record Codec(String encoder, String name, String reason) {
    }

    /**
     * The H.264 encoder if the bundled FFmpeg has one: bytedeco's FFmpeg is the LGPL build, without libx264, but
     * with Cisco's libopenh264 (BSD). Otherwise FFmpeg's own MPEG-4 Part 2 encoder, which every build has.
     */
    static Codec codec() {
        if (avcodec_find_encoder_by_name("libopenh264") != null) {
            return new Codec("libopenh264", "H.264", "libopenh264: this FFmpeg build (LGPL) has no libx264");
        }
        if (avcodec_find_encoder_by_name("libx264") != null) {
            return new Codec("libx264", "H.264", "libx264");
        }
        return new Codec("mpeg4", "MPEG-4 Part 2", "this FFmpeg build has no H.264 encoder (neither libopenh264 "
                + "nor libx264), so FFmpeg's own MPEG-4 Part 2 encoder is used");
    }

    static String extension(Path p) {
        String n = p.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot < 0 ? "" : n.substring(dot + 1).toLowerCase(Locale.ROOT);
    }

    FfmpegSink(Path output, double frameRate, Path audioSource) {
        this.output = output;
        this.frameRate = frameRate;
        this.audioSource = audioSource;
        this.format = CONTAINERS.get(extension(output));
        if (format == null) {
            throw new VideoException("Output " + output + ": unknown video extension; use one of "
                    + String.join(", ", new java.util.TreeSet<>(CONTAINERS.keySet()))
                    + ", or a name without extension for a directory of PNG frames");
        }
        this.codec = codec();
        Path parent = output.toAbsolutePath().getParent();
        try {
            Files.createDirectories(parent);
            videoTemp = Files.createTempFile(parent, "." + output.getFileName() + ".part-", "." + extension(output));
        } catch (IOException e) {
            throw new VideoException("Cannot create a file beside the output " + output + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void write(BufferedImage frame) {
        try {
            if (recorder == null) {
                start(frame.getWidth() & ~1, frame.getHeight() & ~1);
            }
            BufferedImage even = frame.getWidth() == width && frame.getHeight() == height ? frame
                    : frame.getSubimage(0, 0, width, height);
            recorder.record(converter.convert(bgr(even)), avutil.AV_PIX_FMT_BGR24);
            written++;
        } catch (FrameRecorder.Exception | RuntimeException e) {
            if (e instanceof VideoException v) {
                throw v;
            }
            throw new VideoException("Encoding frame " + written + " of " + output + " failed: " + e.getMessage(), e);
        }
    }

    /** Java2DFrameConverter's fast path and the pixel format given to record(): 3-byte BGR. */
    private static BufferedImage bgr(BufferedImage img) {
        if (img.getType() == BufferedImage.TYPE_3BYTE_BGR && img.getMinX() == 0 && img.getMinY() == 0
                && img.getRaster().getParent() == null) {
            return img;
        }
        BufferedImage out = new BufferedImage(img.getWidth(), img.getHeight(), BufferedImage.TYPE_3BYTE_BGR);
        out.createGraphics().drawImage(img, 0, 0, null);
        return out;
    }

    private void start(int w, int h) throws FrameRecorder.Exception {
        if (w < 2 || h < 2) {
            throw new VideoException("Output frames of " + w + "×" + h + " are too small to encode");
        }
        width = w;
        height = h;
        FFmpegFrameRecorder r = new FFmpegFrameRecorder(videoTemp.toFile(), w, h, 0);
        r.setFormat(format);
        r.setVideoCodecName(codec.encoder());
        r.setPixelFormat(avutil.AV_PIX_FMT_YUV420P);
        r.setFrameRate(frameRate);
        // ~0.3 bit per pixel: visually lossless for stylised content, which is busier than camera footage
        r.setVideoBitrate((int) Math.min(Integer.MAX_VALUE, Math.max(1_000_000L, (long) (w * (long) h * frameRate * 0.3))));
        r.setGopSize((int) Math.max(1, Math.round(frameRate * 2)));
        recorder = r;
        r.start();
    }

    @Override
    public void commit() {
        try {
            if (recorder == null) {
                throw new VideoException("No frame to write to " + output);
            }
            recorder.stop();
            recorder.release();
            recorder = null;
            Path finished = videoTemp;
            if (audioSource != null) {
                finished = Files.createTempFile(output.toAbsolutePath().getParent(), "." + output.getFileName()
                        + ".part-", "." + extension(output));
                try {
                    AudioRemux.remux(videoTemp, audioSource, finished, format, output);
                } catch (RuntimeException e) {
                    Files.deleteIfExists(finished);
                    throw e;
                }
                Files.deleteIfExists(videoTemp);
            }
            try {
                Files.move(finished, output, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(finished, output, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            abort();
            throw new VideoException("Finishing " + output + " failed: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            abort();
            throw e;
        }
    }

    @Override
    public void abort() {
        if (recorder != null) {
            try {
                recorder.release();
            } catch (FrameRecorder.Exception | RuntimeException ignored) {
                // the failure being reported matters more
            }
            recorder = null;
        }
        try {
            Files.deleteIfExists(videoTemp);
        } catch (IOException ignored) {
            // best effort: a leftover is a hidden .part file
        }
    }

    @Override
    public String description() {
        return codec.name() + " (" + codec.encoder() + ") in " + format + (audioSource != null ? ", audio copied" : "");
    }
}
