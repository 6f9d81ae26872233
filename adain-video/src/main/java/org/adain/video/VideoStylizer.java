package org.adain.video;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.adain.AdainException;
import org.adain.ImageTensor;
import org.adain.InvalidRequestException;
import org.adain.SpatialMask;
import org.adain.StyleFeatures;
import org.adain.StyleRequest;
import org.adain.StyleTransfer;

/**
 * Stylises a video, or a directory of frames, with styles encoded once. Frames are streamed: one thread decodes,
 * the calling thread stylises, one thread encodes, with bounded queues between them, so memory stays flat whatever
 * the length. The audio is copied unchanged; frame rate, frame count and duration are kept.
 *
 * <pre>{@code
 * try (StyleTransfer transfer = StyleTransfer.builder().encoder(vgg).decoder(decoder).build();
 *      VideoStylizer video = VideoStylizer.builder()
 *              .transfer(transfer)
 *              .style(Images.read(Path.of("starry.jpg")))
 *              .alpha(0.8)
 *              .stabilization(Stabilization.STATISTICS)
 *              .progress((done, total, fps, eta) -> System.err.printf("%d/%d %.1f frames/s%n", done, total, fps))
 *              .build()) {
 *     VideoReport report = video.stylize(Path.of("in.mp4"), Path.of("out.mp4"));
 * }
 * }</pre>
 *
 * <h2>Inputs and outputs</h2>
 * An input is a video file FFmpeg can read, or a directory of {@code .png}/{@code .jpg}/{@code .jpeg} frames (file
 * name order, one size, at {@link Builder#frameRate}). An output ending in {@code .mp4}, {@code .m4v}, {@code .mov},
 * {@code .mkv} or {@code .avi} is a video: H.264 (libopenh264, as bytedeco's LGPL FFmpeg build has no libx264) in
 * YUV 4:2:0, or MPEG-4 Part 2 if the FFmpeg on the classpath has no H.264 encoder; {@link VideoReport#output()} says
 * which. Sides are rounded down to even numbers for 4:2:0. Any other output name is a directory of PNG frames. An
 * existing output file is replaced only with {@link Builder#overwrite}; a non-empty directory never is. Everything
 * is written beside the output and renamed into place at the end, so a failure leaves nothing that looks valid.
 *
 * <h2>Frame rate and timing</h2>
 * Frames are written at the input's constant frame rate, one after the other; a variable-frame-rate input is
 * written at its average rate.
 *
 * <p>Not thread-safe: one {@link #stylize} at a time. Holds the encoded styles (backend memory): close it. The
 * {@link StyleTransfer} is the caller's and stays open.
 */
public final class VideoStylizer implements AutoCloseable {
    private static final Object END = new Object();

    private final StyleTransfer transfer;
    private final List<StyleFeatures> styles;
    private final double[] weights;
    private final boolean weightsGiven;
    private final double alpha;
    private final boolean preserveColor;
    private final SpatialMask mask;
    private final int contentSize;
    private final Stabilization stabilization;
    private final double memory;
    private final double cutThreshold;
    private final double frameRate;
    private final int queueCapacity;
    private final VideoProgress progress;
    private final boolean overwrite;
    private boolean closed;

    private VideoStylizer(Builder b, List<StyleFeatures> styles) {
        this.transfer = b.transfer;
        this.styles = styles;
        this.weights = b.weights.stream().mapToDouble(Double::doubleValue).toArray();
        this.weightsGiven = b.weightsGiven;
        this.alpha = b.alpha;
        this.preserveColor = b.preserveColor;
        this.mask = b.mask;
        this.contentSize = b.contentSize;
        this.stabilization = b.stabilization;
        this.memory = b.memory;
        this.cutThreshold = b.cutThreshold;
        this.frameRate = b.frameRate;
        this.queueCapacity = b.queueCapacity;
        this.progress = b.progress;
        this.overwrite = b.overwrite;
    }

    /**
     * Starts the settings.
     *
     * @return an empty builder: give it a {@link StyleTransfer} and at least one style
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Whether a path names a video file (by its extension) rather than a frame directory, as {@link #stylize}
     * decides for an output.
     *
     * @param path a file name
     * @return true for .mp4, .m4v, .mov, .mkv and .avi
     */
    public static boolean isVideoFile(Path path) {
        return FfmpegSink.CONTAINERS.containsKey(FfmpegSink.extension(path));
    }

    /**
     * The video encoder this machine's FFmpeg provides and why it was chosen.
     *
     * @return e.g. "H.264 (libopenh264: this FFmpeg build (LGPL) has no libx264)"
     */
    public static String videoCodec() {
        FfmpegSink.Codec c = FfmpegSink.codec();
        return c.name() + " (" + c.reason() + ")";
    }

    /**
     * Stylises every frame of {@code input} into {@code output}.
     *
     * @param input  a video file, or a directory of PNG/JPEG frames
     * @param output a video file (.mp4, .m4v, .mov, .mkv, .avi) or a frame directory (any other name)
     * @return frame count, rate, size, codec and stage times
     * @throws VideoException          the input cannot be read (missing, empty, truncated, corrupt, unknown codec,
     *                                 frames of differing sizes), or the output cannot be written or exists
     * @throws InvalidRequestException a frame breaks the transfer's size limits, or the mask does not fit the frames
     * @throws org.adain.BackendException the backend failed
     * @throws IllegalStateException   this stylizer or its transfer is closed
     */
    public VideoReport stylize(Path input, Path output) {
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(output, "output");
        if (closed) {
            throw new IllegalStateException("This VideoStylizer is closed");
        }
        checkOutput(input, output);
        long maxInputPixels = 4 * transfer.maxPixels(); // as StyleTransfer bounds a resize, before any frame is decoded
        long start = System.nanoTime();
        try (FrameSource source = Files.isDirectory(input) ? new DirectorySource(input, frameRate, maxInputPixels)
                : FfmpegSource.open(input, maxInputPixels)) {
            if (mask != null && (mask.width() != source.width() || mask.height() != source.height())) {
                throw new InvalidRequestException("The mask is " + mask.width() + "×" + mask.height()
                        + ", the frames of " + input + " are " + source.width() + "×" + source.height()
                        + "; the mask needs the frames' size");
            }
            FrameSink sink = isVideoFile(output)
                    ? new FfmpegSink(output, source.frameRate(), source.hasAudio() ? input : null)
                    : new DirectorySink(output, "png");
            try {
                VideoReport r = run(source, sink, start);
                return r;
            } catch (RuntimeException | Error e) {
                sink.abort();
                throw e;
            }
        }
    }

    private void checkOutput(Path input, Path output) {
        if (output.toAbsolutePath().normalize().equals(input.toAbsolutePath().normalize())) {
            throw new VideoException("Output " + output + " is the input; choose another name");
        }
        if (isVideoFile(output)) {
            if (Files.isDirectory(output)) {
                throw new VideoException("Output " + output + " is a directory");
            }
            if (Files.exists(output) && !overwrite) {
                throw new VideoException("Output " + output + " exists; remove it or allow overwriting");
            }
        } else if (Files.exists(output)) {
            boolean empty;
            try (var s = Files.list(output)) {
                empty = s.findAny().isEmpty();
            } catch (java.io.IOException e) {
                empty = false;
            }
            if (!Files.isDirectory(output) || !empty) {
                throw new VideoException("Output " + output + " exists and is not an empty directory; frames are "
                        + "written only to a new or empty directory (a video output needs a video extension: "
                        + String.join(", ", new java.util.TreeSet<>(FfmpegSink.CONTAINERS.keySet())) + ")");
            }
        }
    }

    private VideoReport run(FrameSource source, FrameSink sink, long start) {
        BlockingQueue<Object> decoded = new ArrayBlockingQueue<>(queueCapacity);
        BlockingQueue<Object> stylised = new ArrayBlockingQueue<>(queueCapacity);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        long[] decodeNanos = new long[1];
        long[] encodeNanos = new long[1];
        Thread decoder = new Thread(() -> {
            try {
                while (true) {
                    long t0 = System.nanoTime();
                    BufferedImage f = source.next();
                    decodeNanos[0] += System.nanoTime() - t0;
                    if (!put(decoded, f == null ? END : f, failure)) {
                        return;
                    }
                    if (f == null) {
                        return;
                    }
                }
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        }, "adain-video-decode");
        Thread encoder = new Thread(() -> {
            try {
                while (true) {
                    Object o = take(stylised, failure);
                    if (o == null || o == END) {
                        return;
                    }
                    long t0 = System.nanoTime();
                    sink.write((BufferedImage) o);
                    encodeNanos[0] += System.nanoTime() - t0;
                }
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        }, "adain-video-encode");
        decoder.setDaemon(true);
        encoder.setDaemon(true);
        decoder.start();
        encoder.start();
        StatisticsStabilizer stabilizer = stabilization == Stabilization.STATISTICS
                ? new StatisticsStabilizer(memory, cutThreshold) : null;
        BlendStabilizer blender = stabilization == Stabilization.BLEND ? new BlendStabilizer(memory) : null;
        long frames = 0;
        long stylizeNanos = 0;
        int width = 0;
        int height = 0;
        try {
            while (true) {
                Object o = take(decoded, failure);
                if (o == null) {
                    break; // another stage failed
                }
                if (o == END) {
                    put(stylised, END, failure);
                    break;
                }
                long t0 = System.nanoTime();
                BufferedImage out = transfer.stylize(request((BufferedImage) o, stabilizer));
                if (blender != null) {
                    out = blender.apply((BufferedImage) o, out);
                }
                stylizeNanos += System.nanoTime() - t0;
                width = out.getWidth();
                height = out.getHeight();
                if (!put(stylised, out, failure)) {
                    break;
                }
                frames++;
                if (progress != null) {
                    double elapsed = (System.nanoTime() - start) / 1e9;
                    double fps = frames / elapsed;
                    long total = source.frameCount();
                    progress.update(frames, total, fps, total < 0 ? Double.NaN : (total - frames) / fps);
                }
            }
        } catch (RuntimeException | Error e) {
            failure.compareAndSet(null, e);
        } finally {
            join(decoder, failure);
            join(encoder, failure);
        }
        Throwable t = failure.get();
        if (t != null) {
            throw rethrowable(t);
        }
        long c0 = System.nanoTime();
        sink.commit();
        encodeNanos[0] += System.nanoTime() - c0;
        if (isVideo(sink)) {
            width &= ~1;
            height &= ~1;
        }
        return new VideoReport(frames, source.frameRate(), width, height, sink.description(),
                (System.nanoTime() - start) / 1e9, decodeNanos[0] / 1e9, stylizeNanos / 1e9, encodeNanos[0] / 1e9,
                stabilizer != null ? stabilizer.cuts() : blender != null ? blender.cuts() : 0);
    }

    private static boolean isVideo(FrameSink sink) {
        return sink instanceof FfmpegSink;
    }

    private StyleRequest request(BufferedImage frame, StatisticsStabilizer stabilizer) {
        StyleRequest.Builder b = StyleRequest.builder().content(ImageTensor.fromImage(frame)).contentSize(contentSize)
                .alpha(alpha).preserveColor(preserveColor).mask(mask).contentStatistics(stabilizer);
        for (int i = 0; i < styles.size(); i++) {
            if (weightsGiven) {
                b.style(styles.get(i), weights[i]);
            } else {
                b.style(styles.get(i));
            }
        }
        return b.build();
    }

    private static boolean put(BlockingQueue<Object> q, Object o, AtomicReference<Throwable> failure) {
        try {
            while (!q.offer(o, 50, TimeUnit.MILLISECONDS)) {
                if (failure.get() != null) {
                    return false;
                }
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failure.compareAndSet(null, e);
            return false;
        }
    }

    /** The next item, or null once another stage failed. */
    private static Object take(BlockingQueue<Object> q, AtomicReference<Throwable> failure) {
        try {
            while (true) {
                Object o = q.poll(50, TimeUnit.MILLISECONDS);
                if (o != null) {
                    return o;
                }
                if (failure.get() != null) {
                    return null;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failure.compareAndSet(null, e);
            return null;
        }
    }

    private static void join(Thread t, AtomicReference<Throwable> failure) {
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failure.compareAndSet(null, e);
        }
    }

    private static RuntimeException rethrowable(Throwable t) {
        if (t instanceof Error e) {
            throw e;
        }
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof InterruptedException) {
            return new VideoException("Interrupted while stylising the video", t);
        }
        return new VideoException("Stylising the video failed: " + t, t);
    }

    /** Frees the encoded styles. Idempotent; the {@link StyleTransfer} stays open. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            styles.forEach(StyleFeatures::close);
        }
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "VideoStylizer[%d style(s), alpha %s, stabilization %s]", styles.size(),
                alpha, stabilization.cliName());
    }

    /**
     * The settings of a {@link VideoStylizer}; {@link #build()} validates them and encodes the styles. Not
     * thread-safe.
     *
     * <pre>{@code
     * VideoStylizer v = VideoStylizer.builder().transfer(transfer).style(monet, 1).style(picasso, 3).build();
     * }</pre>
     */
    public static final class Builder {
        private StyleTransfer transfer;
        private final List<BufferedImage> styleImages = new ArrayList<>();
        private final List<Double> weights = new ArrayList<>();
        private boolean weightsGiven;
        private double alpha = 1.0;
        private boolean preserveColor;
        private SpatialMask mask;
        private int contentSize = StyleRequest.DEFAULT_SIZE;
        private int styleSize = StyleRequest.DEFAULT_SIZE;
        private Stabilization stabilization = Stabilization.OFF;
        private double memory = 0.8;
        private double cutThreshold = 0.5;
        private double frameRate = 25;
        private int queueCapacity = 4;
        private VideoProgress progress;
        private boolean overwrite;

        private Builder() {
        }

        /**
         * The transfer that stylises each frame (required). It stays the caller's: closing the stylizer does not
         * close it.
         *
         * @param transfer an open transfer
         * @return this builder
         */
        public Builder transfer(StyleTransfer transfer) {
            this.transfer = Objects.requireNonNull(transfer, "transfer");
            return this;
        }

        /**
         * Adds a style of weight 1 (at least one is required).
         *
         * @param image the style image
         * @return this builder
         */
        public Builder style(BufferedImage image) {
            styleImages.add(Objects.requireNonNull(image, "image"));
            weights.add(1.0);
            return this;
        }

        /**
         * Adds a style with an interpolation weight (normalised to sum 1, as in {@link StyleRequest}).
         *
         * @param image  the style image
         * @param weight ≥ 0, checked by {@link #build()}
         * @return this builder
         */
        public Builder style(BufferedImage image, double weight) {
            style(image);
            weights.set(weights.size() - 1, weight);
            weightsGiven = true;
            return this;
        }

        /**
         * Content/style trade-off, as {@link StyleRequest.Builder#alpha}. Default 1.
         *
         * @param alpha in [0, 1], checked by {@link #build()}
         * @return this builder
         */
        public Builder alpha(double alpha) {
            this.alpha = alpha;
            return this;
        }

        /**
         * Keeps each frame's colours, as {@link StyleRequest.Builder#preserveColor}. The style is then recoloured and
         * re-encoded for every frame, so the once-encoded style gives no speed-up.
         *
         * @param preserveColor true to preserve the colours
         * @return this builder
         */
        public Builder preserveColor(boolean preserveColor) {
            this.preserveColor = preserveColor;
            return this;
        }

        /**
         * One mask for every frame, of the frames' size: region k takes style k, as {@link StyleRequest.Builder#mask}.
         * Not combinable with {@link Stabilization#STATISTICS} (each region has its own statistics).
         *
         * @param mask the mask, or null for none
         * @return this builder
         */
        public Builder mask(SpatialMask mask) {
            this.mask = mask;
            return this;
        }

        /**
         * Shorter side of the frames after resizing, as {@link StyleRequest.Builder#contentSize}. Default 512;
         * 0 keeps the frames' size.
         *
         * @param size ≥ 0
         * @return this builder
         */
        public Builder contentSize(int size) {
            this.contentSize = size;
            return this;
        }

        /**
         * Shorter side of the styles after resizing. Default 512; 0 keeps their size.
         *
         * @param size ≥ 0
         * @return this builder
         */
        public Builder styleSize(int size) {
            this.styleSize = size;
            return this;
        }

        /**
         * Temporal stabilisation. Default {@link Stabilization#OFF}.
         *
         * @param method the method
         * @return this builder
         */
        public Builder stabilization(Stabilization method) {
            this.stabilization = Objects.requireNonNull(method, "method");
            return this;
        }

        /**
         * The weight of the past: in {@link Stabilization#STATISTICS}'s moving average, and where the input is still
         * in {@link Stabilization#BLEND}. Default 0.8 (about five frames of memory); higher is steadier and slower to
         * follow changes.
         *
         * @param memory in [0, 1)
         * @return this builder
         */
        public Builder stabilizationMemory(double memory) {
            this.memory = memory;
            return this;
        }

        /**
         * For {@link Stabilization#STATISTICS}: the jump of the content statistics, in smoothed standard deviations
         * averaged over the channels, above which a frame starts a new scene and the average restarts. Default 0.5.
         *
         * @param threshold &gt; 0
         * @return this builder
         */
        public Builder sceneCutThreshold(double threshold) {
            this.cutThreshold = threshold;
            return this;
        }

        /**
         * Frame rate of a frame-directory input (a video file states its own). Default 25.
         *
         * @param fps frames per second, &gt; 0
         * @return this builder
         */
        public Builder frameRate(double fps) {
            this.frameRate = fps;
            return this;
        }

        /**
         * Frames each queue between the stages holds. Default 4.
         *
         * @param capacity ≥ 1
         * @return this builder
         */
        public Builder queueCapacity(int capacity) {
            this.queueCapacity = capacity;
            return this;
        }

        /**
         * Receives progress after each frame.
         *
         * @param progress the listener, or null for none
         * @return this builder
         */
        public Builder progress(VideoProgress progress) {
            this.progress = progress;
            return this;
        }

        /**
         * Whether an existing output video file may be replaced (when the new one is complete). Default false. A
         * non-empty frame directory is never replaced.
         *
         * @param overwrite true to allow it
         * @return this builder
         */
        public Builder overwrite(boolean overwrite) {
            this.overwrite = overwrite;
            return this;
        }

        /**
         * Validates the settings and encodes the styles once.
         *
         * @return the stylizer; close it
         * @throws InvalidRequestException a setting is out of range (named), or a style image breaks the size limits
         * @throws org.adain.BackendException the backend failed to encode a style
         * @throws IllegalStateException   the transfer is closed
         */
        public VideoStylizer build() {
            if (transfer == null) {
                throw new InvalidRequestException("No StyleTransfer: call transfer(...)");
            }
            if (styleImages.isEmpty()) {
                throw new InvalidRequestException("No style: call style(...) at least once");
            }
            if (!(memory >= 0 && memory < 1)) {
                throw new InvalidRequestException("stabilizationMemory must be in [0, 1), got " + memory);
            }
            if (!(cutThreshold > 0) || Double.isNaN(cutThreshold)) {
                throw new InvalidRequestException("sceneCutThreshold must be > 0, got " + cutThreshold);
            }
            if (!(frameRate > 0 && frameRate <= 1000)) {
                throw new InvalidRequestException("frameRate must be in (0, 1000], got " + frameRate);
            }
            if (queueCapacity < 1) {
                throw new InvalidRequestException("queueCapacity must be ≥ 1, got " + queueCapacity);
            }
            if (styleSize < 0) {
                throw new InvalidRequestException("styleSize must be ≥ 0 (0 keeps the size), got " + styleSize);
            }
            if (mask != null && stabilization == Stabilization.STATISTICS) {
                throw new InvalidRequestException("A mask cannot be combined with stabilisation "
                        + stabilization.cliName() + ": each mask region has its own content statistics");
            }
            // every other setting is checked by StyleRequest itself, on a small stand-in frame, before any style
            // is encoded
            ImageTensor probe = mask == null ? ImageTensor.of(new float[3 * 16 * 16], 16, 16)
                    : ImageTensor.of(new float[3 * mask.height() * mask.width()], mask.height(), mask.width());
            StyleRequest.Builder check = StyleRequest.builder().content(probe).contentSize(contentSize).alpha(alpha)
                    .preserveColor(preserveColor).mask(mask);
            for (int i = 0; i < styleImages.size(); i++) {
                if (weightsGiven) {
                    check.style(styleImages.get(i), weights.get(i));
                } else {
                    check.style(styleImages.get(i));
                }
            }
            check.build();
            List<StyleFeatures> encoded = new ArrayList<>();
            try {
                for (BufferedImage s : styleImages) {
                    encoded.add(transfer.encodeStyle(s, styleSize, false));
                }
            } catch (AdainException | IllegalStateException e) {
                encoded.forEach(StyleFeatures::close);
                throw e;
            }
            return new VideoStylizer(this, List.copyOf(encoded));
        }
    }
}
