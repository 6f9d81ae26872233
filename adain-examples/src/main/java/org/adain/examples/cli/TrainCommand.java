package org.adain.examples.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.adain.spi.LossTerms;
import org.adain.train.DecoderTrainer;
import org.adain.train.TrainingListener;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code adain train}: trains a decoder for an encoder with the PyTorch port's loss and schedule (or the Torch7 code's
 * with {@code --semantics torch7}), resumable, with
 * a progress bar, a loss log and plot, sample stylisations and checkpoints. Ctrl-C writes a checkpoint and exits;
 * {@code --resume} continues.
 */
@Command(name = "train", mixinStandardHelpOptions = true, versionProvider = AdainCli.Version.class,
        sortOptions = false,
        description = {"Train an AdaIN decoder for an encoder (e.g. your own VGG-19 weights).", "",
                "The encoder is frozen; the decoder learns content_weight·Lc + style_weight·Ls with Adam and the "
                        + "learning rate lr / (1 + lr_decay·i), as in the PyTorch port (defaults: 160000 iterations "
                        + "of 8 pairs, 256×256 crops); --semantics torch7 trains as the authors' train.lua (its style "
                        + "loss, torch7's Adam, style weight 0.01)."},
        footer = {"",
                "Written to OUT:",
                "  decoder.h5     the trained decoder (Keras HDF5), when the run completes",
                "  decoder.fb     the same in DL4J's native format (a SameDiff graph: with",
                "                 the dl4j backend; other backends may write their own)",
                "  losses.csv     one row per iteration: iteration, content_loss,",
                "                 style_loss_relu1_1..relu4_1, style_loss, total_loss, lr,",
                "                 seconds",
                "  losses.png     the loss curves, log scale (redrawn at each checkpoint)",
                "  checkpoints/   checkpoint-NNNNNNNNN.adain: weights, Adam state, iteration,",
                "                 sampling state; written atomically, the newest",
                "                 --keep-checkpoints kept",
                "  samples/       iteration_NNNNNNNNN.png: fixed content/style pairs and the",
                "                 result",
                "",
                "Ctrl-C stops after the current iteration and writes a checkpoint. Run the",
                "same command with --resume to continue: settings left out are taken from",
                "the checkpoint; an interrupted and resumed run ends as an uninterrupted",
                "one would (see docs/TRAINING.md).",
                "",
                "Example:",
                "  adain train --encoder vgg_normalised.h5 --content-dir coco/train2014 \\",
                "      --style-dir wikiart/train --out runs/decoder --seed 1"})
final class TrainCommand implements Callable<Integer> {
    /** Exit code after Ctrl-C (128 + SIGINT), as shells report it. */
    static final int EXIT_INTERRUPTED = 130;

    @Spec
    CommandSpec spec;

    @Option(names = "--encoder", required = true, paramLabel = "FILE",
            description = "Encoder weights: the normalised VGG-19, the Keras-applications VGG19 (notop), or a smaller "
                    + "network of the same shape.")
    Path encoder;

    @Option(names = "--content-dir", required = true, paramLabel = "DIR",
            description = "Content images (e.g. MS-COCO): the PNG, JPEG, BMP and GIF files (by extension, any "
                    + "case) in DIR and its subdirectories.")
    Path contentDir;

    @Option(names = "--style-dir", required = true, paramLabel = "DIR",
            description = "Style images (e.g. WikiArt), as for --content-dir.")
    Path styleDir;

    @Option(names = "--out", required = true, paramLabel = "DIR",
            description = "Output directory (created if missing); see below.")
    Path out;

    @Option(names = "--decoder-init", paramLabel = "FILE",
            description = "Start from this decoder instead of a fresh one (PyTorch's default init, from --seed).")
    Path decoderInit;

    @Option(names = "--iterations", paramLabel = "N", description = "Iterations in total. Default: 160000.")
    Long iterations;

    @Option(names = "--batch", paramLabel = "N", description = "Content/style pairs per iteration. Default: 8.")
    Integer batch;

    @Option(names = "--lr", paramLabel = "LR", description = "Adam's learning rate. Default: 1e-4.")
    Double lr;

    @Option(names = "--lr-decay", paramLabel = "D", description = "Learning-rate decay: lr_i = lr / (1 + D·i). "
            + "Default: 5e-5.")
    Double lrDecay;

    @Option(names = "--style-weight", paramLabel = "W", description = "Weight of the style loss. Default: 10 (0.01 "
            + "with --semantics torch7, the Lua default; the released decoder.t7 used 0.1).")
    Double styleWeight;

    @Option(names = "--content-weight", paramLabel = "W", description = "Weight of the content loss. Default: 1.")
    Double contentWeight;

    @Option(names = "--transform", paramLabel = "port|paper|torch7",
            description = "port: resize to SIZE×SIZE, then a random crop (the PyTorch port); paper: shorter side to "
                    + "SIZE keeping the aspect, then a random crop (the paper); torch7: as paper with torch/image's "
                    + "bilinear filter (the Lua code). Default: port (torch7 with --semantics torch7).")
    String transform;

    @Option(names = "--image-size", paramLabel = "SIZE", description = "Resize target. Default: 512.")
    Integer imageSize;

    @Option(names = "--crop", paramLabel = "N", description = "Random square crop size. Default: 256.")
    Integer crop;

    @Option(names = "--seed", paramLabel = "N",
            description = "Seed of every random draw (init, image order, crops). Default: random, printed and "
                    + "recorded in the checkpoints.")
    Long seed;

    @Option(names = "--checkpoint-every", paramLabel = "N", defaultValue = "10000",
            description = "Write a checkpoint every N iterations (also on Ctrl-C and at the end). "
                    + "Default: ${DEFAULT-VALUE}.")
    long checkpointEvery;

    @Option(names = "--keep-checkpoints", paramLabel = "N", defaultValue = "3",
            description = "Checkpoints kept (the newest). Default: ${DEFAULT-VALUE}.")
    int keepCheckpoints;

    @Option(names = "--sample-every", paramLabel = "N", defaultValue = "1000",
            description = "Stylise the validation pairs every N iterations; 0: never. Default: ${DEFAULT-VALUE}.")
    long sampleEvery;

    @Option(names = "--validation-pairs", paramLabel = "N", defaultValue = "4",
            description = "Validation pairs in the samples (the first images of each directory). "
                    + "Default: ${DEFAULT-VALUE}.")
    int validationPairs;

    @Option(names = "--resume", description = "Continue the run in --out from its newest intact checkpoint.")
    boolean resume;

    @Option(names = "--backend", paramLabel = "NAME",
            description = "Backend to train on, e.g. dl4j. Default: the system property adain.backend, else the "
                    + "best one found.")
    String backend;

    @Option(names = {"-q", "--quiet"}, description = "No progress bar (warnings and errors still go to stderr).")
    boolean quiet;

    /** Test hook: behaves as if Ctrl-C arrived during iteration N. */
    @Option(names = "--stop-after", hidden = true, paramLabel = "N")
    Long stopAfter;

    @Mixin
    SemanticsOption semantics;

    @Mixin
    DebugOption debug;

    @Override
    public Integer call() {
        PrintWriter outWriter = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        DecoderTrainer.Transform tf = parseTransform();
        ProgressBar bar = new ProgressBar(err, !quiet, System.console() != null);
        LossChart chart = new LossChart(out, message -> bar.line("adain: warning: " + AdainCli.oneLine(message)));
        DecoderTrainer.Builder b = DecoderTrainer.builder().encoder(encoder).contentDir(contentDir).styleDir(styleDir)
                .outputDir(out).checkpointEvery(checkpointEvery).keepCheckpoints(keepCheckpoints)
                .sampleEvery(sampleEvery).validationPairs(validationPairs).resume(resume)
                .listener(new Both(chart, bar));
        if (checkpointEvery < 1) {
            throw usage("--checkpoint-every must be at least 1, got " + checkpointEvery);
        }
        if (keepCheckpoints < 1) {
            throw usage("--keep-checkpoints must be at least 1, got " + keepCheckpoints);
        }
        if (sampleEvery < 0 || validationPairs < 0) {
            throw usage("--sample-every and --validation-pairs must be ≥ 0");
        }
        if (decoderInit != null) {
            b.decoderInit(decoderInit);
        }
        if (iterations != null) {
            b.iterations(positive("--iterations", iterations));
        }
        if (batch != null) {
            b.batchSize((int) positive("--batch", batch));
        }
        if (lr != null) {
            b.learningRate(lr);
        }
        if (lrDecay != null) {
            b.learningRateDecay(lrDecay);
        }
        if (styleWeight != null) {
            b.styleWeight(styleWeight);
        }
        if (contentWeight != null) {
            b.contentWeight(contentWeight);
        }
        if (tf != null) {
            b.transform(tf);
        }
        // not given: the default, or the resumed run's own
        if (spec.commandLine().getParseResult().hasMatchedOption("--semantics")) {
            b.semantics(semantics.semantics);
        }
        semantics.noticeForTorch7Weights(err, encoder, decoderInit);
        if (imageSize != null) {
            b.imageSize((int) positive("--image-size", imageSize));
        }
        if (crop != null) {
            b.cropSize((int) positive("--crop", crop));
        }
        if (seed != null) {
            b.seed(seed);
        }
        if (backend != null) {
            b.backend(backend);
        }
        CountDownLatch finished = new CountDownLatch(1);
        try (DecoderTrainer trainer = b.build()) {
            bar.trainer = trainer;
            bar.stopAfter = stopAfter == null ? -1 : stopAfter;
            int[] counts = trainer.imageCounts();
            bar.info(String.format(Locale.ROOT, "training a decoder on %s: %d content and %d style images, "
                    + "%s semantics, %s transform (%s, crop %s), batch %s, seed %d, %d iterations%s",
                    trainer.backendName(), counts[0], counts[1],
                    org.adain.Semantics.valueOf(trainer.settings().get("semantics")).cliName(),
                    trainer.settings().get("transform").toLowerCase(Locale.ROOT),
                    trainer.settings().get("image_size"), trainer.settings().get("crop"),
                    trainer.settings().get("batch"), trainer.seed(), trainer.totalIterations(),
                    trainer.resumedFrom() == null ? ""
                            : ", resuming at iteration " + trainer.iteration() + " from " + trainer.resumedFrom()));
            Thread hook = new Thread(() -> {
                trainer.stop();
                try {
                    // the main thread finishes the iteration, writes the checkpoint and reports, then releases us
                    finished.await(10, TimeUnit.MINUTES);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "adain-train-ctrl-c");
            Runtime.getRuntime().addShutdownHook(hook);
            try {
                DecoderTrainer.Result r = trainer.run();
                chart.redraw(r.iteration()); // unless the last checkpoint drew it already
                bar.finish();
                return report(r, trainer, outWriter, bar, chart.file());
            } finally {
                bar.finish();
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    // the hook is running: it waits for the latch below
                }
            }
        } finally {
            finished.countDown();
        }
    }

    private int report(DecoderTrainer.Result r, DecoderTrainer trainer, PrintWriter outWriter, ProgressBar bar,
            Path plot) {
        Path dir = trainer.outputDirectory();
        if (r.skippedImages() > 0) {
            bar.line("adain: warning: " + r.skippedImages() + " unreadable image file(s) were skipped");
        }
        if (!r.completed()) {
            bar.line("stopped at iteration " + r.iteration() + "; checkpoint " + r.checkpoint()
                    + "; run again with --resume to continue");
            outWriter.println(r.checkpoint());
            outWriter.flush();
            return EXIT_INTERRUPTED;
        }
        bar.info("done: " + r.iteration() + " iterations" + (r.lastLosses() == null ? ""
                : String.format(Locale.ROOT, ", last total loss %.4g", total(r.lastLosses(), trainer))));
        if (r.decoderFile() != null) {
            outWriter.println(r.decoderFile());
        }
        if (r.nativeDecoderFile() != null) {
            outWriter.println(r.nativeDecoderFile());
        }
        outWriter.println(dir.resolve(DecoderTrainer.LOSSES_CSV));
        if (Files.isRegularFile(plot)) {
            outWriter.println(plot);
        }
        outWriter.println(r.checkpoint());
        outWriter.flush();
        return AdainCli.EXIT_OK;
    }

    private static double total(LossTerms l, DecoderTrainer t) {
        return l.total(Double.parseDouble(t.settings().get("content_weight")),
                Double.parseDouble(t.settings().get("style_weight")));
    }

    private DecoderTrainer.Transform parseTransform() {
        if (transform == null) {
            return null;
        }
        return switch (transform.toLowerCase(Locale.ROOT)) {
            case "port" -> DecoderTrainer.Transform.PORT;
            case "paper" -> DecoderTrainer.Transform.PAPER;
            case "torch7" -> DecoderTrainer.Transform.TORCH7;
            default -> throw usage("--transform must be 'port', 'paper' or 'torch7', got '" + transform + "'");
        };
    }

    private long positive(String option, long v) {
        if (v < 1) {
            throw usage(option + " must be at least 1, got " + v);
        }
        return v;
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    /** Passes every event to two listeners: the plot first, then the progress lines that report it. */
    record Both(TrainingListener first, TrainingListener second) implements TrainingListener {
        @Override
        public void started(long iteration, long totalIterations, Path resumedFrom) {
            first.started(iteration, totalIterations, resumedFrom);
            second.started(iteration, totalIterations, resumedFrom);
        }

        @Override
        public void progress(Progress p) {
            first.progress(p);
            second.progress(p);
        }

        @Override
        public void skipped(Path file, String reason, int skippedSoFar) {
            first.skipped(file, reason, skippedSoFar);
            second.skipped(file, reason, skippedSoFar);
        }

        @Override
        public void checkpointWritten(Path file, long iteration) {
            first.checkpointWritten(file, iteration);
            second.checkpointWritten(file, iteration);
        }

        @Override
        public void samplesWritten(Path file, long iteration) {
            first.samplesWritten(file, iteration);
            second.samplesWritten(file, iteration);
        }

        @Override
        public void warning(String message) {
            first.warning(message);
            second.warning(message);
        }
    }

    /**
     * Progress on stderr. On a terminal one line redrawn in place:
     * {@code [####......]  1234/160000 (0.8%)  content 2.13  style 0.412 [0.012 0.1 0.2 0.1]  total 6.25  lr 9.4e-05
     * 3.2 it/s  ETA 13:52:10}; otherwise (a pipe, a log file) the same as a line at every percent and at the ends.
     */
    static final class ProgressBar implements TrainingListener {
        private final PrintWriter err;
        private final boolean enabled;
        private final boolean terminal;
        private boolean lineOpen;
        private long lastPrinted = -1;
        DecoderTrainer trainer;
        long stopAfter = -1;

        ProgressBar(PrintWriter err, boolean enabled, boolean terminal) {
            this.err = err;
            this.enabled = enabled;
            this.terminal = terminal;
        }

        /** Information, on a line of its own unless --quiet. */
        void info(String s) {
            if (enabled) {
                line(s);
            }
        }

        /** A message on a line of its own, even with --quiet. */
        synchronized void line(String s) {
            closeLine();
            err.println(s);
            err.flush();
        }

        synchronized void finish() {
            closeLine();
        }

        private void closeLine() {
            if (lineOpen) {
                err.println();
                err.flush();
                lineOpen = false;
            }
        }

        @Override
        public void progress(Progress p) {
            if (p.iteration() == stopAfter && trainer != null) {
                trainer.stop(); // exactly what the Ctrl-C hook does
            }
            if (!enabled) {
                return;
            }
            long step = Math.max(1, p.totalIterations() / 100);
            boolean due = p.iteration() == p.totalIterations() || lastPrinted < 0 || p.iteration() % step == 0;
            if (!terminal && !due) {
                return;
            }
            lastPrinted = p.iteration();
            String text = format(p);
            synchronized (this) {
                if (terminal) {
                    err.print("\r" + text + "\u001b[K");
                    lineOpen = true;
                } else {
                    err.println(text);
                }
                err.flush();
            }
        }

        static String format(Progress p) {
            int width = 20;
            double frac = p.totalIterations() == 0 ? 1 : (double) p.iteration() / p.totalIterations();
            int filled = (int) Math.min(width, Math.round(frac * width));
            double[] s = p.losses().styleLayers();
            return String.format(Locale.ROOT,
                    "[%s%s] %d/%d (%.1f%%)  content %.4g  style %.4g [%.3g %.3g %.3g %.3g]  total %.4g  lr %.3g  "
                            + "%.2f it/s  ETA %s",
                    "#".repeat(filled), ".".repeat(width - filled), p.iteration(), p.totalIterations(), 100 * frac,
                    p.losses().content(), p.losses().style(), s[0], s[1], s[2], s[3], p.totalLoss(), p.learningRate(),
                    p.iterationsPerSecond(), duration(p.etaSeconds()));
        }

        static String duration(double seconds) {
            if (!Double.isFinite(seconds) || seconds < 0) {
                return "--:--:--";
            }
            long s = Math.round(seconds);
            long d = s / 86400;
            return (d > 0 ? d + "d " : "") + String.format(Locale.ROOT, "%02d:%02d:%02d", s / 3600 % 24, s / 60 % 60,
                    s % 60);
        }

        @Override
        public void skipped(Path file, String reason, int skippedSoFar) {
            line("adain: warning: skipped an unreadable image (" + skippedSoFar + " so far): " + reason);
        }

        @Override
        public void checkpointWritten(Path file, long iteration) {
            info("checkpoint " + file);
        }

        @Override
        public void warning(String message) {
            line("adain: warning: " + AdainCli.oneLine(message));
        }
    }
}
