package org.adain;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;
import org.adain.spi.BackendProvider;
import org.adain.spi.DecoderWeights;
import org.adain.spi.EncoderWeights;
import org.adain.spi.FeatureMap;
import org.adain.spi.StyleModel;
import org.adain.spi.Tensor;
import org.adain.spi.TransferPlan;
import org.adain.spi.WeightsReader;

/**
 * Arbitrary style transfer in one forward pass (Huang and Belongie, ICCV 2017): a VGG-19 encoder, AdaIN at
 * relu4_1, and a trained decoder. Thread-safe: one instance can serve many threads (calls into a backend that
 * is not thread-safe are serialised). Holds native memory: close it.
 *
 * <pre>{@code
 * try (StyleTransfer st = StyleTransfer.builder()
 *         .encoder(Path.of("vgg_normalised.h5"))
 *         .decoder(Path.of("decoder.h5"))
 *         .build()) {
 *     BufferedImage out = st.stylize(StyleRequest.builder().content(photo).style(painting).build());
 * }
 * }</pre>
 *
 * The backend is found on the classpath with {@link java.util.ServiceLoader} (see
 * {@link org.adain.spi.BackendProvider}); {@link #debugEnvironment()} prints what was found.
 */
public final class StyleTransfer implements AutoCloseable {
    /** Default limit on the pixels of any image the network processes (after resizing): 2048×2048. */
    public static final long DEFAULT_MAX_PIXELS = 2048L * 2048L;

    /**
     * Default tiling threshold: contents (and styles) of more pixels than this, after resizing, are encoded and
     * decoded in overlapping tiles (see {@link Builder#tilingThreshold}). 1024×1024: below it the untiled network
     * is faster (no overlap recomputed) and fits in a few GiB.
     */
    public static final long DEFAULT_TILING_THRESHOLD = 1024L * 1024L;

    /** Default tile side in pixels, overlap included (see {@link Builder#tileSize}). */
    public static final int DEFAULT_TILE_SIZE = 768;

    /** Smallest side the network accepts: reflection padding needs every pooled map to be at least 2×2. */
    public static final int MIN_SIDE = 9;

    private final StyleModel model;
    private final String backendName;
    private final ReentrantLock lock;
    private final long maxPixels;
    private final Tiling tiling;
    private volatile boolean closed;

    private StyleTransfer(StyleModel model, String backendName, long maxPixels, Tiling tiling) {
        this.model = model;
        this.backendName = backendName;
        this.maxPixels = maxPixels;
        this.tiling = tiling;
        this.lock = model.capabilities().contains(StyleModel.Capability.THREAD_SAFE) ? null : new ReentrantLock();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Stylises and converts to 8 bits by the reference rule (clamp, ×255, round half up). */
    public BufferedImage stylize(StyleRequest request) {
        return stylizeTensor(request).toImage();
    }

    /**
     * Stylises and returns the decoder's output unclamped, with the size of the content after resizing and
     * cropping (the rows and columns that pooling adds for sides not divisible by 8 are cropped).
     */
    public ImageTensor stylizeTensor(StyleRequest request) {
        Objects.requireNonNull(request, "request");
        ImageTensor content = prepare(request.content(), request.contentSize(), request.crop(), "content");
        SpatialMask mask = request.mask();
        if (mask != null && request.crop()) {
            Resizing.Plan p = Resizing.plan(request.content().height(), request.content().width(),
                    request.contentSize(), true);
            mask = mask.resized(p.resizedHeight(), p.resizedWidth()).crop(p.top(), p.left(), p.height(), p.width());
        }
        List<StyleRequest.Style> styles = request.styles();
        List<ImageTensor> styleImages = new ArrayList<>(styles.size());
        for (int i = 0; i < styles.size(); i++) {
            StyleRequest.Style s = styles.get(i);
            ImageTensor img = s.image() == null ? null
                    : prepare(s.image(), request.styleSize(), request.crop(), "style " + i);
            if (request.preserveColor() && img == null) {
                img = s.features().pixels(); // recoloured per content, so the cached features cannot be used
            }
            styleImages.add(img);
        }
        Tensor out;
        List<FeatureMap> owned = new ArrayList<>();
        lock();
        try {
            Tensor contentTensor = content.toTensor();
            boolean tiled = tiling.applies(content.height(), content.width());
            FeatureMap contentFeatures = track(owned, encode(contentTensor));
            List<FeatureMap> styleFeatures = new ArrayList<>(styles.size());
            for (int i = 0; i < styles.size(); i++) {
                ImageTensor img = styleImages.get(i);
                if (img == null) {
                    styleFeatures.add(styles.get(i).features().features(this));
                    continue;
                }
                Tensor styleTensor = img.toTensor();
                if (request.preserveColor()) {
                    styleTensor = model.coral(styleTensor, contentTensor);
                }
                styleFeatures.add(track(owned, encode(styleTensor)));
            }
            int[] regions = mask == null ? null : regions(mask, contentFeatures);
            FeatureMap target = track(owned, model.transfer(new TransferPlan(contentFeatures, styleFeatures,
                    request.normalisedWeights(), request.alpha(), regions)));
            out = tiled ? tiling.decode(model, target, owned) : model.decode(target);
        } finally {
            for (FeatureMap f : owned) {
                f.close();
            }
            unlock();
        }
        int bad = out.firstNonFinite();
        if (bad >= 0) {
            throw new BackendException("Backend '" + backendName + "' produced a non-finite value at flat index " + bad
                    + " of its " + java.util.Arrays.toString(out.shape()) + " output; the weights are unsuitable "
                    + "for this input (activations overflow float32)");
        }
        return ImageTensor.fromTensor(out).cropTopLeft(content.height(), content.width());
    }

    /** relu4_1 of the images, in tiles when they are over the tiling threshold. */
    private FeatureMap encode(Tensor images) {
        return tiling.applies(images.dim(2), images.dim(3)) ? tiling.encode(model, images) : model.encode(images);
    }

    private static int[] regions(SpatialMask mask, FeatureMap features) {
        int h = features.height();
        int w = features.width();
        int[] regions = mask.scaleTo(h, w);
        int[] counts = new int[mask.styleCount()];
        for (int r : regions) {
            counts[r]++;
        }
        for (int k = 0; k < counts.length; k++) {
            if (counts[k] < 2) {
                throw new InvalidRequestException("The mask region of style " + k + " covers " + counts[k]
                        + " of the " + w + "×" + h + " feature positions (the content at 1/8 scale); each region "
                        + "needs at least 2. Enlarge the region or the content size");
            }
        }
        return regions;
    }

    /** Encodes a style once for reuse, at the reference's default size (shorter side 512, no crop). */
    public StyleFeatures encodeStyle(BufferedImage style) {
        return encodeStyle(ImageTensor.fromImage(Objects.requireNonNull(style, "style")), StyleRequest.DEFAULT_SIZE,
                false);
    }

    /** Encodes a style once for reuse; {@code size} and {@code crop} as in {@link StyleRequest.Builder#styleSize}. */
    public StyleFeatures encodeStyle(BufferedImage style, int size, boolean crop) {
        return encodeStyle(ImageTensor.fromImage(Objects.requireNonNull(style, "style")), size, crop);
    }

    /** Encodes a style given as floats once for reuse. */
    public StyleFeatures encodeStyle(ImageTensor style, int size, boolean crop) {
        Objects.requireNonNull(style, "style");
        if (size < 0) {
            throw new InvalidRequestException("Style size must be ≥ 0 (0 keeps the size), got " + size);
        }
        ImageTensor img = prepare(style, size, crop, "style");
        lock();
        try {
            return new StyleFeatures(encode(img.toTensor()), img, this);
        } finally {
            unlock();
        }
    }

    /**
     * Checks an image against the size limits {@link #stylize} enforces, without a model: after resizing to
     * {@code size} (0 keeps it) and cropping, each side must be at least {@link #MIN_SIDE} and the pixels at most
     * {@code maxPixels}. Lets a caller refuse bad input before it spends seconds loading weights.
     *
     * <pre>{@code
     * StyleTransfer.checkSize(ImageTensor.fromImage(photo), 512, false, StyleTransfer.DEFAULT_MAX_PIXELS);
     * }</pre>
     *
     * @throws InvalidRequestException naming the image's size and the limit it breaks
     */
    public static void checkSize(ImageTensor image, int size, boolean crop, long maxPixels) {
        Objects.requireNonNull(image, "image");
        checkMaxPixels(maxPixels);
        checkPrepared(image, size, crop, "", maxPixels);
    }

    private static void checkMaxPixels(long maxPixels) {
        if (maxPixels < (long) MIN_SIDE * MIN_SIDE) {
            throw new InvalidRequestException("maxPixels must be at least " + (MIN_SIDE * MIN_SIDE) + ", got "
                    + maxPixels);
        }
    }

    /** Resizes/crops, then enforces the size limits on what the network will see. */
    private ImageTensor prepare(ImageTensor image, int size, boolean crop, String role) {
        checkPrepared(image, size, crop, role + " ", maxPixels);
        return Resizing.apply(image, size, crop);
    }

    /** The size limits of what the network will see; {@code role} is "" or a word and a space for messages. */
    private static void checkPrepared(ImageTensor image, int size, boolean crop, String role, long maxPixels) {
        Resizing.Plan p = Resizing.plan(image.height(), image.width(), size, crop);
        checkSize(role, p.height(), p.width(), image, maxPixels);
        if ((long) p.resizedHeight() * p.resizedWidth() > 4 * maxPixels) {
            throw new InvalidRequestException("Resizing the " + role + "image to " + p.resizedWidth() + "×"
                    + p.resizedHeight() + " would exceed 4× the pixel limit; use a smaller size");
        }
    }

    private static void checkSize(String role, int h, int w, ImageTensor original, long maxPixels) {
        String given = original.height() == h && original.width() == w ? ""
                : " (resized from " + original.sizeString() + ")";
        if (h < MIN_SIDE || w < MIN_SIDE) {
            throw new InvalidRequestException("The " + role + "image is " + w + "×" + h + given
                    + "; the network needs at least " + MIN_SIDE + "×" + MIN_SIDE);
        }
        if ((long) h * w > maxPixels) {
            throw new InvalidRequestException("The " + role + "image is " + w + "×" + h + given + " = "
                    + ((long) h * w) + " pixels, over the limit of " + maxPixels
                    + "; choose a smaller size or raise the pixel limit (StyleTransfer.builder().maxPixels, CLI --max-pixels)");
        }
    }

    private static FeatureMap track(List<FeatureMap> owned, FeatureMap f) {
        owned.add(f);
        return f;
    }

    private void lock() {
        if (closed) {
            throw new IllegalStateException("This StyleTransfer is closed");
        }
        if (lock != null) {
            lock.lock();
        }
        if (closed) {
            unlock();
            throw new IllegalStateException("This StyleTransfer is closed");
        }
    }

    private void unlock() {
        if (lock != null) {
            lock.unlock();
        }
    }

    /** Name of the backend in use, e.g. "dl4j". */
    public String backendName() {
        return backendName;
    }

    /** The backend's one-line description (device, native library, threads). */
    public String describe() {
        return model.describe();
    }

    /**
     * Frees the memory the backend keeps between calls to run faster (the DL4J backend: up to 512 MiB of reusable
     * buffers), e.g. when a server goes idle. Later calls work as before and refill it. Waits for running calls.
     *
     * <pre>{@code
     * transfer.trimMemory();   // after a burst of requests
     * }</pre>
     */
    public void trimMemory() {
        lock();
        try {
            model.trimMemory();
        } finally {
            unlock();
        }
    }

    /** The pixel limit in force. */
    public long maxPixels() {
        return maxPixels;
    }

    /** Frees the model. Idempotent; waits for running calls to finish. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        if (lock != null) {
            lock.lock();
        }
        try {
            if (!closed) {
                closed = true;
                model.close();
            }
        } finally {
            if (lock != null) {
                lock.unlock();
            }
        }
    }

    /**
     * What this JVM can see: Java, OS, CPU, memory, the backends and weight-file readers on the classpath and
     * which would be chosen. Paste it into bug reports.
     */
    public static String debugEnvironment() {
        ClassLoader loader = StyleTransfer.class.getClassLoader();
        Runtime rt = Runtime.getRuntime();
        StringBuilder sb = new StringBuilder("adain environment\n");
        sb.append("  java: ").append(System.getProperty("java.version")).append(" (")
                .append(System.getProperty("java.vendor")).append(")\n");
        sb.append("  os: ").append(System.getProperty("os.name")).append(' ').append(System.getProperty("os.arch"))
                .append(", ").append(rt.availableProcessors()).append(" processors, max heap ")
                .append(rt.maxMemory() >> 20).append(" MiB\n");
        sb.append("  system property ").append(Backends.PROPERTY).append(": ")
                .append(System.getProperty(Backends.PROPERTY, "(not set)")).append('\n');
        try {
            List<BackendProvider> providers = Backends.available(loader);
            if (providers.isEmpty()) {
                sb.append("  backends: none on the classpath\n");
            }
            for (int i = 0; i < providers.size(); i++) {
                BackendProvider p = providers.get(i);
                sb.append("  backend ").append(p.name()).append(" (priority ").append(p.priority()).append(')')
                        .append(i == 0 ? " [default]" : "").append('\n');
                try {
                    for (String line : p.describeEnvironment().split("\n")) {
                        sb.append("    ").append(line).append('\n');
                    }
                } catch (RuntimeException | LinkageError e) {
                    sb.append("    failed to start: ").append(e).append('\n');
                }
            }
            for (WeightsReader r : org.adain.format.WeightFormats.readers(loader)) {
                sb.append("  weight format: ").append(r.formatName()).append(" (").append(r.getClass().getName())
                        .append(")\n");
            }
        } catch (BackendException e) {
            sb.append("  discovery failed: ").append(e.getMessage()).append('\n');
        }
        return sb.toString();
    }

    /**
     * Settings for a {@link StyleTransfer}. Required: {@link #encoder} and {@link #decoder} (or {@link #weights}, or
     * {@link #pretrained});
     * everything is validated in {@link #build()}.
     */
    public static final class Builder {
        private Path encoder;
        private Path decoder;
        private EncoderWeights encoderWeights;
        private DecoderWeights decoderWeights;
        private ModelStore pretrained;
        private String backend;
        private BackendProvider provider;
        private long maxPixels = DEFAULT_MAX_PIXELS;
        private long tilingThreshold = DEFAULT_TILING_THRESHOLD;
        private int tileSize = DEFAULT_TILE_SIZE;

        private Builder() {
        }

        /** Required: the VGG-19 encoder weights (any supported format, told by content). */
        public Builder encoder(Path file) {
            this.encoder = file;
            return this;
        }

        /** Required: the decoder weights trained for that encoder. */
        public Builder decoder(Path file) {
            this.decoder = file;
            return this;
        }

        /**
         * Instead of files: weights already in memory, e.g. from a reader of your own or a test. Replaces
         * {@link #encoder(Path)} and {@link #decoder(Path)}.
         */
        public Builder weights(EncoderWeights encoder, DecoderWeights decoder) {
            this.encoderWeights = Objects.requireNonNull(encoder, "encoder weights");
            this.decoderWeights = Objects.requireNonNull(decoder, "decoder weights");
            return this;
        }

        /**
         * Instead of files: the published pretrained encoder and decoder from a {@link ModelStore}, looked up at
         * {@link #build()} ({@link ModelStore#pretrained()}: the authors' Torch7 set, else the PyTorch port's). Never
         * downloads: when the store does not hold verified models, {@code build()} throws a {@link ModelException}
         * that says how to fetch them ({@code adain models fetch}, or {@link ModelStore#fetch}).
         *
         * <pre>{@code
         * StyleTransfer st = StyleTransfer.builder().pretrained(ModelStore.standard()).build();
         * }</pre>
         *
         * @param store the store holding the models
         * @return this builder
         */
        public Builder pretrained(ModelStore store) {
            this.pretrained = Objects.requireNonNull(store, "store");
            return this;
        }

        /** Optional: the backend by name (e.g. "dl4j"); default: the system property adain.backend, else the best. */
        public Builder backend(String name) {
            this.backend = name;
            return this;
        }

        /** Optional: this backend instance, bypassing discovery (e.g. a conformance test of a backend). */
        public Builder backend(BackendProvider provider) {
            this.provider = Objects.requireNonNull(provider, "provider");
            return this;
        }

        /** Optional: the most pixels any image may have after resizing; default {@link #DEFAULT_MAX_PIXELS}. */
        public Builder maxPixels(long maxPixels) {
            this.maxPixels = maxPixels;
            return this;
        }

        /**
         * Optional: images (after resizing) with more pixels than this are encoded and decoded in overlapping
         * tiles of {@link #tileSize} pixels, which bounds the memory of the network's activations; the AdaIN
         * statistics stay those of the whole image. The result differs from the untiled one only by float
         * rounding. Default {@link #DEFAULT_TILING_THRESHOLD}; {@code Long.MAX_VALUE} never tiles, 0 always does.
         */
        public Builder tilingThreshold(long pixels) {
            this.tilingThreshold = pixels;
            return this;
        }

        /**
         * Optional: the side of a tile in pixels, including the 32-pixel overlap on each inner side; a multiple of
         * 8, at least 80. Larger tiles recompute less overlap and need more memory. Default
         * {@link #DEFAULT_TILE_SIZE}.
         */
        public Builder tileSize(int pixels) {
            this.tileSize = pixels;
            return this;
        }

        /**
         * Checks the settings, reads and validates both weight files, and loads them into the backend.
         *
         * @throws InvalidRequestException a setting is missing or out of range
         * @throws ModelException          a weight file is missing, unreadable or wrong, or the
         *                                 {@link #pretrained} store holds no verified models
         * @throws BackendException        no (or not the named) backend is on the classpath, or it cannot start
         */
        public StyleTransfer build() {
            boolean inMemory = encoderWeights != null;
            int ways = (inMemory ? 1 : 0) + (encoder != null || decoder != null ? 1 : 0) + (pretrained != null ? 1 : 0);
            if (ways > 1) {
                throw new InvalidRequestException("Give the weights one way only: as files (encoder/decoder), in "
                        + "memory (weights) or from a model store (pretrained)");
            }
            if (!inMemory && pretrained == null && encoder == null) {
                throw new InvalidRequestException("No encoder weights: call encoder(path) (or pretrained(store))");
            }
            if (!inMemory && pretrained == null && decoder == null) {
                throw new InvalidRequestException("No decoder weights: call decoder(path) (or pretrained(store))");
            }
            checkMaxPixels(maxPixels);
            Tiling tiling = new Tiling(tilingThreshold, tileSize);
            Path encoder = this.encoder;
            Path decoder = this.decoder;
            if (pretrained != null) {
                ModelStore.Pretrained p = pretrained.pretrained();
                encoder = p.encoder();
                decoder = p.decoder();
            }
            ClassLoader loader = StyleTransfer.class.getClassLoader();
            BackendProvider chosen = provider != null ? provider : Backends.select(backend, loader);
            EncoderWeights enc = inMemory ? encoderWeights : org.adain.format.WeightFormats.readEncoder(encoder, loader);
            DecoderWeights dec = inMemory ? decoderWeights : org.adain.format.WeightFormats.readDecoder(decoder, loader);
            dec.checkFits(enc);
            return new StyleTransfer(chosen.load(enc, dec), chosen.name(), maxPixels, tiling);
        }
    }
}
