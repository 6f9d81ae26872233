package org.adain.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.adain.dl4j.modelimport.SameDiffWeightsReader;
import org.adain.spi.ConvLayer;
import org.adain.spi.DecoderWeights;
import org.adain.spi.TrainingState;
import org.adain.testkit.reference.ReferenceCases;
import org.adain.train.DecoderTrainer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code adain train} end to end on the real backend (adain-dl4j) with the testkit's small random-weight encoder
 * (encoder_tf2.h5) and tiny crops, so a run of tens of iterations takes seconds.
 */
class TrainCommandTest {
    /** The shared test images (content/, style/), beside the clone on CI; the testkit's own images otherwise. */
    static final Path SHARED_IMAGES = Path.of("../../shared/images");

    @TempDir
    Path dir;

    Path encoder;
    Path contents;
    Path styles;

    @BeforeEach
    void copyFixtures() throws IOException {
        encoder = ReferenceCases.copyTo("models/encoder_tf2.h5", dir);
        contents = Files.createDirectories(dir.resolve("content"));
        styles = Files.createDirectories(dir.resolve("style"));
        if (Files.isDirectory(SHARED_IMAGES.resolve("content")) && Files.isDirectory(SHARED_IMAGES.resolve("style"))) {
            copyAll(SHARED_IMAGES.resolve("content"), contents);
            copyAll(SHARED_IMAGES.resolve("style"), styles);
        } else {
            for (String c : List.of("content_48x64.png", "content_75x100.png", "content_45x70.png",
                    "content_40x40.png")) {
                ReferenceCases.copyTo("images/" + c, contents);
            }
            for (int k = 0; k < 4; k++) {
                ReferenceCases.copyTo("images/style_" + k + ".png", styles);
            }
        }
    }

    private static void copyAll(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.list(from)) {
            for (Path p : s.sorted().toList()) {
                Files.copy(p, to.resolve(p.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                to.resolve(p.getFileName()).toFile().setWritable(true);
            }
        }
    }

    /** {@code train} on the copied images, tiny sizes, the real backend; more arguments appended. */
    List<String> args(Path out, String... more) {
        List<String> a = new ArrayList<>(List.of("train", "--encoder", encoder.toString(), "--content-dir",
                contents.toString(), "--style-dir", styles.toString(), "--out", out.toString(), "--backend", "dl4j"));
        a.addAll(List.of(more));
        return a;
    }

    static List<double[]> losses(Path csv) {
        try {
            List<String> lines = Files.readAllLines(csv);
            List<double[]> rows = new ArrayList<>();
            for (String l : lines.subList(1, lines.size())) {
                rows.add(Arrays.stream(l.split(",")).mapToDouble(Double::parseDouble).toArray());
            }
            return rows;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static double meanTotal(List<double[]> rows, int from, int to) {
        return rows.subList(from, to).stream().mapToDouble(r -> r[7]).average().orElseThrow();
    }

    @Test
    void aShortRealRunLowersTheLossAndWritesEverything() throws Exception {
        Path bad = Files.write(contents.resolve("zz_truncated.jpg"), Arrays.copyOf(
                Files.readAllBytes(Files.list(contents).filter(p -> !p.toString().endsWith("truncated.jpg")).sorted()
                        .findFirst().orElseThrow()), 300));
        Path out = dir.resolve("run");
        CliRun run = CliRun.of(args(out, "--iterations", "40", "--batch", "2", "--image-size", "64", "--crop", "32",
                "--lr", "1e-3", "--seed", "1", "--checkpoint-every", "20", "--sample-every", "20",
                "--validation-pairs", "2"));
        assertThat(run.exitCode()).as(run.toString()).isZero();

        List<String> csv = Files.readAllLines(out.resolve("losses.csv"));
        assertThat(csv.get(0)).startsWith("iteration,content_loss,style_loss_relu1_1").contains(",style_loss,")
                .contains(",total_loss,");
        List<double[]> rows = losses(out.resolve("losses.csv"));
        assertThat(rows).hasSize(40);
        double first = meanTotal(rows, 0, 5);
        double last = meanTotal(rows, 35, 40);
        System.out.printf("train: mean total loss, iterations 1-5: %.6g, 36-40: %.6g (%.1f%% lower)%n", first, last,
                100 * (1 - last / first));
        assertThat(last).as("mean total loss of the last 5 iterations vs the first 5").isLessThan(0.9 * first);

        BufferedImage plot = Fixtures.read(out.resolve("losses.png"));
        assertThat(plot.getWidth()).isEqualTo(LossChart.WIDTH);
        assertThat(plot.getHeight()).isEqualTo(LossChart.HEIGHT);
        for (String s : List.of("iteration_000000000.png", "iteration_000000020.png", "iteration_000000040.png")) {
            BufferedImage grid = Fixtures.read(out.resolve("samples").resolve(s));
            assertThat(grid.getWidth()).isEqualTo(3 * 32 + 2 * 4);
        }
        assertThat(out.resolve("checkpoints/checkpoint-000000020.adain")).isRegularFile();
        Path lastCheckpoint = out.resolve("checkpoints/checkpoint-000000040.adain");
        assertThat(lastCheckpoint).isRegularFile();

        // the unreadable file: a warning naming it, never fatal
        assertThat(run.err()).contains("adain: warning: skipped an unreadable image (1 so far)")
                .contains(bad.getFileName().toString());
        // progress lines with every term
        assertThat(run.err()).contains("40/40").contains("content ").contains("style ").contains("lr ")
                .contains("it/s").contains("ETA");

        // both exported decoders (Keras HDF5, DL4J's SameDiff) read back as the checkpoint's weights
        Path decoderFile = out.resolve("decoder.h5");
        Path nativeFile = out.resolve("decoder.fb");
        assertThat(run.out().lines()).contains(decoderFile.toString(), nativeFile.toString(),
                out.resolve("losses.csv").toString(), out.resolve("losses.png").toString(), lastCheckpoint.toString());
        DecoderWeights trained = DecoderTrainer.readCheckpoint(lastCheckpoint).weights();
        for (DecoderWeights back : List.of(new org.adain.format.KerasWeightsReader().readDecoder(decoderFile),
                new SameDiffWeightsReader().readDecoder(nativeFile))) {
            for (int k = 0; k < DecoderWeights.CONV_COUNT; k++) {
                ConvLayer x = trained.convs().get(k);
                ConvLayer y = back.convs().get(k);
                assertThat(y.kernelOihw()).as("%s kernel %d", back.source(), k).containsExactly(x.kernelOihw());
                assertThat(y.bias()).as("%s bias %d", back.source(), k).containsExactly(x.bias());
            }
        }
        // and stylizes
        Path styled = dir.resolve("styled.png");
        CliRun stylize = CliRun.of("stylize", "--encoder", encoder.toString(), "--decoder", decoderFile.toString(),
                "--content", Files.list(contents).sorted().findFirst().orElseThrow().toString(), "--style",
                Files.list(styles).sorted().findFirst().orElseThrow().toString(), "--content-size", "64",
                "--style-size", "64", "--backend", "dl4j", "--output", styled.toString());
        assertThat(stylize.exitCode()).as(stylize.toString()).isZero();
    }

    @Test
    void anInterruptedAndResumedRunEndsWithTheSameWeightsAsAnUninterruptedOne() {
        String[] common = {"--batch", "2", "--image-size", "48", "--crop", "32", "--seed", "5", "--lr", "1e-3",
                "--checkpoint-every", "100", "--sample-every", "0"};
        Path straight = dir.resolve("straight");
        List<String> a = args(straight, "--iterations", "6");
        a.addAll(List.of(common));
        CliRun s = CliRun.of(a);
        assertThat(s.exitCode()).as(s.toString()).isZero();

        Path broken = dir.resolve("broken");
        List<String> b = args(broken, "--iterations", "6", "--stop-after", "3");
        b.addAll(List.of(common));
        CliRun first = CliRun.of(b);
        assertThat(first.exitCode()).as(first.toString()).isEqualTo(TrainCommand.EXIT_INTERRUPTED);
        Path stoppedAt = broken.resolve("checkpoints/checkpoint-000000003.adain");
        assertThat(first.out().strip()).isEqualTo(stoppedAt.toString());
        assertThat(first.err()).contains("stopped at iteration 3").contains("--resume");
        assertThat(broken.resolve("decoder.h5")).doesNotExist();
        assertThat(broken.resolve("decoder.fb")).doesNotExist();

        // resume with only the required options: everything else comes from the checkpoint
        CliRun second = CliRun.of(args(broken, "--resume", "--sample-every", "0"));
        assertThat(second.exitCode()).as(second.toString()).isZero();
        assertThat(second.err()).contains("resuming at iteration 3");

        TrainingState x = DecoderTrainer.readCheckpoint(straight.resolve("checkpoints/checkpoint-000000006.adain"));
        TrainingState y = DecoderTrainer.readCheckpoint(broken.resolve("checkpoints/checkpoint-000000006.adain"));
        double maxDiff = 0;
        for (int k = 0; k < DecoderWeights.CONV_COUNT; k++) {
            float[] p = x.weights().convs().get(k).kernelOihw();
            float[] q = y.weights().convs().get(k).kernelOihw();
            for (int i = 0; i < p.length; i++) {
                maxDiff = Math.max(maxDiff, Math.abs(p[i] - q[i]));
            }
        }
        System.out.println("train: resume equivalence, largest kernel difference after 3 + 3 vs 6 iterations: "
                + maxDiff);
        for (int k = 0; k < DecoderWeights.CONV_COUNT; k++) {
            assertThat(y.weights().convs().get(k).kernelOihw()).as("kernel %d", k)
                    .containsExactly(x.weights().convs().get(k).kernelOihw());
            assertThat(y.weights().convs().get(k).bias()).as("bias %d", k)
                    .containsExactly(x.weights().convs().get(k).bias());
            for (int j = 0; j < 2; j++) {
                assertThat(y.firstMoments().get(k)[j]).isEqualTo(x.firstMoments().get(k)[j]);
                assertThat(y.secondMoments().get(k)[j]).isEqualTo(x.secondMoments().get(k)[j]);
            }
        }
        List<double[]> lx = losses(straight.resolve("losses.csv"));
        List<double[]> ly = losses(broken.resolve("losses.csv"));
        assertThat(ly).hasSize(6);
        for (int i = 0; i < 6; i++) {
            assertThat(Arrays.copyOf(ly.get(i), 9)).as("row %d", i + 1).containsExactly(Arrays.copyOf(lx.get(i), 9));
        }
    }

    @Test
    void badDirectoriesAreClearErrors() throws IOException {
        Path out = dir.resolve("out");
        Path missing = dir.resolve("missing");
        CliRun r = CliRun.of("train", "--encoder", encoder.toString(), "--content-dir", missing.toString(),
                "--style-dir", styles.toString(), "--out", out.toString());
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(AdainCli.EXIT_INPUT);
        assertThat(r.errorLine()).isEqualTo("adain: error: The content directory " + missing + " does not exist");

        Path empty = Files.createDirectories(dir.resolve("empty"));
        r = CliRun.of("train", "--encoder", encoder.toString(), "--content-dir", contents.toString(), "--style-dir",
                empty.toString(), "--out", out.toString());
        assertThat(r.exitCode()).isEqualTo(AdainCli.EXIT_INPUT);
        assertThat(r.errorLine()).startsWith("adain: error: The style directory " + empty + " holds no images");

        Path junk = Files.createDirectories(dir.resolve("junk"));
        Files.writeString(junk.resolve("a.jpg"), "not a jpeg");
        Files.write(junk.resolve("b.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G'});
        r = CliRun.of("train", "--encoder", encoder.toString(), "--content-dir", junk.toString(), "--style-dir",
                styles.toString(), "--out", dir.resolve("out2").toString(), "--backend", "dl4j", "--iterations", "2",
                "--batch", "1", "--image-size", "32", "--crop", "32", "--sample-every", "0");
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(AdainCli.EXIT_INPUT);
        assertThat(r.errorLine()).startsWith("adain: error: None of the 2 image files in the content directory "
                + junk + " can be read");

        // an output that already holds a run is not overwritten without --resume
        Files.createDirectories(out.resolve("checkpoints"));
        Files.writeString(out.resolve("checkpoints/checkpoint-000000002.adain"), "a run's checkpoint");
        r = CliRun.of(args(out, "--iterations", "2"));
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(AdainCli.EXIT_INPUT);
        assertThat(r.errorLine()).contains("already holds a training run").contains("--resume");
    }

    /**
     * The real thing: a separate JVM is sent SIGTERM (which runs the shutdown hooks exactly as Ctrl-C's SIGINT does)
     * while it trains; it finishes the iteration, writes a checkpoint consistent with its loss log, and exits.
     */
    @Test
    void aSignalStopsTheRunWithACheckpoint() throws Exception {
        Path out = dir.resolve("signalled");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), AdainCli.class.getName()));
        cmd.addAll(args(out, "--iterations", "100000", "--batch", "1", "--image-size", "32", "--crop", "32", "--seed",
                "2", "--checkpoint-every", "100000", "--sample-every", "0"));
        Path log = dir.resolve("signalled.log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            Path csv = out.resolve("losses.csv");
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
            while (p.isAlive() && System.nanoTime() < deadline
                    && (!Files.exists(csv) || Files.readAllLines(csv).size() < 3)) {
                Thread.sleep(200);
            }
            assertThat(p.isAlive()).as("still training; log:%n%s", Files.readString(log)).isTrue();
            p.destroy(); // SIGTERM
            assertThat(p.waitFor(10, TimeUnit.MINUTES)).isTrue();
        } finally {
            p.destroyForcibly();
        }
        String text = Files.readString(log);
        assertThat(p.exitValue()).as(text).isEqualTo(143); // 128 + SIGTERM, after the hooks ran
        assertThat(text).contains("stopped at iteration").contains("--resume");
        List<double[]> rows = losses(out.resolve("losses.csv"));
        List<Path> checkpoints;
        try (Stream<Path> s = Files.list(out.resolve("checkpoints"))) {
            checkpoints = s.toList();
        }
        assertThat(checkpoints).hasSize(1);
        TrainingState state = DecoderTrainer.readCheckpoint(checkpoints.get(0));
        assertThat(state.iteration()).isGreaterThanOrEqualTo(2).isEqualTo(rows.size());
        assertThat(checkpoints.get(0).getFileName().toString())
                .isEqualTo(String.format("checkpoint-%09d.adain", state.iteration()));
    }

    @Test
    void commandLineMistakesAreUsageErrors() {
        Path out = dir.resolve("out");
        CliRun r = CliRun.of(args(out, "--transform", "square"));
        assertThat(r.exitCode()).isEqualTo(AdainCli.EXIT_USAGE);
        assertThat(r.errorLine()).contains("--transform must be 'port', 'paper' or 'torch7'");
        r = CliRun.of(args(out, "--batch", "0"));
        assertThat(r.exitCode()).isEqualTo(AdainCli.EXIT_USAGE);
        assertThat(r.errorLine()).contains("--batch must be at least 1");
        r = CliRun.of(args(out, "--crop", "64", "--image-size", "32"));
        assertThat(r.exitCode()).isEqualTo(AdainCli.EXIT_INPUT);
        assertThat(r.errorLine()).contains("must be at least the crop size");
        r = CliRun.of("train", "--help");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).contains("--content-dir").contains("--resume").contains("losses.csv")
                .doesNotContain("--stop-after");
    }
}
