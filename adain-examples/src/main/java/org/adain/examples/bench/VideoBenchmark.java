package org.adain.examples.bench;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.Stream;
import org.adain.Images;
import org.adain.StyleTransfer;
import org.adain.video.FlickerMetric;
import org.adain.video.Stabilization;
import org.adain.video.VideoReport;
import org.adain.video.VideoStylizer;

/**
 * The numbers of docs/VIDEO.md and the video rows of docs/BENCHMARKS.md.
 *
 * <p>{@code flicker}: makes two lossless clips (PNG frame directories) from a still image, a pan (a crop window
 * moved {@code --dx} pixels right per frame) and a static shot with Gaussian sensor-like noise of {@code --noise}
 * levels per frame, stylises each per frame and with every stabiliser (frames kept at their size, so the shift is
 * exact), and prints {@link FlickerMetric} of the input and of each output, with the cost in sharpness: the mean
 * absolute difference from the per-frame result (over all frames; the first frame is identical by construction)
 * and the mean gradient magnitude relative to the per-frame result's.
 *
 * <p>{@code throughput}: stylises a video file and prints frames/s with the share of decoding and encoding.
 *
 * <p>{@code clip}: writes a pan clip (as in {@code flicker}) as an MP4 with a 440 Hz tone, and its frames as PNGs,
 * the input of {@code throughput} and of per-frame {@code adain stylize} calls.
 *
 * <pre>{@code
 * java -cp adain-examples/target/adain.jar org.adain.examples.bench.VideoBenchmark flicker \
 *     ENCODER DECODER STYLE STILL OUT_DIR [--frames 12] [--width 256] [--height 256] [--dx 4] [--noise 6]
 * java -cp adain-examples/target/adain.jar org.adain.examples.bench.VideoBenchmark throughput \
 *     ENCODER DECODER STYLE INPUT OUTPUT SIZE
 * java -cp adain-examples/target/adain.jar org.adain.examples.bench.VideoBenchmark clip \
 *     STILL OUT.mp4 FRAME_DIR WIDTH HEIGHT FRAMES DX FPS
 * }</pre>
 */
public final class VideoBenchmark {
    private VideoBenchmark() {
    }

    /**
     * Runs one of the modes.
     *
     * @param args as in the class comment
     * @throws IOException a file cannot be read or written
     */
    public static void main(String[] args) throws IOException {
        if (args.length < 1) {
            throw new IllegalArgumentException("usage: flicker|throughput ...");
        }
        if (args[0].equals("throughput")) {
            throughput(args);
            return;
        }
        if (args[0].equals("clip")) {
            clip(args);
            return;
        }
        Path encoder = Path.of(args[1]);
        Path decoder = Path.of(args[2]);
        BufferedImage style = Images.read(Path.of(args[3]));
        BufferedImage still = Images.read(Path.of(args[4]));
        Path out = Path.of(args[5]);
        int frames = 12;
        int width = 256;
        int height = 256;
        int dx = 4;
        double noise = 6;
        for (int i = 6; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--frames" -> frames = Integer.parseInt(args[i + 1]);
                case "--width" -> width = Integer.parseInt(args[i + 1]);
                case "--height" -> height = Integer.parseInt(args[i + 1]);
                case "--dx" -> dx = Integer.parseInt(args[i + 1]);
                case "--noise" -> noise = Double.parseDouble(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        // the still scaled so the pan fits: its height is the window's, its width the window's plus the travel
        int travel = dx * (frames - 1);
        double scale = Math.max((double) height / still.getHeight(), (double) (width + travel) / still.getWidth());
        BufferedImage base = resize(still, (int) Math.ceil(still.getWidth() * scale),
                (int) Math.ceil(still.getHeight() * scale));
        List<BufferedImage> pan = new ArrayList<>();
        for (int t = 0; t < frames; t++) {
            pan.add(copy(base.getSubimage(t * dx, 0, width, height)));
        }
        List<BufferedImage> noisy = new ArrayList<>();
        Random rnd = new Random(12);
        BufferedImage first = pan.get(0);
        for (int t = 0; t < frames; t++) {
            noisy.add(noisy(first, noise, rnd));
        }
        Path panDir = writeAll(pan, out.resolve("pan-input"));
        Path staticDir = writeAll(noisy, out.resolve("static-input"));
        int margin = 16;
        System.out.printf(Locale.ROOT, "# %d frames %dx%d, pan %d px/frame, static noise sigma %.1f, margin %d; "
                + "loadavg %s%n", frames, width, height, dx, noise, margin, loadavg());
        try (StyleTransfer transfer = StyleTransfer.builder().encoder(encoder).decoder(decoder).build()) {
            System.out.println("| clip | method | flicker (8-bit levels) | vs input | MAD from per-frame | "
                    + "gradient vs per-frame | s/frame |");
            System.out.println("|---|---|---|---|---|---|---|");
            for (String clip : List.of("pan", "static")) {
                List<BufferedImage> input = clip.equals("pan") ? pan : noisy;
                int shift = clip.equals("pan") ? dx : 0;
                double inputFlicker = FlickerMetric.clip(input, shift, 0, margin);
                System.out.printf(Locale.ROOT, "| %s | input | %.2f | 1.00 | | | |%n", clip, inputFlicker);
                List<BufferedImage> perFrame = null;
                for (Stabilization method : Stabilization.values()) {
                    Path dir = out.resolve(clip + "-" + method.cliName());
                    VideoReport r;
                    try (VideoStylizer v = VideoStylizer.builder().transfer(transfer).style(style).contentSize(0)
                            .styleSize(256).stabilization(method).build()) {
                        r = v.stylize(clip.equals("pan") ? panDir : staticDir, dir);
                    }
                    List<BufferedImage> result = readAll(dir);
                    double f = FlickerMetric.clip(result, shift, 0, margin);
                    String cost = "";
                    if (perFrame == null) {
                        perFrame = result;
                    } else {
                        cost = String.format(Locale.ROOT, "%.2f | %.3f", mad(result, perFrame),
                                gradient(result) / gradient(perFrame));
                    }
                    System.out.printf(Locale.ROOT, "| %s | %s | %.2f | %.2f | %s | %.2f |%n", clip, method.cliName(), f,
                            f / inputFlicker, cost.isEmpty() ? "0 | 1" : cost, r.seconds() / r.frames());
                }
            }
        }
        System.out.println("# loadavg after: " + loadavg());
    }

    private static void clip(String[] args) throws IOException {
        BufferedImage still = Images.read(Path.of(args[1]));
        Path video = Path.of(args[2]);
        Path frameDir = Path.of(args[3]);
        int width = Integer.parseInt(args[4]);
        int height = Integer.parseInt(args[5]);
        int frames = Integer.parseInt(args[6]);
        int dx = Integer.parseInt(args[7]);
        double fps = Double.parseDouble(args[8]);
        int travel = dx * (frames - 1);
        double scale = Math.max((double) height / still.getHeight(), (double) (width + travel) / still.getWidth());
        BufferedImage base = resize(still, (int) Math.ceil(still.getWidth() * scale),
                (int) Math.ceil(still.getHeight() * scale));
        List<BufferedImage> pan = new ArrayList<>();
        for (int t = 0; t < frames; t++) {
            pan.add(copy(base.getSubimage(t * dx, 0, width, height)));
        }
        writeAll(pan, frameDir);
        try (org.bytedeco.javacv.FFmpegFrameRecorder r = new org.bytedeco.javacv.FFmpegFrameRecorder(video.toFile(),
                width, height, 1); org.bytedeco.javacv.Java2DFrameConverter conv =
                new org.bytedeco.javacv.Java2DFrameConverter()) {
            r.setFormat("mp4");
            r.setVideoCodecName("libopenh264");
            r.setPixelFormat(org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUV420P);
            r.setFrameRate(fps);
            r.setVideoBitrate(width * height * 4);
            r.setAudioCodec(org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_AAC);
            r.setSampleRate(44100);
            r.start();
            int perFrame = (int) Math.round(44100 / fps);
            long n = 0;
            for (BufferedImage f : pan) {
                BufferedImage bgr = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
                bgr.createGraphics().drawImage(f, 0, 0, null);
                r.record(conv.convert(bgr), org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_BGR24);
                short[] tone = new short[perFrame];
                for (int i = 0; i < tone.length; i++, n++) {
                    tone[i] = (short) (8000 * Math.sin(2 * Math.PI * 440 * n / 44100.0));
                }
                r.recordSamples(44100, 1, java.nio.ShortBuffer.wrap(tone));
            }
            r.stop();
        }
        System.out.println("wrote " + video + " and " + frames + " frames in " + frameDir);
    }

    private static void throughput(String[] args) {
        Path encoder = Path.of(args[1]);
        Path decoder = Path.of(args[2]);
        BufferedImage style = Images.read(Path.of(args[3]));
        Path input = Path.of(args[4]);
        Path output = Path.of(args[5]);
        int size = Integer.parseInt(args[6]);
        String before = loadavg();
        try (StyleTransfer transfer = StyleTransfer.builder().encoder(encoder).decoder(decoder).build();
             VideoStylizer v = VideoStylizer.builder().transfer(transfer).style(style).contentSize(size)
                     .styleSize(size).overwrite(true).build()) {
            VideoReport r = v.stylize(input, output);
            System.out.printf(Locale.ROOT, "size %d: %d frames %dx%d in %.1f s = %.3f frames/s; decode %.2f s (%.1f%%), "
                    + "stylize %.1f s, encode %.2f s (%.1f%%); loadavg before %s, after %s%n", size, r.frames(),
                    r.width(), r.height(), r.seconds(), r.frames() / r.seconds(), r.decodeSeconds(),
                    100 * r.decodeSeconds() / r.seconds(), r.stylizeSeconds(), r.encodeSeconds(),
                    100 * r.encodeSeconds() / r.seconds(), before, loadavg());
        }
    }

    private static String loadavg() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "n/a";
        }
    }

    private static BufferedImage resize(BufferedImage img, int w, int h) {
        BufferedImage r = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = r.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BICUBIC);
        g.drawImage(img, 0, 0, w, h, null);
        g.dispose();
        return r;
    }

    private static BufferedImage copy(BufferedImage img) {
        return resize(img, img.getWidth(), img.getHeight());
    }

    private static BufferedImage noisy(BufferedImage img, double sigma, Random rnd) {
        BufferedImage out = new BufferedImage(img.getWidth(), img.getHeight(), BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int p = img.getRGB(x, y);
                int rgb = 0;
                for (int shift = 16; shift >= 0; shift -= 8) {
                    int v = (int) Math.round(((p >> shift) & 255) + rnd.nextGaussian() * sigma);
                    rgb |= Math.max(0, Math.min(255, v)) << shift;
                }
                out.setRGB(x, y, rgb);
            }
        }
        return out;
    }

    private static Path writeAll(List<BufferedImage> frames, Path dir) throws IOException {
        Files.createDirectories(dir);
        for (int t = 0; t < frames.size(); t++) {
            Images.write(frames.get(t), dir.resolve(String.format(Locale.ROOT, "frame_%06d.png", t + 1)));
        }
        return dir;
    }

    private static List<BufferedImage> readAll(Path dir) throws IOException {
        List<BufferedImage> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.sorted().toList()) {
                out.add(Images.read(p));
            }
        }
        return out;
    }

    /** Mean absolute difference in 8-bit levels over all frames, pixels and channels. */
    private static double mad(List<BufferedImage> a, List<BufferedImage> b) {
        double sum = 0;
        for (int t = 0; t < a.size(); t++) {
            sum += FlickerMetric.pair(b.get(t), a.get(t), 0, 0, 0);
        }
        return sum / a.size();
    }

    /** Mean absolute horizontal plus vertical difference of neighbours (luma), over all frames: sharpness. */
    private static double gradient(List<BufferedImage> frames) {
        double sum = 0;
        long n = 0;
        for (BufferedImage f : frames) {
            for (int y = 0; y + 1 < f.getHeight(); y++) {
                for (int x = 0; x + 1 < f.getWidth(); x++) {
                    double l = luma(f.getRGB(x, y));
                    sum += Math.abs(l - luma(f.getRGB(x + 1, y))) + Math.abs(l - luma(f.getRGB(x, y + 1)));
                    n++;
                }
            }
        }
        return sum / n;
    }

    private static double luma(int p) {
        return 0.299 * ((p >> 16) & 255) + 0.587 * ((p >> 8) & 255) + 0.114 * (p & 255);
    }
}
