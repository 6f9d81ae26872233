package org.adain.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.adain.Images;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.Java2DFrameConverter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** adain video end to end on a clip made with JavaCV, and its command-line errors. */
class VideoCommandTest {
    private static void clip(Path file, int frames, double fps) throws Exception {
        try (FFmpegFrameRecorder r = new FFmpegFrameRecorder(file.toFile(), 64, 48, 0);
             Java2DFrameConverter conv = new Java2DFrameConverter()) {
            r.setFormat("mp4");
            r.setVideoCodec(avcodec.AV_CODEC_ID_MPEG4);
            r.setPixelFormat(avutil.AV_PIX_FMT_YUV420P);
            r.setFrameRate(fps);
            r.start();
            java.awt.image.BufferedImage content = Images.read(Fixtures.content(file.getParent()));
            for (int t = 0; t < frames; t++) {
                r.record(conv.convert(content.getSubimage(0, 0, 64, 48)));
            }
            r.stop();
        }
    }

    private static List<String> model(Path dir) {
        return List.of("--encoder", Fixtures.encoder(dir).toString(), "--decoder", Fixtures.decoder(dir).toString());
    }

    @Test
    void stylisesAClipWithStabilisationKeepingFramesAndRate(@TempDir Path dir) throws Exception {
        Path in = dir.resolve("in.mp4");
        clip(in, 6, 15);
        Path out = dir.resolve("out.mp4");
        List<String> args = new java.util.ArrayList<>(List.of("video", "--input", in.toString(), "--style",
                Fixtures.style(dir, 0).toString(), "--style", Fixtures.style(dir, 1).toString(), "--style-weights",
                "1,3", "--alpha", "0.8", "--content-size", "0", "--style-size", "0", "--stabilize", "--output",
                out.toString()));
        args.addAll(model(dir));
        CliRun run = CliRun.of(args);
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.out().trim()).isEqualTo(out.toString());
        assertThat(run.err()).contains("6 frames 64x48", "video codec:", "frames/s");
        try (FFmpegFrameGrabber g = new FFmpegFrameGrabber(out.toFile())) {
            g.start();
            int n = 0;
            while (g.grabImage() != null) {
                n++;
            }
            assertThat(n).isEqualTo(6);
            assertThat(g.getFrameRate()).isEqualTo(15.0);
        }
    }

    @Test
    void anEmptyInputIsAnInputError(@TempDir Path dir) throws Exception {
        Path in = Files.createFile(dir.resolve("empty.mp4"));
        List<String> args = new java.util.ArrayList<>(List.of("video", "-q", "--input", in.toString(), "--style",
                Fixtures.style(dir, 0).toString(), "--output", dir.resolve("out.mp4").toString()));
        args.addAll(model(dir));
        CliRun run = CliRun.of(args);
        assertThat(run.exitCode()).isEqualTo(AdainCli.EXIT_INPUT);
        assertThat(run.errorLine()).contains("empty.mp4", "empty (0 bytes)");
        assertThat(dir.resolve("out.mp4")).doesNotExist();
    }

    @Test
    void anUnknownMethodIsAUsageError(@TempDir Path dir) {
        CliRun run = CliRun.of("video", "--input", "x.mp4", "--style", "s.png", "--stabilize", "flow",
                "--output", dir.resolve("o.mp4").toString());
        assertThat(run.exitCode()).isEqualTo(AdainCli.EXIT_USAGE);
        assertThat(run.errorLine()).contains("flow", "statistics", "blend");
    }

    @Test
    void sharedOptionChecksApply(@TempDir Path dir) {
        CliRun run = CliRun.of("video", "--input", "x.mp4", "--style", "s.png", "--alpha", "1.5",
                "--output", dir.resolve("o.mp4").toString());
        assertThat(run.exitCode()).isEqualTo(AdainCli.EXIT_USAGE);
        assertThat(run.errorLine()).contains("--alpha must be in [0, 1], got 1.5");
    }
}
