package org.adain.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.adain.AdainException;
import org.adain.InvalidRequestException;
import org.adain.fake.FakeBackendProvider;
import org.adain.fake.FakeDecoderTraining;
import org.adain.format.KerasHdf5WeightsWriter;
import org.adain.spi.ConvLayer;
import org.adain.spi.DecoderWeights;
import org.adain.spi.EncoderWeights;
import org.adain.spi.TrainingState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DecoderTrainerTest {

    /** Records what the trainer reports. */
    static final class Recorder implements TrainingListener {
        final List<Progress> progress = new ArrayList<>();
        final List<String> warnings = new ArrayList<>();
        final List<Path> skipped = new ArrayList<>();
        final List<Long> checkpoints = new ArrayList<>();
        final List<Path> samples = new ArrayList<>();
        /** The loss log, read at each checkpoint when {@link #log} is set: the last iteration it holds. */
        final List<Long> loggedAtCheckpoint = new ArrayList<>();
        Path log;
        long startedAt = -1;
        Path resumedFrom;
        DecoderTrainer stopAt;
        long stopIteration = -1;

        @Override
        public void started(long iteration, long totalIterations, Path resumedFrom) {
            this.startedAt = iteration;
            this.resumedFrom = resumedFrom;
        }

        @Override
        public void progress(Progress p) {
            progress.add(p);
            if (p.iteration() == stopIteration) {
                stopAt.stop(); // what the CLI's Ctrl-C hook does
            }
        }

        @Override
        public void skipped(Path file, String reason, int skippedSoFar) {
            skipped.add(file);
        }

        @Override
        public void checkpointWritten(Path file, long iteration) {
            checkpoints.add(iteration);
            if (log != null) {
                List<LossLog.Row> rows = LossLog.read(log);
                loggedAtCheckpoint.add(rows.isEmpty() ? 0 : rows.get(rows.size() - 1).iteration());
            }
        }

        @Override
        public void samplesWritten(Path file, long iteration) {
            samples.add(file);
        }

        @Override
        public void warning(String message) {
            warnings.add(message);
        }
    }

    static DecoderTrainer.Builder builder(Path dir, Path out, Recorder r) {
        Path c = dir.resolve("content");
        Path s = dir.resolve("style");
        if (!Files.isDirectory(c)) {
            TrainingFixtures.imageDir(c, "c", 5);
            TrainingFixtures.imageDir(s, "s", 3);
        }
        return DecoderTrainer.builder().encoder(TrainingFixtures.encoder()).contentDir(c).styleDir(s).outputDir(out)
                .backend(new FakeBackendProvider()).iterations(6).batchSize(2).imageSize(24).cropSize(16).seed(11)
                .learningRate(5e-2).checkpointEvery(2).sampleEvery(3).validationPairs(2).listener(r);
    }

    @Test
    void aShortRunWritesLogSamplesAndCheckpoints(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("out");
        Recorder r = new Recorder();
        r.log = out.resolve(DecoderTrainer.LOSSES_CSV);
        DecoderTrainer.Result result;
        try (DecoderTrainer t = builder(dir, out, r).build()) {
            result = t.run();
        }
        assertThat(result.completed()).isTrue();
        assertThat(result.iteration()).isEqualTo(6);
        assertThat(result.skippedImages()).isZero();
        assertThat(r.startedAt).isZero();
        assertThat(r.progress).extracting(TrainingListener.Progress::iteration).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
        assertThat(r.progress.get(0).learningRate()).isEqualTo(5e-2);
        assertThat(r.progress.get(5).learningRate()).isEqualTo(5e-2 / (1 + 5e-5 * 5));
        assertThat(r.checkpoints).containsExactly(2L, 4L, 6L);
        // a listener can redraw a plot at each checkpoint: the log holds every row up to it by then
        assertThat(r.loggedAtCheckpoint).containsExactly(2L, 4L, 6L);

        List<String> csv = Files.readAllLines(out.resolve("losses.csv"));
        assertThat(csv.get(0)).isEqualTo("iteration,content_loss,style_loss_relu1_1,style_loss_relu2_1,"
                + "style_loss_relu3_1,style_loss_relu4_1,style_loss,total_loss,lr,seconds");
        assertThat(csv).hasSize(7);
        for (int i = 1; i <= 6; i++) {
            String[] f = csv.get(i).split(",");
            assertThat(f).hasSize(10);
            assertThat(Long.parseLong(f[0])).isEqualTo(i);
            double content = Double.parseDouble(f[1]);
            double style = Double.parseDouble(f[6]);
            assertThat(Double.parseDouble(f[7])).isEqualTo(content + 10 * style);
            assertThat(Double.parseDouble(f[7])).isEqualTo(r.progress.get(i - 1).totalLoss());
        }
        // the toy objective falls
        assertThat(Double.parseDouble(csv.get(6).split(",")[7]))
                .isLessThan(Double.parseDouble(csv.get(1).split(",")[7]));

        // LossLog reads back exactly what was reported; drawing the curves is left to the caller (the CLI)
        List<LossLog.Row> rows = LossLog.read(out.resolve("losses.csv"));
        assertThat(rows).extracting(LossLog.Row::iteration).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
        for (int i = 0; i < 6; i++) {
            TrainingListener.Progress p = r.progress.get(i);
            assertThat(rows.get(i).total()).isEqualTo(p.totalLoss());
            assertThat(rows.get(i).content()).isEqualTo(p.losses().content());
            assertThat(rows.get(i).styleLayers()).containsExactly(p.losses().styleLayers());
            assertThat(rows.get(i).style()).isEqualTo(p.losses().style());
            assertThat(rows.get(i).lr()).isEqualTo(p.learningRate());
        }
        assertThat(out.resolve("losses.png")).doesNotExist();

        // samples at 0 (the fresh decoder), 3 and 6: two pairs, content | style | result, 16 pixels each
        assertThat(r.samples).extracting(p -> p.getFileName().toString()).containsExactly("iteration_000000000.png",
                "iteration_000000003.png", "iteration_000000006.png");
        BufferedImage grid = ImageIO.read(r.samples.get(2).toFile());
        assertThat(grid.getWidth()).isEqualTo(3 * 16 + 2 * 4);
        assertThat(grid.getHeight()).isEqualTo(2 * 16 + 4);

        assertThat(CheckpointsTest.names(out.resolve("checkpoints"))).containsExactly("checkpoint-000000002.adain",
                "checkpoint-000000004.adain", "checkpoint-000000006.adain");
        // adain-api writes Keras HDF5 itself: decoder.h5 is exactly what its writer makes of the final weights
        assertThat(result.decoderFile()).isEqualTo(out.resolve("decoder.h5"));
        Path again = dir.resolve("again.h5");
        new KerasHdf5WeightsWriter().writeDecoder(DecoderTrainer.readCheckpoint(result.checkpoint()).weights(), again);
        assertThat(Files.readAllBytes(result.decoderFile())).isEqualTo(Files.readAllBytes(again));
        assertThat(r.warnings).noneSatisfy(w -> assertThat(w).contains("decoder.h5"));
        // no writer for the backend's own format in this module's tests: said clearly, not fatal
        assertThat(result.nativeDecoderFile()).isNull();
        assertThat(r.warnings).anySatisfy(w -> assertThat(w).contains("No writer for backend 'fake' (.fake)")
                .contains("decoder.fake").contains("checkpoint-000000006"));
        assertThat(FakeDecoderTraining.open).isZero();
    }

    @Test
    void aFreshDecoderMirrorsTheEncoderAndUsesPytorchsInit() {
        EncoderWeights enc = TrainingFixtures.encoder();
        DecoderWeights d = DecoderTrainer.freshDecoder(enc, 3);
        d.checkFits(enc);
        for (int k = 0; k < 9; k++) {
            ConvLayer mirror = enc.convs().get(8 - k);
            ConvLayer c = d.convs().get(k);
            assertThat(c.inChannels()).isEqualTo(mirror.outChannels());
            assertThat(c.outChannels()).isEqualTo(mirror.inChannels());
            double bound = 1 / Math.sqrt(c.inChannels() * 9.0);
            for (float w : c.kernelOihw()) {
                assertThat(Math.abs(w)).isLessThanOrEqualTo((float) bound);
            }
            for (float b : c.bias()) {
                assertThat(Math.abs(b)).isLessThanOrEqualTo((float) bound);
            }
        }
        assertThat(d.convs().get(0).name()).isEqualTo("dec_conv4_1");
        assertThat(d.convs().get(8).outChannels()).isEqualTo(3);
        assertThat(DecoderTrainer.freshDecoder(enc, 3).convs().get(4).kernelOihw())
                .containsExactly(d.convs().get(4).kernelOihw());
        assertThat(DecoderTrainer.freshDecoder(enc, 4).convs().get(4).kernelOihw())
                .isNotEqualTo(d.convs().get(4).kernelOihw());
    }

    @Test
    void anInterruptedAndResumedRunEndsBitForBitLikeAnUninterruptedOne(@TempDir Path dir) throws Exception {
        Path straight = dir.resolve("straight");
        TrainingState a;
        try (DecoderTrainer t = builder(dir, straight, new Recorder()).build()) {
            t.run();
            a = Checkpoints.read(straight.resolve("checkpoints/checkpoint-000000006.adain")).state();
        }

        Path broken = dir.resolve("broken");
        Recorder first = new Recorder();
        DecoderTrainer.Result stopped;
        try (DecoderTrainer t = builder(dir, broken, first).checkpointEvery(100).build()) {
            first.stopAt = t;
            first.stopIteration = 3; // "Ctrl-C" during iteration 3
            stopped = t.run();
        }
        assertThat(stopped.completed()).isFalse();
        assertThat(stopped.iteration()).isEqualTo(3);
        assertThat(stopped.decoderFile()).isNull();
        assertThat(stopped.nativeDecoderFile()).isNull();
        assertThat(first.checkpoints).containsExactly(3L);

        Recorder second = new Recorder();
        DecoderTrainer.Result resumed;
        // on resume the run's own settings (seed, sizes, lr...) come from the checkpoint
        try (DecoderTrainer t = DecoderTrainer.builder().encoder(TrainingFixtures.encoder())
                .contentDir(dir.resolve("content")).styleDir(dir.resolve("style")).outputDir(broken)
                .backend(new FakeBackendProvider()).checkpointEvery(100).listener(second).resume(true).build()) {
            assertThat(t.iteration()).isEqualTo(3);
            assertThat(t.seed()).isEqualTo(11);
            assertThat(t.totalIterations()).isEqualTo(6);
            resumed = t.run();
        }
        assertThat(second.startedAt).isEqualTo(3);
        assertThat(second.resumedFrom.getFileName().toString()).isEqualTo("checkpoint-000000003.adain");
        assertThat(resumed.completed()).isTrue();
        assertThat(second.progress).extracting(TrainingListener.Progress::iteration).containsExactly(4L, 5L, 6L);

        TrainingState b = Checkpoints.read(broken.resolve("checkpoints/checkpoint-000000006.adain")).state();
        for (int k = 0; k < 9; k++) {
            assertThat(CheckpointsTest.bits(b.weights().convs().get(k).kernelOihw()))
                    .containsExactly(CheckpointsTest.bits(a.weights().convs().get(k).kernelOihw()));
            assertThat(CheckpointsTest.bits(b.weights().convs().get(k).bias()))
                    .containsExactly(CheckpointsTest.bits(a.weights().convs().get(k).bias()));
            for (int j = 0; j < 2; j++) {
                assertThat(b.firstMoments().get(k)[j]).isEqualTo(a.firstMoments().get(k)[j]);
                assertThat(b.secondMoments().get(k)[j]).isEqualTo(a.secondMoments().get(k)[j]);
            }
        }
        // and the log reads as one run: the same losses and learning rates, row for row
        List<String> x = Files.readAllLines(straight.resolve("losses.csv"));
        List<String> y = Files.readAllLines(broken.resolve("losses.csv"));
        assertThat(y).hasSameSizeAs(x);
        for (int i = 0; i < x.size(); i++) {
            assertThat(withoutSeconds(y.get(i))).isEqualTo(withoutSeconds(x.get(i)));
        }
    }

    private static String withoutSeconds(String row) {
        return row.substring(0, row.lastIndexOf(','));
    }

    @Test
    void resumeDropsLogRowsPastTheCheckpoint(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("out");
        try (DecoderTrainer t = builder(dir, out, new Recorder()).iterations(4).checkpointEvery(2).build()) {
            t.run();
        }
        // a crash after iteration 5 would have left rows 5 and 6 past checkpoint 4
        Files.writeString(out.resolve("losses.csv"), "5,1,1,1,1,1,4,41,0.05,9\n6,1,1,1,1,1,4,41,0.05,9\n7,1,1",
                java.nio.file.StandardOpenOption.APPEND);
        try (DecoderTrainer t = builder(dir, out, new Recorder()).resume(true).build()) {
            t.run();
        }
        List<String> csv = Files.readAllLines(out.resolve("losses.csv"));
        assertThat(csv).hasSize(7);
        assertThat(csv.subList(1, 7)).extracting(l -> l.split(",")[0]).containsExactly("1", "2", "3", "4", "5", "6");
        assertThat(csv.get(5)).doesNotContain(",41,");
    }

    @Test
    void resumeRefusalsAreClear(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("out");
        assertThatThrownBy(() -> builder(dir, out, new Recorder()).resume(true).build())
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("Nothing to resume")
                .hasMessageContaining(out.resolve("checkpoints").toString());
        try (DecoderTrainer t = builder(dir, out, new Recorder()).iterations(2).build()) {
            t.run();
        }
        assertThatThrownBy(() -> builder(dir, out, new Recorder()).build())
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("already holds a training run")
                .hasMessageContaining("--resume");
        assertThatThrownBy(() -> builder(dir, out, new Recorder()).resume(true).batchSize(4).build())
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("batch 4 (checkpoint: 2)");
        assertThatThrownBy(() -> builder(dir, out, new Recorder()).resume(true).seed(12).build())
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("seed 12");
        assertThat(FakeDecoderTraining.open).isZero();
    }

    @Test
    void torch7SemanticsBringTheirDefaultsAreRecordedAndKeptOnResume(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("out");
        try (DecoderTrainer t = builder(dir, out, new Recorder()).iterations(2).semantics(org.adain.Semantics.TORCH7)
                .build()) {
            assertThat(t.settings()).containsEntry("semantics", "TORCH7").containsEntry("transform", "TORCH7")
                    .containsEntry("style_weight", "0.01").containsEntry("content_weight", "1.0");
            t.run();
        }
        try (DecoderTrainer t = builder(dir, out, new Recorder()).iterations(4).resume(true).build()) {
            assertThat(t.settings()).containsEntry("semantics", "TORCH7").containsEntry("style_weight", "0.01");
        }
        assertThatThrownBy(() -> builder(dir, out, new Recorder()).iterations(4).resume(true)
                .semantics(org.adain.Semantics.PYTORCH_PORT).build())
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("semantics PYTORCH_PORT (checkpoint: "
                        + "TORCH7)");
        try (DecoderTrainer t = builder(dir, dir.resolve("port"), new Recorder()).build()) {
            assertThat(t.settings()).containsEntry("semantics", "PYTORCH_PORT").containsEntry("transform", "PORT")
                    .containsEntry("style_weight", "10.0");
        }
    }

    @Test
    void unreadableImagesAreSkippedAndCountedNotFatal(@TempDir Path dir) {
        TrainingFixtures.imageDir(dir.resolve("content"), "c", 5);
        TrainingFixtures.imageDir(dir.resolve("style"), "s", 3);
        Path bad = TrainingFixtures.truncated(dir.resolve("content/c_5_cut.png"));
        Recorder r = new Recorder();
        DecoderTrainer.Result result;
        try (DecoderTrainer t = builder(dir, dir.resolve("out"), r).iterations(8).build()) {
            result = t.run();
        }
        assertThat(result.completed()).isTrue();
        assertThat(result.skippedImages()).isEqualTo(1);
        assertThat(r.skipped).containsExactly(bad);
    }

    @Test
    void badSettingsAndDirectoriesAreRejectedAtBuild(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("out");
        Path empty = Files.createDirectories(dir.resolve("empty"));
        assertThatThrownBy(() -> builder(dir, out, new Recorder()).contentDir(empty).build())
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("content directory " + empty)
                .hasMessageContaining("holds no images");
        assertThatThrownBy(() -> builder(dir, out, new Recorder()).styleDir(dir.resolve("nope")).build())
                .isInstanceOf(InvalidRequestException.class)
                .hasMessage("The style directory " + dir.resolve("nope") + " does not exist");
        assertThatThrownBy(() -> builder(dir, out, new Recorder()).cropSize(32).imageSize(24).build())
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("at least the crop size");
        assertThatThrownBy(() -> builder(dir, out, new Recorder()).learningRate(-1).build())
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("learningRate");
        assertThatThrownBy(() -> builder(dir, out, new Recorder()).batchSize(0).build())
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("batchSize");
        Path file = Files.writeString(dir.resolve("file"), "x");
        assertThatThrownBy(() -> builder(dir, file, new Recorder()).build())
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("is a file");
        assertThat(FakeDecoderTraining.open).isZero();
    }

    @Test
    void theTrainedDecoderIsExportedAtomicallyAndAFailedExportPointsToTheCheckpoint(@TempDir Path dir)
            throws Exception {
        Path out = dir.resolve("export-ok");
        DecoderTrainer.Result r;
        try (DecoderTrainer t = builder(dir, out, new Recorder()).iterations(2).sampleEvery(0).build()) {
            r = t.run();
        }
        assertThat(r.decoderFile()).isEqualTo(out.resolve("decoder.h5"));
        assertThat(Files.readString(r.decoderFile())).startsWith("FAKE DECODER 9 convs, first kernel value "
                + DecoderTrainer.readCheckpoint(r.checkpoint()).weights().convs().get(0).kernelOihw()[0]);
        // and in the backend's own format, named by the backend
        assertThat(r.nativeDecoderFile()).isEqualTo(out.resolve("decoder.fake"));
        assertThat(Files.readString(r.nativeDecoderFile())).isEqualTo(Files.readString(r.decoderFile()));
        assertThat(CheckpointsTest.names(out)).containsExactly("checkpoints", "decoder.fake", "decoder.h5",
                "losses.csv"); // no temporary file left

        Path failing = dir.resolve("export-fails");
        try (DecoderTrainer t = builder(dir, failing, new Recorder()).iterations(2).sampleEvery(0).build()) {
            assertThatThrownBy(t::run).isInstanceOf(AdainException.class)
                    .hasMessageContaining("No space left on device (simulated)")
                    .hasMessageContaining("the trained weights are in " + failing.resolve(
                            "checkpoints/checkpoint-000000002.adain"));
        }
        assertThat(CheckpointsTest.names(failing)).containsExactly("checkpoints", "losses.csv");
    }

    @Test
    void stopBeforeRunReturnsAtOnceWithACheckpoint(@TempDir Path dir) {
        try (DecoderTrainer t = builder(dir, dir.resolve("out"), new Recorder()).sampleEvery(0).build()) {
            t.stop();
            DecoderTrainer.Result r = t.run();
            assertThat(r.completed()).isFalse();
            assertThat(r.iteration()).isZero();
            assertThat(r.checkpoint()).exists();
        }
    }
}
