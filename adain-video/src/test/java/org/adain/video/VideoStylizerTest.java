package org.adain.video;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.adain.ImageTensor;
import org.adain.Images;
import org.adain.InvalidRequestException;
import org.adain.StyleTransfer;
import org.adain.testkit.reference.ReferenceCases;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The pipeline on tiny clips generated at test time, with the small random-weight test models. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class VideoStylizerTest {
    private StyleTransfer transfer;
    private BufferedImage style;
    private Path models;

    @BeforeAll
    void setUp() throws Exception {
        models = Files.createTempDirectory("adain-video-models");
        transfer = StyleTransfer.builder()
                .encoder(ReferenceCases.copyTo("models/encoder_tf2.h5", models))
                .decoder(ReferenceCases.copyTo("models/decoder_tf2.h5", models)).build();
        style = Images.read(ReferenceCases.copyTo("images/style_0.png", models));
    }

    @AfterAll
    void tearDown() {
        transfer.close();
    }

    private VideoStylizer.Builder stylizer() {
        return VideoStylizer.builder().transfer(transfer).style(style).contentSize(0).styleSize(0);
    }

    private static List<Path> leftovers(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith(".")).toList();
        }
    }

    @Test
    void videoWithAudioKeepsFrameCountRateSizeAndAudio(@TempDir Path dir) throws Exception {
        Path in = dir.resolve("in.mp4");
        Clips.write(in, 64, 48, 12, 10, true);
        Path out = dir.resolve("out.mp4");
        List<Long> progress = new ArrayList<>();
        VideoReport r;
        try (VideoStylizer v = stylizer().queueCapacity(2).progress((done, total, fps, eta) -> {
            progress.add(done);
            assertThat(total).isEqualTo(12);
            assertThat(fps).isPositive();
            assertThat(eta).isGreaterThanOrEqualTo(0);
        }).build()) {
            r = v.stylize(in, out);
        }
        Clips.Probe p = Clips.probe(out);
        Clips.Probe source = Clips.probe(in);
        assertThat(p.frames()).isEqualTo(12);
        assertThat(p.fps()).isCloseTo(10, org.assertj.core.data.Offset.offset(1e-6));
        assertThat(p.width()).isEqualTo(64);
        assertThat(p.height()).isEqualTo(48);
        assertThat(p.audio()).isTrue();
        assertThat(p.codec()).isEqualTo(FfmpegSink.codec().encoder().equals("mpeg4") ? "mpeg4" : "h264");
        assertThat(p.seconds()).isCloseTo(source.seconds(), org.assertj.core.data.Offset.offset(0.15));
        assertThat(r.frames()).isEqualTo(12);
        assertThat(r.output()).contains("audio copied");
        assertThat(progress).hasSize(12).endsWith(12L);
        assertThat(leftovers(dir)).isEmpty();
        System.out.println("video codec: " + VideoStylizer.videoCodec() + "; " + r);
    }

    @Test
    void videoWithoutAudioAndOddSizeIsEvenAndSilent(@TempDir Path dir) throws Exception {
        Path in = dir.resolve("in.avi");
        Clips.write(in, 66, 50, 5, 25, false);
        Path out = dir.resolve("out.mkv");
        try (VideoStylizer v = stylizer().contentSize(49).build()) {
            v.stylize(in, out);
        }
        Clips.Probe p = Clips.probe(out);
        assertThat(p.frames()).isEqualTo(5);
        assertThat(p.fps()).isCloseTo(25, org.assertj.core.data.Offset.offset(1e-6));
        assertThat(p.audio()).isFalse();
        assertThat(p.width() % 2).isZero();
        assertThat(p.height()).isEqualTo(48); // 49 rounded down to even
    }

    @Test
    void frameDirectoryInAndOut(@TempDir Path dir) throws Exception {
        Path frames = Files.createDirectory(dir.resolve("frames"));
        for (int t = 0; t < 4; t++) {
            Images.write(Clips.frame(40, 32, t), frames.resolve(String.format("f%03d.png", t)));
        }
        Path out = dir.resolve("styled");
        try (VideoStylizer v = stylizer().build()) {
            VideoReport r = v.stylize(frames, out);
            assertThat(r.frames()).isEqualTo(4);
        }
        try (Stream<Path> s = Files.list(out)) {
            List<Path> written = s.sorted().toList();
            assertThat(written).hasSize(4);
            assertThat(written.get(0).getFileName().toString()).isEqualTo("frame_000001.png");
            assertThat(Images.read(written.get(3)).getWidth()).isEqualTo(40);
        }
        // and a frame directory to a video, at the configured rate
        Path video = dir.resolve("styled.mp4");
        try (VideoStylizer v = stylizer().frameRate(12).build()) {
            v.stylize(frames, video);
        }
        assertThat(Clips.probe(video).frames()).isEqualTo(4);
        assertThat(Clips.probe(video).fps()).isCloseTo(12, org.assertj.core.data.Offset.offset(1e-6));
    }

    @Test
    void stabilisedStaticClipFlickersLessThanPerFrame(@TempDir Path dir) throws Exception {
        BufferedImage still = Images.read(ReferenceCases.copyTo("images/content_48x64.png", models));
        Path frames = Files.createDirectory(dir.resolve("noisy"));
        List<BufferedImage> noisy = Clips.noisyStatic(still, 8, 6, 42);
        for (int t = 0; t < noisy.size(); t++) {
            Images.write(noisy.get(t), frames.resolve(String.format("f%03d.png", t)));
        }
        double perFrame = flicker(frames, dir.resolve("plain"), Stabilization.OFF);
        double statistics = flicker(frames, dir.resolve("stable"), Stabilization.STATISTICS);
        double blend = flicker(frames, dir.resolve("blend"), Stabilization.BLEND);
        System.out.printf("static noisy clip flicker: input %.2f, per-frame %.2f, statistics %.2f, blend %.2f%n",
                FlickerMetric.clip(noisy, 0, 0, 4), perFrame, statistics, blend);
        assertThat(blend).isLessThan(perFrame * 0.6);
    }

    private double flicker(Path frames, Path out, Stabilization method) throws Exception {
        try (VideoStylizer v = stylizer().stabilization(method).build()) {
            v.stylize(frames, out);
        }
        List<BufferedImage> images = new ArrayList<>();
        try (Stream<Path> s = Files.list(out)) {
            for (Path p : s.sorted().toList()) {
                images.add(Images.read(p));
            }
        }
        return FlickerMetric.clip(images, 0, 0, 4);
    }

    @Test
    void zeroLengthFileIsNamedAndLeavesNoOutput(@TempDir Path dir) throws Exception {
        Path in = Files.createFile(dir.resolve("empty.mp4"));
        Path out = dir.resolve("out.mp4");
        try (VideoStylizer v = stylizer().build()) {
            assertThatThrownBy(() -> v.stylize(in, out)).isInstanceOf(VideoException.class)
                    .hasMessageContaining("empty.mp4").hasMessageContaining("empty (0 bytes)");
        }
        assertThat(out).doesNotExist();
        assertThat(leftovers(dir)).isEmpty();
    }

    @Test
    void truncatedVideoIsNamedAndLeavesNoOutput(@TempDir Path dir) throws Exception {
        Path full = dir.resolve("full.mp4");
        Clips.write(full, 64, 48, 10, 10, false);
        byte[] bytes = Files.readAllBytes(full);
        Path in = dir.resolve("truncated.mp4");
        Files.write(in, java.util.Arrays.copyOf(bytes, bytes.length * 2 / 3));
        Path out = dir.resolve("out.mp4");
        try (VideoStylizer v = stylizer().build()) {
            assertThatThrownBy(() -> v.stylize(in, out)).isInstanceOf(VideoException.class)
                    .hasMessageContaining("truncated.mp4");
        }
        assertThat(out).doesNotExist();
        assertThat(leftovers(dir)).isEmpty();
    }

    @Test
    void truncatedAfterTheIndexIsNamed(@TempDir Path dir) throws Exception {
        // AVI keeps its index at the end: cutting it leaves a readable header and fewer frames than it lists
        Path full = dir.resolve("full.avi");
        Clips.write(full, 64, 48, 10, 10, false);
        byte[] bytes = Files.readAllBytes(full);
        Path in = dir.resolve("cut.avi");
        Files.write(in, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        Path out = dir.resolve("out.mp4");
        try (VideoStylizer v = stylizer().build()) {
            assertThatThrownBy(() -> v.stylize(in, out)).isInstanceOf(VideoException.class)
                    .hasMessageContaining("cut.avi");
        }
        assertThat(out).doesNotExist();
        assertThat(leftovers(dir)).isEmpty();
    }

    @Test
    void corruptBytesAreNamed(@TempDir Path dir) throws Exception {
        Path in = dir.resolve("noise.mp4");
        byte[] junk = new byte[4096];
        new java.util.Random(1).nextBytes(junk);
        Files.write(in, junk);
        try (VideoStylizer v = stylizer().build()) {
            assertThatThrownBy(() -> v.stylize(in, dir.resolve("out.mp4"))).isInstanceOf(VideoException.class)
                    .hasMessageContaining("noise.mp4");
        }
        assertThat(dir.resolve("out.mp4")).doesNotExist();
    }

    @Test
    void unknownCodecIsNamed(@TempDir Path dir) throws Exception {
        Path avi = dir.resolve("in.avi");
        Clips.write(avi, 64, 48, 4, 10, false);
        byte[] b = Files.readAllBytes(avi);
        // replace the MPEG-4 fourcc (FMP4) in the stream header and the bitmap header with one no codec has
        String s = new String(b, java.nio.charset.StandardCharsets.ISO_8859_1);
        int replaced = 0;
        for (String tag : new String[] {"FMP4", "fmp4", "DIVX", "divx", "XVID", "xvid", "mp4v"}) {
            for (int i = s.indexOf(tag); i >= 0; i = s.indexOf(tag, i + 1)) {
                b[i] = 'Q';
                b[i + 1] = 'Q';
                b[i + 2] = 'Z';
                b[i + 3] = 'Z';
                replaced++;
            }
        }
        assertThat(replaced).as("fourcc occurrences").isPositive();
        Path in = dir.resolve("unknown.avi");
        Files.write(in, b);
        try (VideoStylizer v = stylizer().build()) {
            assertThatThrownBy(() -> v.stylize(in, dir.resolve("out.mp4"))).isInstanceOf(VideoException.class)
                    .hasMessageContaining("unknown.avi");
        }
        assertThat(dir.resolve("out.mp4")).doesNotExist();
        assertThat(leftovers(dir)).isEmpty();
    }

    @Test
    void existingOutputIsNotOverwrittenUnlessAllowed(@TempDir Path dir) throws Exception {
        Path in = dir.resolve("in.mp4");
        Clips.write(in, 64, 48, 3, 10, false);
        Path out = Files.writeString(dir.resolve("out.mp4"), "mine");
        try (VideoStylizer v = stylizer().build()) {
            assertThatThrownBy(() -> v.stylize(in, out)).isInstanceOf(VideoException.class)
                    .hasMessageContaining("exists");
        }
        assertThat(Files.readString(out)).isEqualTo("mine");
        try (VideoStylizer v = stylizer().overwrite(true).build()) {
            v.stylize(in, out);
        }
        assertThat(Clips.probe(out).frames()).isEqualTo(3);
    }

    @Test
    void settingsAreValidatedAtBuild() {
        assertThatThrownBy(() -> VideoStylizer.builder().style(style).build())
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("StyleTransfer");
        assertThatThrownBy(() -> stylizer().alpha(2).build()).hasMessageContaining("alpha");
        assertThatThrownBy(() -> stylizer().stabilizationMemory(1).build()).hasMessageContaining("stabilizationMemory");
        int[] halves = new int[16 * 16];
        for (int i = 128; i < halves.length; i++) {
            halves[i] = 1;
        }
        assertThatThrownBy(() -> stylizer().stabilization(Stabilization.BLEND).stabilizationMemory(-0.1).build())
                .hasMessageContaining("-0.1");
        assertThatThrownBy(() -> stylizer().style(style).mask(org.adain.SpatialMask.ofStyleIndices(16, 16, halves))
                .stabilization(Stabilization.STATISTICS).build()).hasMessageContaining("mask");
        assertThat(ImageTensor.class).isNotNull();
    }
}
