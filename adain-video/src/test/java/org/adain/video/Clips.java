package org.adain.video;

import java.awt.image.BufferedImage;
import java.nio.ShortBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.Java2DFrameConverter;

/** Small test clips made with FFmpeg through JavaCV at test time, and a probe that reads them back. */
final class Clips {
    private Clips() {
    }

    /** A frame with a gradient and a square that moves {@code t} pixels right. */
    static BufferedImage frame(int w, int h, int t) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int r = (x * 255) / w;
                int g = (y * 255) / h;
                int b = (x >= 10 + t && x < 26 + t && y >= 10 && y < 26) ? 255 : 60;
                img.setRGB(x, y, (r << 16) | (g << 8) | b);
            }
        }
        return img;
    }

    /** Writes an MPEG-4 Part 2 video of {@code frames} frames, with a 440 Hz AAC tone if {@code audio}. */
    static void write(Path file, int w, int h, int frames, double fps, boolean audio) throws Exception {
        try (FFmpegFrameRecorder r = new FFmpegFrameRecorder(file.toFile(), w, h, audio ? 1 : 0);
             Java2DFrameConverter conv = new Java2DFrameConverter()) {
            r.setFormat(file.toString().endsWith(".avi") ? "avi" : "mp4");
            r.setVideoCodec(avcodec.AV_CODEC_ID_MPEG4);
            r.setPixelFormat(avutil.AV_PIX_FMT_YUV420P);
            r.setFrameRate(fps);
            r.setVideoQuality(2);
            if (audio) {
                r.setAudioCodec(avcodec.AV_CODEC_ID_AAC);
                r.setSampleRate(44100);
                r.setAudioBitrate(64000);
            }
            r.start();
            int samplesPerFrame = (int) Math.round(44100 / fps);
            long n = 0;
            for (int t = 0; t < frames; t++) {
                r.record(conv.convert(frame(w, h, t)), avutil.AV_PIX_FMT_BGR24);
                if (audio) {
                    short[] s = new short[samplesPerFrame];
                    for (int i = 0; i < s.length; i++, n++) {
                        s[i] = (short) (8000 * Math.sin(2 * Math.PI * 440 * n / 44100.0));
                    }
                    r.recordSamples(44100, 1, ShortBuffer.wrap(s));
                }
            }
            r.stop();
        }
    }

    /** What a reader sees in a video. */
    record Probe(int frames, double fps, int width, int height, boolean audio, String codec, double seconds) {
    }

    static Probe probe(Path file) throws Exception {
        try (FFmpegFrameGrabber g = new FFmpegFrameGrabber(file.toFile())) {
            g.start();
            int n = 0;
            while (g.grabImage() != null) {
                n++;
            }
            return new Probe(n, g.getFrameRate(), g.getImageWidth(), g.getImageHeight(),
                    g.getAudioStream() >= 0 && g.getAudioChannels() > 0,
                    avcodec.avcodec_get_name(g.getVideoCodec()).getString(),
                    g.getFormatContext().duration() / 1e6);
        }
    }

    static List<BufferedImage> frames(Path file) throws Exception {
        List<BufferedImage> out = new ArrayList<>();
        try (FFmpegFrameGrabber g = new FFmpegFrameGrabber(file.toFile());
             Java2DFrameConverter conv = new Java2DFrameConverter()) {
            g.start();
            Frame f;
            while ((f = g.grabImage()) != null) {
                out.add(Java2DFrameConverter.cloneBufferedImage(conv.getBufferedImage(f)));
            }
        }
        return out;
    }

    /** A static scene with independent Gaussian noise of {@code sigma} levels per frame, like a camera sensor's. */
    static List<BufferedImage> noisyStatic(BufferedImage still, int frames, double sigma, long seed) {
        Random rnd = new Random(seed);
        List<BufferedImage> out = new ArrayList<>();
        for (int t = 0; t < frames; t++) {
            BufferedImage img = new BufferedImage(still.getWidth(), still.getHeight(), BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < still.getHeight(); y++) {
                for (int x = 0; x < still.getWidth(); x++) {
                    int p = still.getRGB(x, y);
                    int rgb = 0;
                    for (int shift = 16; shift >= 0; shift -= 8) {
                        int v = (int) Math.round(((p >> shift) & 255) + rnd.nextGaussian() * sigma);
                        rgb |= Math.max(0, Math.min(255, v)) << shift;
                    }
                    img.setRGB(x, y, rgb);
                }
            }
            out.add(img);
        }
        return out;
    }
}
