package org.adain.train;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import org.adain.AdainException;
import org.adain.BackendException;
import org.adain.Backends;
import org.adain.ImageTensor;
import org.adain.Images;
import org.adain.InvalidRequestException;
import org.adain.ModelException;
import org.adain.StyleRequest;
import org.adain.StyleTransfer;
import org.adain.format.WeightFormats;
import org.adain.spi.BackendProvider;
import org.adain.spi.DecoderTraining;
import org.adain.spi.DecoderWeights;
import org.adain.spi.EncoderWeights;
import org.adain.spi.LossTerms;
import org.adain.spi.TrainingConfig;
import org.adain.spi.TrainingState;
import org.adain.spi.WeightsWriter;

/**
 * Trains an AdaIN decoder for an encoder (SEMANTICS §9; the PyTorch port's loss, optimiser and schedule): the
 * encoder is frozen, the decoder learns to invert AdaIN's output with {@code contentWeight · Lc + styleWeight · Ls},
 * Adam with {@code lr_i = lr / (1 + lrDecay · i)}. The numerical work runs in a backend
 * ({@link BackendProvider#train}); this class does the rest: the data, checkpoints, the loss log, samples and the
 * export. It draws no plot: the {@code adain train} command draws {@code losses.png} from the {@link LossLog}.
 *
 * <pre>{@code
 * try (DecoderTrainer t = DecoderTrainer.builder()
 *         .encoder(Path.of("vgg_normalised.h5"))
 *         .contentDir(Path.of("coco/train2014"))
 *         .styleDir(Path.of("wikiart/train"))
 *         .outputDir(Path.of("runs/my-decoder"))
 *         .seed(42)
 *         .listener(myListener)
 *         .build()) {
 *     DecoderTrainer.Result r = t.run();   // returns early, checkpointed, when t.stop() is called
 * }
 * }</pre>
 *
 * <p><b>Output directory</b> ({@code OUT}):
 * <ul>
 *   <li>{@code OUT/decoder.h5}: the trained decoder as a Keras HDF5 model (when the run completes and a writer for
 *   it is on the classpath, e.g. from {@code org.adain:adain-dl4j}); {@code StyleTransfer.builder().decoder(..)}
 *   reads it;</li>
 *   <li>{@code OUT/losses.csv}: one row per iteration, written as the run goes (see {@link LossLog}, which also
 *   reads it back, e.g. to plot it);</li>
 *   <li>{@code OUT/checkpoints/checkpoint-NNNNNNNNN.adain}: decoder weights, Adam moments, iteration, sampling state
 *   and settings, written atomically every {@code checkpointEvery} iterations, when stopped, and at the end; the
 *   newest {@code keepCheckpoints} are kept;</li>
 *   <li>{@code OUT/samples/iteration_NNNNNNNNN.png}: fixed validation pairs stylised with the current decoder, one row
 *   per pair (content, style, result).</li>
 * </ul>
 *
 * <p><b>Reproducibility.</b> Every random draw (the fresh decoder, the order of images, the crops) comes from the
 * seed; the order does not depend on thread timing. A run stopped and resumed ({@link Builder#resume}) continues with
 * the exact weights, Adam moments and sampling position of its last checkpoint, so it ends with the same weights as
 * an uninterrupted run with the same seed, to the extent the backend's step is deterministic (see the backend's
 * documentation; docs/TRAINING.md).
 *
 * <p>Not thread-safe except {@link #stop()}, which any thread (e.g. a shutdown hook) may call. Holds the backend's
 * training session: close it.
 */
public final class DecoderTrainer implements AutoCloseable {
    /** File name of the loss log in the output directory; {@link LossLog} describes and reads it. */
    public static final String LOSSES_CSV = "losses.csv";
    /** File name of the exported decoder. */
    public static final String DECODER_FILE = "decoder.h5";
    /** Subdirectory of the checkpoints. */
    public static final String CHECKPOINTS = "checkpoints";
    /** Subdirectory of the sample stylisations. */
    public static final String SAMPLES = "samples";

    /** How each training image is brought to the crop size (SEMANTICS §9). */
    public enum Transform {
        /** The PyTorch port: resize to {@code size×size} (aspect ratio not kept), then a random crop. */
        PORT,
        /**
         * The paper: the shorter side to {@code size} keeping the aspect (PIL's bilinear filter), then a random
         * crop.
         */
        PAPER,
        /**
         * The authors' Lua loader ({@code lib/ImageLoaderAsync.lua:156-161, 204-220}): the shorter side to
         * {@code size} keeping the aspect with torch/image's bilinear filter ({@link org.adain.Semantics#TORCH7}
         * resizing), then a random crop. The default under Torch7 semantics.
         */
        TORCH7
    }

    /**
     * How a {@link #run()} ended.
     *
     * @param iteration     iterations done
     * @param completed     true when {@code iteration} reached the run's total, false when stopped
     * @param decoderFile       the exported Keras HDF5 decoder, or null (stopped, or no writer for it)
     * @param nativeDecoderFile the decoder in the backend's own format ({@code decoder.fb} for DL4J), or null
     *                          (stopped, or the backend has none; see {@link BackendProvider#nativeDecoderExtension})
     * @param checkpoint        the checkpoint holding this state
     * @param skippedImages     image files left out as unreadable (content and style directories counted separately)
     * @param lastLosses        the last step's loss terms, or null when no step ran
     */
    public record Result(long iteration, boolean completed, Path decoderFile, Path nativeDecoderFile, Path checkpoint,
            int skippedImages, LossTerms lastLosses) {
    }

    private final Settings s;
    private final EncoderWeights encoder;
    private final BackendProvider provider;
    private final TrainingData contents;
    private final TrainingData styles;
    private final TrainingListener listener;
    private final Path resumedFrom;
    private final DecoderTraining session;
    private long contentCursor;
    private long styleCursor;
    private double elapsedBefore;
    private long lastCheckpointIteration = -1;
    private Path lastCheckpoint;
    private List<ImageTensor[]> validation;
    private volatile boolean stopRequested;
    private volatile boolean running;
    private boolean closed;

    private DecoderTrainer(Settings s, EncoderWeights encoder, BackendProvider provider, TrainingData contents,
            TrainingData styles, TrainingListener listener, DecoderTraining session, Checkpoints.Checkpoint resume,
            Path resumedFrom) {
        this.s = s;
        this.encoder = encoder;
        this.provider = provider;
        this.contents = contents;
        this.styles = styles;
        this.listener = listener;
        this.session = session;
        this.resumedFrom = resumedFrom;
        if (resume != null) {
            contentCursor = resume.contentCursor();
            styleCursor = resume.styleCursor();
            elapsedBefore = resume.elapsedSeconds();
            lastCheckpointIteration = resume.iteration();
            lastCheckpoint = resumedFrom;
        }
    }

    /**
     * Starts the settings of a training run.
     *
     * @return a builder with the PyTorch port's defaults
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A fresh decoder for {@code encoder}: the mirror of its channel counts (a small test encoder gets a small
     * decoder), initialised like PyTorch's {@code Conv2d} (U(−1/√fan_in, 1/√fan_in) for kernels and biases) from
     * {@code seed}.
     *
     * @param encoder the encoder the decoder is for
     * @param seed    the seed of the draws; equal seeds give equal weights
     * @return the decoder's weights
     */
    public static DecoderWeights freshDecoder(EncoderWeights encoder, long seed) {
        return DecoderInit.fresh(Objects.requireNonNull(encoder, "encoder"), seed);
    }

    /**
     * The state a checkpoint file holds (decoder weights, Adam moments, iteration), e.g. to use or export the
     * decoder of an unfinished run. The format is described in docs/TRAINING.md.
     *
     * @param file a checkpoint, {@code OUT/checkpoints/checkpoint-NNNNNNNNN.adain}
     * @return the training state it holds
     * @throws AdainException the file is missing, not a checkpoint, truncated or corrupt (checksum)
     */
    public static TrainingState readCheckpoint(Path file) {
        return Checkpoints.read(Objects.requireNonNull(file, "file")).state();
    }

    /**
     * Trains until the configured number of iterations or until {@link #stop()}; then writes a checkpoint (unless
     * one for this iteration exists) and, when complete, {@code decoder.h5} and the backend's native decoder file.
     * A stop is final for this trainer: to continue, build a new one with {@link Builder#resume resume(true)}.
     *
     * @return how the run ended
     * @throws IllegalStateException   the trainer is closed, or {@code run()} is already running
     *
     * @throws InvalidRequestException a directory turned out to hold no readable image
     * @throws AdainException          the loss became NaN/Inf (the last good checkpoint stays), or a file cannot be
     *                                 written
     */
    public Result run() {
        if (closed) {
            throw new IllegalStateException("This DecoderTrainer is closed");
        }
        if (running) {
            throw new IllegalStateException("run() is already running");
        }
        running = true;
        long start = System.nanoTime();
        ArrayDeque<Long> recent = new ArrayDeque<>();
        LossTerms last = null;
        long it = session.iteration();
        try (LossLogWriter log = LossLogWriter.open(s.out.resolve(LOSSES_CSV), it)) {
            listener.started(it, s.iterations, resumedFrom);
            if (it == 0 && s.sampleEvery > 0 && s.validationPairs > 0) {
                samples(0);
            }
            try (BatchLoader loader = new BatchLoader(contents, styles,
                    new BatchLoader.Plan(s.seed, s.batch, s.transform, s.imageSize, s.crop), contentCursor, styleCursor,
                    s.prefetch, s.loaderThreads)) {
                if (it < s.iterations && !stopRequested) {
                    loader.start();
                }
                recent.add(System.nanoTime());
                while (it < s.iterations && !stopRequested) {
                    BatchLoader.Batch b;
                    try {
                        b = loader.take();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        break;
                    }
                    for (BatchLoader.Skip k : b.skips()) {
                        listener.skipped(k.file(), k.reason(), k.skippedSoFar());
                    }
                    double lr = s.config.learningRateAt(it);
                    LossTerms l = session.step(b.contents(), b.styles());
                    long done = session.iteration();
                    if (done != it + 1) {
                        throw new BackendException("Backend '" + provider.name() + "' reported iteration " + done
                                + " after step " + (it + 1));
                    }
                    it = done;
                    double total = l.total(s.config.contentWeight(), s.config.styleWeight());
                    if (!Double.isFinite(total)) {
                        throw new AdainException("Training diverged at iteration " + it + ": the loss is " + total
                                + " (" + l + "). Lower the learning rate, or resume from the last checkpoint ("
                                + (lastCheckpoint == null ? "none yet" : lastCheckpoint) + ") with other settings");
                    }
                    last = l;
                    contentCursor = b.contentCursor();
                    styleCursor = b.styleCursor();
                    long now = System.nanoTime();
                    double elapsed = elapsedBefore + (now - start) / 1e9;
                    log.append(LossLog.Row.of(it, l, s.config.contentWeight(), s.config.styleWeight(), lr, elapsed));
                    recent.add(now);
                    while (recent.size() > 51) {
                        recent.removeFirst();
                    }
                    double rate = recent.size() < 2 ? 0
                            : (recent.size() - 1) / ((recent.getLast() - recent.getFirst()) / 1e9);
                    double eta = rate > 0 ? (s.iterations - it) / rate : Double.NaN;
                    listener.progress(new TrainingListener.Progress(it, s.iterations, l, total, lr, rate, eta,
                            elapsed));
                    if (it % s.checkpointEvery == 0) {
                        checkpoint(it, elapsed);
                    }
                    if (s.sampleEvery > 0 && s.validationPairs > 0 && it % s.sampleEvery == 0) {
                        samples(it);
                    }
                }
            }
            double elapsed = elapsedBefore + (System.nanoTime() - start) / 1e9;
            if (lastCheckpointIteration != it) {
                checkpoint(it, elapsed);
            }
            boolean completed = it >= s.iterations;
            Path exported = null;
            Path exportedNative = null;
            if (completed) {
                if (s.sampleEvery > 0 && s.validationPairs > 0 && it % s.sampleEvery != 0) {
                    samples(it);
                }
                DecoderWeights trained = session.weights();
                exported = export(trained, DECODER_FILE, "Keras HDF5 (add org.adain:adain-dl4j)");
                String ext = provider.nativeDecoderExtension().orElse(null);
                if (ext != null) {
                    exportedNative = export(trained, "decoder." + ext, "backend '" + provider.name() + "' (." + ext
                            + ")");
                }
            }
            elapsedBefore = elapsed;
            return new Result(it, completed, exported, exportedNative, lastCheckpoint,
                    contents.badCount() + styles.badCount(), last);
        } finally {
            running = false;
        }
    }

    private void checkpoint(long it, double elapsed) {
        TrainingState state = session.state();
        if (state.iteration() != it) {
            throw new BackendException("Backend '" + provider.name() + "' gave a training state of iteration "
                    + state.iteration() + " at iteration " + it);
        }
        Checkpoints.Checkpoint c = new Checkpoints.Checkpoint(state, s.seed, contentCursor, styleCursor, elapsed,
                s.settings);
        lastCheckpoint = Checkpoints.write(s.out.resolve(CHECKPOINTS), c, s.keepCheckpoints);
        lastCheckpointIteration = it;
        listener.checkpointWritten(lastCheckpoint, it);
    }

    /** Stylises the validation pairs with the current decoder; a failure is a warning, not the end of the run. */
    private void samples(long it) {
        try {
            if (validation == null) {
                validation = validationPairs();
            }
            if (validation.isEmpty()) {
                return;
            }
            int crop = s.crop;
            int gap = 4;
            BufferedImage grid = new BufferedImage(3 * crop + 2 * gap, validation.size() * (crop + gap) - gap,
                    BufferedImage.TYPE_INT_RGB);
            Graphics2D g = grid.createGraphics();
            try (StyleTransfer st = StyleTransfer.builder().weights(encoder, session.weights()).backend(provider)
                    .build()) {
                g.setColor(Color.WHITE);
                g.fillRect(0, 0, grid.getWidth(), grid.getHeight());
                for (int i = 0; i < validation.size(); i++) {
                    ImageTensor c = validation.get(i)[0];
                    ImageTensor st2 = validation.get(i)[1];
                    ImageTensor out = st.stylizeTensor(StyleRequest.builder().content(c).style(st2).contentSize(0)
                            .styleSize(0).build());
                    int y = i * (crop + gap);
                    g.drawImage(c.toImage(), 0, y, null);
                    g.drawImage(st2.toImage(), crop + gap, y, null);
                    g.drawImage(out.toImage(), 2 * (crop + gap), y, null);
                }
            } finally {
                g.dispose();
            }
            Path dir = s.out.resolve(SAMPLES);
            Files.createDirectories(dir);
            Path file = dir.resolve(String.format(Locale.ROOT, "iteration_%09d.png", it));
            Images.write(grid, file);
            listener.samplesWritten(file, it);
        } catch (AdainException | IOException | IllegalArgumentException e) {
            listener.warning("Sample stylisations at iteration " + it + " failed: " + e.getMessage());
        }
    }

    /** The first {@code validationPairs} readable files of each directory, as centre crops of the crop size. */
    private List<ImageTensor[]> validationPairs() {
        List<ImageTensor> c = firstReadable(contents, s.validationPairs);
        List<ImageTensor> st = firstReadable(styles, s.validationPairs);
        List<ImageTensor[]> pairs = new ArrayList<>();
        for (int i = 0; i < Math.min(c.size(), st.size()); i++) {
            pairs.add(new ImageTensor[] {c.get(i), st.get(i)});
        }
        return pairs;
    }

    private List<ImageTensor> firstReadable(TrainingData data, int n) {
        List<ImageTensor> out = new ArrayList<>();
        for (int i = 0; i < data.size() && out.size() < n; i++) {
            if (data.isBad(i)) {
                continue;
            }
            try {
                out.add(TrainingData.validationView(TrainingData.read(data.files().get(i)), s.crop));
            } catch (AdainException e) {
                // the loader reports it when it meets the file
            }
        }
        return out;
    }

    /**
     * Writes {@code OUT/<fileName>} with the first {@link WeightsWriter} for its extension (atomically); null and a
     * warning when there is none.
     */
    private Path export(DecoderWeights weights, String fileName, String formatDescription) {
        Path target = s.out.resolve(fileName).toAbsolutePath();
        WeightsWriter writer;
        try {
            writer = WeightFormats.writerFor(target, DecoderTrainer.class.getClassLoader());
        } catch (BackendException e) {
            throw new BackendException(e.getMessage() + "; " + target.getFileName() + " was not written, the trained "
                    + "weights are in " + lastCheckpoint, e);
        }
        if (writer == null) {
            listener.warning("No writer for " + formatDescription + " on the classpath: " + target
                    + " was not written; the last checkpoint (" + lastCheckpoint + ") holds the trained weights");
            return null;
        }
        WeightsWriter chosen = writer;
        try {
            WeightFormats.writeAtomically(target, tmp -> {
                try {
                    chosen.writeDecoder(weights, tmp);
                } catch (AdainException e) {
                    throw new AdainException("Cannot write " + target + " (" + chosen.formatName() + "): "
                            + e.getMessage() + "; the trained weights are in " + lastCheckpoint, e);
                }
            });
        } catch (IOException e) {
            throw new AdainException("Cannot write " + target + ": " + e.getMessage() + "; the trained weights are in "
                    + lastCheckpoint, e);
        }
        return s.out.resolve(fileName);
    }

    /**
     * Asks a running {@link #run()} to stop after the current iteration; it then writes a checkpoint and returns.
     * Safe to call from any thread, e.g. a shutdown hook on Ctrl-C. Before {@code run()}, makes it return at once.
     */
    public void stop() {
        stopRequested = true;
    }

    /**
     * Whether {@link #run()} is executing.
     *
     * @return true while {@code run()} has not returned
     */
    public boolean isRunning() {
        return running;
    }

    /**
     * Iterations done so far (from the checkpoint when resumed).
     *
     * @return the iterations done
     */
    public long iteration() {
        return session.iteration();
    }

    /**
     * The decoder's current weights.
     *
     * @return a snapshot of the weights
     */
    public DecoderWeights weights() {
        return session.weights();
    }

    /**
     * The seed in use (drawn at random and recorded in the checkpoints when none was given).
     *
     * @return the seed
     */
    public long seed() {
        return s.seed;
    }

    /**
     * The number of iterations {@link #run()} goes to.
     *
     * @return the run's total
     */
    public long totalIterations() {
        return s.iterations;
    }

    /**
     * The checkpoint this trainer resumed from.
     *
     * @return the checkpoint file, or null for a fresh start
     */
    public Path resumedFrom() {
        return resumedFrom;
    }

    /**
     * Where checkpoints, the loss log, samples and the decoder go.
     *
     * @return the output directory as given to {@link Builder#outputDir}
     */
    public Path outputDirectory() {
        return s.out;
    }

    /**
     * Name of the backend doing the training.
     *
     * @return the backend's name, e.g. "dl4j"
     */
    public String backendName() {
        return provider.name();
    }

    /**
     * Image files found in the two directories.
     *
     * @return {@code [contents, styles]}
     */
    public int[] imageCounts() {
        return new int[] {contents.size(), styles.size()};
    }

    /**
     * The settings a checkpoint records (hyper-parameters, data transform, seed, fingerprints), e.g.
     * {@code settings().get("batch")}.
     *
     * @return the settings by key, sorted, unmodifiable
     */
    public Map<String, String> settings() {
        return Collections.unmodifiableSortedMap(s.settings);
    }

    /** Frees the backend's session. Call after {@link #run()} returned; idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        stopRequested = true;
        closed = true;
        session.close();
    }

    /** The validated, resolved settings. */
    private record Settings(Path out, long iterations, int batch, TrainingConfig config, Transform transform,
            int imageSize, int crop, long seed, long checkpointEvery, int keepCheckpoints, long sampleEvery,
            int validationPairs, int prefetch, int loaderThreads, SortedMap<String, String> settings) {
    }

    /**
     * Settings of a training run. Required: {@link #encoder}, {@link #contentDir}, {@link #styleDir},
     * {@link #outputDir}. Defaults are the PyTorch port's (SEMANTICS §9.1). Everything is checked in
     * {@link #build()}. On {@link #resume}, settings not given are taken from the checkpoint, and given ones that
     * would change the run (seed, batch, transform, sizes, optimiser) must match it; the number of iterations may
     * change.
     */
    public static final class Builder {
        private Path encoderFile;
        private EncoderWeights encoderWeights;
        private Path decoderFile;
        private DecoderWeights decoderWeights;
        private Path contentDir;
        private Path styleDir;
        private Path outputDir;
        private Long iterations;
        private Integer batch;
        private Double lr;
        private Double lrDecay;
        private Double contentWeight;
        private Double styleWeight;
        private Double beta1;
        private Double beta2;
        private Double epsilon;
        private Transform transform;
        private org.adain.Semantics semantics;
        private Integer imageSize;
        private Integer crop;
        private Long seed;
        private long checkpointEvery = 10_000;
        private int keepCheckpoints = 3;
        private long sampleEvery = 1000;
        private int validationPairs = 4;
        private int prefetch = 2;
        private int loaderThreads = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors() / 2));
        private boolean resume;
        private TrainingListener listener;
        private String backendName;
        private BackendProvider provider;

        private Builder() {
        }

        /**
         * Required: the encoder weight file (any supported format).
         *
         * @param file the encoder weight file
         * @return this builder
         */
        public Builder encoder(Path file) {
            this.encoderFile = file;
            this.encoderWeights = null;
            return this;
        }

        /**
         * Required (or {@link #encoder(Path)}): the encoder weights in memory.
         *
         * @param weights the encoder weights
         * @return this builder
         */
        public Builder encoder(EncoderWeights weights) {
            this.encoderWeights = Objects.requireNonNull(weights, "weights");
            this.encoderFile = null;
            return this;
        }

        /**
         * Optional: start from this decoder instead of a fresh one (ignored, with a warning, on resume).
         *
         * @param file a decoder weight file (any supported format)
         * @return this builder
         */
        public Builder decoderInit(Path file) {
            this.decoderFile = file;
            this.decoderWeights = null;
            return this;
        }

        /**
         * Optional: start from these decoder weights.
         *
         * @param weights the decoder weights
         * @return this builder
         */
        public Builder decoderInit(DecoderWeights weights) {
            this.decoderWeights = Objects.requireNonNull(weights, "weights");
            this.decoderFile = null;
            return this;
        }

        /**
         * Required: the content images (e.g. MS-COCO), subdirectories included.
         *
         * @param dir the directory of content images
         * @return this builder
         */
        public Builder contentDir(Path dir) {
            this.contentDir = dir;
            return this;
        }

        /**
         * Required: the style images (e.g. WikiArt), subdirectories included.
         *
         * @param dir the directory of style images
         * @return this builder
         */
        public Builder styleDir(Path dir) {
            this.styleDir = dir;
            return this;
        }

        /**
         * Required: where checkpoints, logs, samples and the decoder go; created if missing.
         *
         * @param dir the output directory
         * @return this builder
         */
        public Builder outputDir(Path dir) {
            this.outputDir = dir;
            return this;
        }

        /**
         * Total iterations; default 160 000.
         *
         * @param n iterations in total, at least 1
         * @return this builder
         */
        public Builder iterations(long n) {
            this.iterations = n;
            return this;
        }

        /**
         * Pairs per step; default 8.
         *
         * @param n content/style pairs per step, at least 1
         * @return this builder
         */
        public Builder batchSize(int n) {
            this.batch = n;
            return this;
        }

        /**
         * Adam's base learning rate; default 1e-4.
         *
         * @param lr the base learning rate, positive
         * @return this builder
         */
        public Builder learningRate(double lr) {
            this.lr = lr;
            return this;
        }

        /**
         * The decay in {@code lr / (1 + decay · i)}; default 5e-5.
         *
         * @param decay the decay, ≥ 0
         * @return this builder
         */
        public Builder learningRateDecay(double decay) {
            this.lrDecay = decay;
            return this;
        }

        /**
         * Default 1.
         *
         * @param w the weight of the content loss, ≥ 0
         * @return this builder
         */
        public Builder contentWeight(double w) {
            this.contentWeight = w;
            return this;
        }

        /**
         * Default 10 (the port's), 1e-2 under Torch7 {@link #semantics} (the Lua default; SEMANTICS §9.2).
         *
         * @param w the weight of the style loss, ≥ 0
         * @return this builder
         */
        public Builder styleWeight(double w) {
            this.styleWeight = w;
            return this;
        }

        /**
         * Adam's betas and epsilon; default 0.9, 0.999, 1e-8.
         *
         * @param beta1   the first moment's decay, in [0, 1)
         * @param beta2   the second moment's decay, in [0, 1)
         * @param epsilon added to the denominator, positive
         * @return this builder
         */
        public Builder adam(double beta1, double beta2, double epsilon) {
            this.beta1 = beta1;
            this.beta2 = beta2;
            this.epsilon = epsilon;
            return this;
        }

        /**
         * Whose losses, Adam update and defaults to train with ({@link TrainingConfig#semantics()}); default
         * {@link org.adain.Semantics#PYTORCH_PORT} (or the resumed run's). {@link org.adain.Semantics#TORCH7} trains
         * as the authors' {@code train.lua}: its style loss, torch7's Adam, style weight 1e-2 and
         * {@link Transform#TORCH7} unless set otherwise.
         *
         * @param s the semantics
         * @return this builder
         */
        public Builder semantics(org.adain.Semantics s) {
            this.semantics = Objects.requireNonNull(s, "semantics");
            return this;
        }

        /**
         * Default {@link Transform#PORT} ({@link Transform#TORCH7} under Torch7 {@link #semantics}).
         *
         * @param t the transform
         * @return this builder
         */
        public Builder transform(Transform t) {
            this.transform = Objects.requireNonNull(t, "transform");
            return this;
        }

        /**
         * The resize target of the transform; default 512.
         *
         * @param size the resize target, from the crop size to 8192
         * @return this builder
         */
        public Builder imageSize(int size) {
            this.imageSize = size;
            return this;
        }

        /**
         * Side of the random square crop; default 256.
         *
         * @param size the crop's side, at least 9 and at most the image size
         * @return this builder
         */
        public Builder cropSize(int size) {
            this.crop = size;
            return this;
        }

        /**
         * Seed of every random draw; default: drawn at random, recorded in the checkpoints.
         *
         * @param seed the seed
         * @return this builder
         */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * Checkpoint every n iterations (also when stopped and at the end); default 10 000.
         *
         * @param n iterations between checkpoints, at least 1
         * @return this builder
         */
        public Builder checkpointEvery(long n) {
            this.checkpointEvery = n;
            return this;
        }

        /**
         * How many checkpoints to keep, newest first; default 3.
         *
         * @param n checkpoints kept, at least 1
         * @return this builder
         */
        public Builder keepCheckpoints(int n) {
            this.keepCheckpoints = n;
            return this;
        }

        /**
         * Sample stylisations every n iterations (and at the start and the end); 0 turns them off; default 1000.
         *
         * @param n iterations between samples, ≥ 0
         * @return this builder
         */
        public Builder sampleEvery(long n) {
            this.sampleEvery = n;
            return this;
        }

        /**
         * How many fixed validation pairs the samples show (the first files of each directory); default 4.
         *
         * @param n pairs shown, ≥ 0
         * @return this builder
         */
        public Builder validationPairs(int n) {
            this.validationPairs = n;
            return this;
        }

        /**
         * Batches prepared ahead of the training loop; default 2.
         *
         * @param batches batches prepared ahead, at least 1
         * @return this builder
         */
        public Builder prefetch(int batches) {
            this.prefetch = batches;
            return this;
        }

        /**
         * Threads decoding images; default half the processors, 1 to 4. Does not change the result.
         *
         * @param n decoding threads, at least 1
         * @return this builder
         */
        public Builder loaderThreads(int n) {
            this.loaderThreads = n;
            return this;
        }

        /**
         * Continue the run in the output directory from its newest intact checkpoint. Without it, an output
         * directory that holds checkpoints is refused (so a run is never overwritten by accident).
         *
         * @param resume true to continue the run in the output directory
         * @return this builder
         */
        public Builder resume(boolean resume) {
            this.resume = resume;
            return this;
        }

        /**
         * Receives progress, skipped files, checkpoints, samples and warnings.
         *
         * @param listener the listener, or null for none
         * @return this builder
         */
        public Builder listener(TrainingListener listener) {
            this.listener = listener;
            return this;
        }

        /**
         * The backend by name, as in {@link StyleTransfer.Builder#backend(String)}.
         *
         * @param name the backend's name (any case), or null for the default choice
         * @return this builder
         */
        public Builder backend(String name) {
            this.backendName = name;
            return this;
        }

        /**
         * This backend instance, bypassing discovery.
         *
         * @param provider the backend
         * @return this builder
         */
        public Builder backend(BackendProvider provider) {
            this.provider = Objects.requireNonNull(provider, "provider");
            return this;
        }

        /**
         * Checks every setting and directory, reads the weights (or the checkpoint) and opens the backend's
         * training session.
         *
         * @return the trainer, ready to {@link DecoderTrainer#run() run}; close it
         * @throws InvalidRequestException a setting is missing or out of range, a directory is missing, unreadable
         *                                 or without images, the output holds a run and resume was not asked for
         *                                 (or was, and it holds none), or a setting contradicts the checkpoint
         * @throws ModelException          a weight file is unusable, or the decoder does not fit the encoder
         * @throws BackendException        no backend, or it cannot train
         */
        public DecoderTrainer build() {
            TrainingListener l = listener != null ? listener : new TrainingListener() {
            };
            if (encoderFile == null && encoderWeights == null) {
                throw new InvalidRequestException("No encoder: call encoder(path) (CLI --encoder)");
            }
            if (outputDir == null) {
                throw new InvalidRequestException("No output directory: call outputDir(path) (CLI --out)");
            }
            positive("checkpointEvery", checkpointEvery);
            positive("keepCheckpoints", keepCheckpoints);
            positive("prefetch", prefetch);
            positive("loaderThreads", loaderThreads);
            if (sampleEvery < 0 || validationPairs < 0) {
                throw new InvalidRequestException("sampleEvery and validationPairs must be ≥ 0 (0: no samples)");
            }
            TrainingData contents = TrainingData.scan(contentDir, "content");
            TrainingData styles = TrainingData.scan(styleDir, "style");
            Path out = prepareOutput(outputDir);
            Path ckptDir = out.resolve(CHECKPOINTS);
            Checkpoints.Checkpoint ckpt = null;
            Path ckptFile = null;
            List<Path> existing = Checkpoints.list(ckptDir);
            if (resume) {
                Path[] found = new Path[1];
                ckpt = Checkpoints.latest(ckptDir, l::warning, found);
                if (ckpt == null) {
                    throw new InvalidRequestException("Nothing to resume: " + ckptDir + " holds no checkpoint; start "
                            + "without resume");
                }
                ckptFile = found[0];
            } else if (!existing.isEmpty()) {
                throw new InvalidRequestException("The output directory " + out + " already holds a training run ("
                        + existing.get(existing.size() - 1).getFileName() + "); resume it (CLI --resume) or choose "
                        + "another output directory");
            }
            Map<String, String> from = ckpt == null ? Map.of() : ckpt.settings();
            long its = iterations != null ? iterations : longOf(from, "iterations", 160_000);
            int b = batch != null ? batch : (int) longOf(from, "batch", 8);
            org.adain.Semantics sem = semantics != null ? semantics
                    : from.containsKey("semantics") ? org.adain.Semantics.valueOf(from.get("semantics"))
                    : org.adain.Semantics.PYTORCH_PORT;
            Transform tf = transform != null ? transform
                    : from.containsKey("transform") ? Transform.valueOf(from.get("transform"))
                    : sem == org.adain.Semantics.TORCH7 ? Transform.TORCH7 : Transform.PORT;
            int size = imageSize != null ? imageSize : (int) longOf(from, "image_size", 512);
            int cr = crop != null ? crop : (int) longOf(from, "crop", 256);
            long sd = seed != null ? seed : ckpt != null ? ckpt.seed() : new SecureRandom().nextLong();
            positive("iterations", its);
            positive("batchSize", b);
            if (cr < StyleTransfer.MIN_SIDE) {
                throw new InvalidRequestException("The crop size must be at least " + StyleTransfer.MIN_SIDE
                        + " (the network's smallest input), got " + cr);
            }
            if (size < cr) {
                throw new InvalidRequestException("The image size (" + size + ") must be at least the crop size ("
                        + cr + ")");
            }
            if (size > 8192) {
                throw new InvalidRequestException("The image size must be at most 8192, got " + size);
            }
            TrainingConfig defaults = TrainingConfig.defaults(sem);
            TrainingConfig config;
            try {
                config = new TrainingConfig(
                        pick(lr, from, "lr", defaults.learningRate()),
                        pick(lrDecay, from, "lr_decay", defaults.learningRateDecay()),
                        pick(contentWeight, from, "content_weight", defaults.contentWeight()),
                        pick(styleWeight, from, "style_weight", defaults.styleWeight()),
                        pick(beta1, from, "beta1", defaults.beta1()),
                        pick(beta2, from, "beta2", defaults.beta2()),
                        pick(epsilon, from, "epsilon", defaults.epsilon()), sem);
            } catch (IllegalArgumentException e) {
                throw new InvalidRequestException(e.getMessage(), e);
            }

            ClassLoader loader = DecoderTrainer.class.getClassLoader();
            BackendProvider chosen = provider != null ? provider : Backends.select(backendName, loader);
            EncoderWeights enc = encoderWeights != null ? encoderWeights : WeightFormats.readEncoder(encoderFile, loader);
            String encHash = DecoderInit.fingerprint(enc);

            SortedMap<String, String> settings = new TreeMap<>();
            settings.put("iterations", Long.toString(its));
            settings.put("batch", Integer.toString(b));
            settings.put("transform", tf.name());
            settings.put("semantics", sem.name());
            settings.put("image_size", Integer.toString(size));
            settings.put("crop", Integer.toString(cr));
            settings.put("seed", Long.toString(sd));
            settings.put("lr", Double.toString(config.learningRate()));
            settings.put("lr_decay", Double.toString(config.learningRateDecay()));
            settings.put("content_weight", Double.toString(config.contentWeight()));
            settings.put("style_weight", Double.toString(config.styleWeight()));
            settings.put("beta1", Double.toString(config.beta1()));
            settings.put("beta2", Double.toString(config.beta2()));
            settings.put("epsilon", Double.toString(config.epsilon()));
            settings.put("encoder_sha256", encHash);
            settings.put("encoder", enc.source());
            settings.put("content_files_sha256", contents.fingerprint());
            settings.put("style_files_sha256", styles.fingerprint());
            settings.put("backend", chosen.name());

            DecoderWeights initial;
            if (ckpt != null) {
                checkCompatible(ckpt, ckptFile, settings, sd, l);
                settings.put("decoder_init", from.getOrDefault("decoder_init", "unknown"));
                if (decoderFile != null || decoderWeights != null) {
                    l.warning("The initial decoder is ignored on resume: the weights come from " + ckptFile);
                }
                initial = ckpt.state().weights();
            } else if (decoderWeights != null || decoderFile != null) {
                initial = decoderWeights != null ? decoderWeights : WeightFormats.readDecoder(decoderFile, loader);
                settings.put("decoder_init", initial.source());
            } else {
                initial = DecoderInit.fresh(enc, sd);
                settings.put("decoder_init", "fresh (seed " + sd + ")");
            }
            initial.checkFits(enc);
            for (String w : contents.scanWarnings()) {
                l.warning("Content directory: " + w);
            }
            for (String w : styles.scanWarnings()) {
                l.warning("Style directory: " + w);
            }
            Settings st = new Settings(out, its, b, config, tf, size, cr, sd, checkpointEvery, keepCheckpoints,
                    sampleEvery, validationPairs, prefetch, loaderThreads, settings);
            DecoderTraining session = chosen.train(enc, initial, config);
            try {
                if (ckpt != null) {
                    session.restore(ckpt.state());
                    if (session.iteration() != ckpt.iteration()) {
                        throw new BackendException("Backend '" + chosen.name() + "' restored iteration "
                                + session.iteration() + " from a checkpoint of iteration " + ckpt.iteration());
                    }
                }
                return new DecoderTrainer(st, enc, chosen, contents, styles, l, session, ckpt, ckptFile);
            } catch (RuntimeException | Error e) {
                session.close();
                throw e;
            }
        }

        private static void checkCompatible(Checkpoints.Checkpoint ckpt, Path file, Map<String, String> now,
                long seed, TrainingListener l) {
            if (ckpt.seed() != seed) {
                throw new InvalidRequestException("The seed " + seed + " differs from the checkpoint's " + ckpt.seed()
                        + " (" + file + "); leave it out to resume");
            }
            List<String> diffs = new ArrayList<>();
            for (String key : List.of("semantics", "batch", "transform", "image_size", "crop", "lr", "lr_decay",
                    "content_weight",
                    "style_weight", "beta1", "beta2", "epsilon")) {
                String was = ckpt.settings().get(key);
                if (was != null && !was.equals(now.get(key))) {
                    diffs.add(key + " " + now.get(key) + " (checkpoint: " + was + ")");
                }
            }
            if (!diffs.isEmpty()) {
                throw new InvalidRequestException("Settings differ from the run being resumed (" + file + "): "
                        + String.join(", ", diffs) + "; leave them out to resume with the run's own settings");
            }
            String enc = ckpt.settings().get("encoder_sha256");
            if (enc != null && !enc.equals(now.get("encoder_sha256"))) {
                throw new InvalidRequestException("The encoder " + now.get("encoder") + " is not the one the run being "
                        + "resumed was trained with (" + ckpt.settings().getOrDefault("encoder", "?") + ", " + file
                        + ")");
            }
            for (String key : List.of("content_files_sha256", "style_files_sha256")) {
                String was = ckpt.settings().get(key);
                if (was != null && !was.equals(now.get(key))) {
                    l.warning("The " + (key.startsWith("content") ? "content" : "style") + " images changed since "
                            + "the checkpoint; the run continues, but not as it would have without the interruption");
                }
            }
        }

        private static long longOf(Map<String, String> m, String key, long dflt) {
            String v = m.get(key);
            return v == null ? dflt : Long.parseLong(v);
        }

        private static double pick(Double given, Map<String, String> m, String key, double dflt) {
            if (given != null) {
                return given;
            }
            String v = m.get(key);
            return v == null ? dflt : Double.parseDouble(v);
        }

        private static void positive(String name, long v) {
            if (v < 1) {
                throw new InvalidRequestException(name + " must be at least 1, got " + v);
            }
        }

        private static Path prepareOutput(Path out) {
            if (Files.exists(out) && !Files.isDirectory(out)) {
                throw new InvalidRequestException("The output directory " + out + " is a file");
            }
            try {
                Files.createDirectories(out);
            } catch (IOException e) {
                throw new InvalidRequestException("Cannot create the output directory " + out + ": " + e, e);
            }
            if (!Files.isWritable(out)) {
                throw new InvalidRequestException("The output directory " + out + " is not writable");
            }
            return out;
        }
    }
}
