package org.adain;

import java.awt.image.BufferedImage;
import java.lang.System.Logger.Level;
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
 * <p>By default the numerics are the PyTorch port's; {@link Builder#semantics(Semantics)} switches to the authors'
 * Torch7 code ({@link Semantics}), also for their {@code .t7} weights only when asked. The networks run in float32
 * unless {@link Builder#precision(Precision)} asks for bfloat16 on a backend that implements it ({@link Precision}).
 *
 * The backend is found on the classpath with {@link java.util.ServiceLoader} (see
 * {@link org.adain.spi.BackendProvider}); {@link #debugEnvironment()} prints what was found.
 *
 * <h2>Exceptions</h2>
 * Everything this class throws on purpose is unchecked:
 * <ul>
 * <li>an {@link AdainException} for what went wrong with the inputs or the machine:
 *     {@link InvalidRequestException} (a setting or an image the network cannot take), {@link ModelException} (a
 *     weight file), {@link BackendException} (no backend, a native library that does not start, or a backend
 *     failing). Whatever a backend throws that is not an {@code AdainException} reaches the caller as a
 *     {@code BackendException} naming the backend and the step, with the backend's exception as its cause;</li>
 * <li>{@link IllegalStateException} for a call that cannot be right whatever the inputs: using this instance
 *     after {@link #close()} (every method except {@code close}, {@link #backendName()} and {@link #maxPixels()}),
 *     or a request holding {@link StyleFeatures} that were closed;</li>
 * <li>{@link NullPointerException} for a {@code null} argument, unless a method says what {@code null} means.</li>
 * </ul>
 * {@link Error}s such as {@link OutOfMemoryError} of the Java heap are not caught.
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
    private final Semantics semantics;
    private final Precision precision;
    private volatile boolean closed;

    private StyleTransfer(StyleModel model, String backendName, long maxPixels, Tiling tiling, Semantics semantics,
            Precision precision) {
        this.model = model;
        this.semantics = semantics;
        this.precision = precision;
        this.backendName = backendName;
        this.maxPixels = maxPixels;
        this.tiling = tiling;
        this.lock = model.capabilities().contains(StyleModel.Capability.THREAD_SAFE) ? null : new ReentrantLock();
    }

    /**
     * Starts the settings of a new instance.
     *
     * @return an empty builder: give it the weights, then call {@link Builder#build()}
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Stylises and converts to 8 bits by the rule of the {@link #semantics()} (port: clamp, ×255, round half up;
     * Torch7: clamp, ×255, floor).
     *
     * @param request the content, styles and controls
     * @return an RGB image with the size of the content after resizing and cropping
     * @throws InvalidRequestException an image breaks the size limits, or a mask region is too small at 1/8 scale
     * @throws BackendException        the backend failed or produced non-finite values
     * @throws IllegalStateException   this instance, or {@link StyleFeatures} of the request, are closed
     * @throws NullPointerException    {@code request} is null
     */
    public BufferedImage stylize(StyleRequest request) {
        return stylizeTensor(request).toImage(semantics);
    }

    /**
     * Stylises and returns the decoder's output unclamped, with the size of the content after resizing and
     * cropping (the rows and columns that pooling adds for sides not divisible by 8 are cropped).
     *
     * @param request the content, styles and controls
     * @return the stylised image as floats, nominally in [0, 1]
     * @throws InvalidRequestException an image breaks the size limits, a mask region is too small at 1/8 scale, or
     *                                 {@link StyleFeatures} of the request come from another instance
     * @throws BackendException        the backend failed or produced non-finite values
     * @throws IllegalStateException   this instance, or {@link StyleFeatures} of the request, are closed
     * @throws NullPointerException    {@code request} is null
     */
    public ImageTensor stylizeTensor(StyleRequest request) {
        Objects.requireNonNull(request, "request");
        checkOpen();
        ImageTensor content = prepare(request.content(), request.contentSize(), request.crop(), "content");
        SpatialMask mask = request.mask();
        if (mask != null && request.crop()) {
            mask = Resizing.plan(request.content().height(), request.content().width(), request.contentSize(), true,
                    semantics).apply(mask);
        }
        List<StyleRequest.Style> styles = request.styles();
        List<ImageTensor> styleImages = new ArrayList<>(styles.size());
        List<FeatureMap> cachedFeatures = new ArrayList<>(styles.size());
        for (int i = 0; i < styles.size(); i++) {
            StyleRequest.Style s = styles.get(i);
            ImageTensor img = s.image() == null ? null
                    : prepare(s.image(), request.styleSize(), request.crop(), "style " + i);
            // checked even when unused (colour preservation): closed or foreign features are a caller's mistake
            cachedFeatures.add(s.features() == null ? null : s.features().features(this));
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
            AdainLog.LOGGER.log(Level.DEBUG, () -> "Stylising a " + content.sizeString() + " content"
                    + (content == request.content() ? "" : " (given " + request.content().sizeString() + ")")
                    + " with " + styles.size() + " style(s), alpha " + request.alpha()
                    + (tiled ? ", in tiles" : ", untiled"));
            FeatureMap contentFeatures = track(owned, encode(contentTensor));
            List<FeatureMap> styleFeatures = new ArrayList<>(styles.size());
            for (int i = 0; i < styles.size(); i++) {
                ImageTensor img = styleImages.get(i);
                if (img == null) {
                    styleFeatures.add(cachedFeatures.get(i));
                    continue;
                }
                Tensor styleTensor = img.toTensor();
                if (request.preserveColor()) {
                    styleTensor = model.coral(styleTensor, contentTensor);
                }
                styleFeatures.add(track(owned, encode(styleTensor)));
            }
            int[] regions = mask == null ? null : regions(mask, contentFeatures, semantics);
            FeatureMap target = track(owned, request.contentStatistics() == null
                    ? model.transfer(new TransferPlan(contentFeatures, styleFeatures, request.normalisedWeights(),
                            request.alpha(), regions, semantics))
                    : transferWithStatistics(contentFeatures, styleFeatures, request));
            out = tiled ? tiling.decode(model, target, owned) : model.decode(target);
        } catch (RuntimeException e) {
            throw backendFailure(backendName, "stylising a " + content.sizeString() + " content", e);
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
        return ImageTensor.fromOutput(out).cropTopLeft(content.height(), content.width());
    }

    /**
     * AdaIN with the content statistics chosen by the request's filter (see
     * {@link StyleRequest.Builder#contentStatistics}), on the heap: the SPI's transfer always measures the content
     * itself. The statistics are measured by the backend's own {@link StyleModel#mean}/{@link StyleModel#std}, so an
     * identity filter matches {@link StyleModel#transfer} up to float rounding.
     */
    private FeatureMap transferWithStatistics(FeatureMap content, List<FeatureMap> styles, StyleRequest request) {
        Tensor c = content.toTensor();
        int channels = c.dim(1);
        int plane = c.dim(2) * c.dim(3);
        boolean torch7 = semantics == Semantics.TORCH7;
        if (plane < 2 && !torch7) {
            throw new InvalidRequestException("The content's relu4_1 map is " + c.dim(3) + "×" + c.dim(2)
                    + ": one position has no unbiased std; enlarge the content");
        }
        float[] cm = model.mean(c).toArray();
        float[] cs = model.std(c, semantics).toArray();
        double[] mean = new double[channels];
        double[] std = new double[channels];
        for (int k = 0; k < channels; k++) {
            mean[k] = cm[k];
            // Torch7's AdaIN puts eps on the content side only, under the root (SEMANTICS.md)
            std[k] = torch7 ? Math.sqrt((double) cs[k] * cs[k] + 1e-5) : cs[k];
        }
        FeatureStatistics used = request.contentStatistics().apply(FeatureStatistics.of(mean, std));
        if (used == null || used.channels() != channels) {
            throw new InvalidRequestException("The content-statistics filter returned "
                    + (used == null ? "null" : used.channels() + " channels") + " for a content of " + channels
                    + " channels");
        }
        double[] weights = request.normalisedWeights();
        double[] styleStd = new double[channels];
        double[] styleMean = new double[channels];
        for (int i = 0; i < styles.size(); i++) {
            Tensor s = styles.get(i).toTensor();
            if (s.dim(1) != channels) {
                throw new InvalidRequestException("Style " + i + " has " + s.dim(1) + " feature channels, the content "
                        + channels);
            }
            float[] sm = model.mean(s).toArray();
            float[] ss = model.std(s, semantics).toArray();
            for (int k = 0; k < channels; k++) {
                styleMean[k] += weights[i] * sm[k];
                styleStd[k] += weights[i] * ss[k];
            }
        }
        double alpha = request.alpha();
        float[] t = c.toArray();
        for (int k = 0; k < channels; k++) {
            // alpha · (σ_s (x − μ') / σ' + μ_s) + (1 − alpha) · x, as one affine map per channel
            double scale = styleStd[k] / used.stdAt(k);
            double a = alpha * scale + (1 - alpha);
            double b = alpha * (styleMean[k] - scale * used.meanAt(k));
            for (int p = k * plane, end = p + plane; p < end; p++) {
                t[p] = (float) (a * t[p] + b);
            }
        }
        return model.upload(Tensor.wrap(t, c.shape()));
    }

    /** relu4_1 of the images, in tiles when they are over the tiling threshold. */
    private FeatureMap encode(Tensor images) {
        return tiling.applies(images.dim(2), images.dim(3)) ? tiling.encode(model, images) : model.encode(images);
    }

    private static int[] regions(SpatialMask mask, FeatureMap features, Semantics semantics) {
        int h = features.height();
        int w = features.width();
        int[] regions = mask.scaleTo(h, w);
        int[] counts = new int[mask.styleCount()];
        for (int r : regions) {
            counts[r]++;
        }
        // the port's unbiased std needs two positions; Torch7's biased one is defined for one
        int least = semantics == Semantics.TORCH7 ? 1 : 2;
        for (int k = 0; k < counts.length; k++) {
            if (counts[k] < least) {
                throw new InvalidRequestException("The mask region of style " + k + " covers " + counts[k]
                        + " of the " + w + "×" + h + " feature positions (the content at 1/8 scale); each region "
                        + "needs at least " + least + ". Enlarge the region or the content size");
            }
        }
        return regions;
    }

    /**
     * Encodes a style once for reuse, at the reference's default size (shorter side 512, no crop).
     *
     * @param style the style image (any colour model)
     * @return the encoded style, to pass to {@link StyleRequest.Builder#style(StyleFeatures)}; close it when done
     * @throws InvalidRequestException the image breaks the size limits
     * @throws BackendException        the backend failed
     * @throws IllegalStateException   this instance is closed
     * @throws NullPointerException    {@code style} is null
     */
    public StyleFeatures encodeStyle(BufferedImage style) {
        return encodeStyle(ImageTensor.fromImage(Objects.requireNonNull(style, "style")), StyleRequest.DEFAULT_SIZE,
                false);
    }

    /**
     * Encodes a style once for reuse; {@code size} and {@code crop} as in {@link StyleRequest.Builder#styleSize}.
     *
     * @param style the style image (any colour model)
     * @param size  shorter side after resizing; 0 keeps the size
     * @param crop  whether to take the centre square after resizing
     * @return the encoded style, to pass to {@link StyleRequest.Builder#style(StyleFeatures)}; close it when done
     * @throws InvalidRequestException {@code size} is negative or the image breaks the size limits
     * @throws BackendException        the backend failed
     * @throws IllegalStateException   this instance is closed
     * @throws NullPointerException    {@code style} is null
     */
    public StyleFeatures encodeStyle(BufferedImage style, int size, boolean crop) {
        return encodeStyle(ImageTensor.fromImage(Objects.requireNonNull(style, "style")), size, crop);
    }

    /**
     * Encodes a style given as floats once for reuse.
     *
     * @param style the style image
     * @param size  shorter side after resizing; 0 keeps the size
     * @param crop  whether to take the centre square after resizing
     * @return the encoded style, to pass to {@link StyleRequest.Builder#style(StyleFeatures)}; close it when done
     * @throws InvalidRequestException {@code size} is negative, the image breaks the size limits, or a value is
     *                                 outside [{@link ImageTensor#MIN_VALUE}, {@link ImageTensor#MAX_VALUE}]
     * @throws BackendException        the backend failed
     * @throws IllegalStateException   this instance is closed
     * @throws NullPointerException    {@code style} is null
     */
    public StyleFeatures encodeStyle(ImageTensor style, int size, boolean crop) {
        Objects.requireNonNull(style, "style");
        checkOpen();
        if (size < 0) {
            throw new InvalidRequestException("Style size must be ≥ 0 (0 keeps the size), got " + size);
        }
        style.requireInRange("The style image");
        ImageTensor img = prepare(style, size, crop, "style");
        lock();
        try {
            return new StyleFeatures(encode(img.toTensor()), img, this);
        } catch (RuntimeException e) {
            throw backendFailure(backendName, "encoding a " + img.sizeString() + " style", e);
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
     * @param image     the image as given
     * @param size      shorter side after resizing; 0 keeps the size
     * @param crop      whether the centre square is taken after resizing
     * @param maxPixels the pixel limit, as {@link Builder#maxPixels}
     * @throws InvalidRequestException naming the image's size and the limit it breaks, or a {@code maxPixels}
     *                                 below {@value #MIN_SIDE}×{@value #MIN_SIDE}
     * @throws NullPointerException    {@code image} is null
     */
    public static void checkSize(ImageTensor image, int size, boolean crop, long maxPixels) {
        Objects.requireNonNull(image, "image");
        checkMaxPixels(maxPixels);
        checkPrepared(image, size, crop, "", maxPixels, Semantics.PYTORCH_PORT);
    }

    private static void checkMaxPixels(long maxPixels) {
        if (maxPixels < (long) MIN_SIDE * MIN_SIDE) {
            throw new InvalidRequestException("maxPixels must be at least " + (MIN_SIDE * MIN_SIDE) + ", got "
                    + maxPixels);
        }
    }

    /**
     * Resizes/crops by the semantics (for Torch7 on the values as Torch7 loads them), then enforces the size limits
     * on what the network will see.
     */
    private ImageTensor prepare(ImageTensor image, int size, boolean crop, String role) {
        checkPrepared(image, size, crop, role + " ", maxPixels, semantics);
        if (semantics == Semantics.TORCH7) {
            return Resizing.apply(PixelConversion.torch7Levels(image), size, crop, semantics);
        }
        return Resizing.apply(image, size, crop);
    }

    /** The size limits of what the network will see; {@code role} is "" or a word and a space for messages. */
    private static void checkPrepared(ImageTensor image, int size, boolean crop, String role, long maxPixels,
            Semantics semantics) {
        Resizing.Plan p = Resizing.plan(image.height(), image.width(), size, crop, semantics);
        checkSize(role, p.finalHeight(), p.finalWidth(), image, maxPixels);
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
        checkOpen();
        if (lock != null) {
            lock.lock();
        }
        if (closed) {
            unlock();
            checkOpen();
        }
    }

    /** The one check and message for a call after {@link #close()}. */
    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("This StyleTransfer is closed");
        }
    }

    /**
     * What a backend threw, as this API's exception: an {@link AdainException} unchanged, anything else (a bug or a
     * failure the backend did not expect) as a {@link BackendException} naming the backend and the step.
     */
    static AdainException backendFailure(String backend, String step, RuntimeException e) {
        if (e instanceof AdainException known) {
            return known;
        }
        return new BackendException("Backend '" + backend + "' failed while " + step + ": " + e, e);
    }

    private void unlock() {
        if (lock != null) {
            lock.unlock();
        }
    }

    /**
     * Name of the backend in use. Works after {@link #close()} too.
     *
     * @return e.g. "dl4j"
     */
    public String backendName() {
        return backendName;
    }

    /**
     * The backend's one-line description, with the {@link #precision()} appended ({@code ", precision bf16"})
     * unless the backend's description already names it that way.
     *
     * @return device, native library, threads, precision
     * @throws BackendException      the backend failed to describe itself
     * @throws IllegalStateException this instance is closed
     */
    public String describe() {
        checkOpen();
        try {
            String d = model.describe();
            String p = "precision " + precision.cliName();
            return d.contains(p) ? d : d + ", " + p;
        } catch (RuntimeException e) {
            throw backendFailure(backendName, "describing itself", e);
        }
    }

    /**
     * Frees the memory the backend keeps between calls to run faster (the DL4J backend: up to 512 MiB of reusable
     * buffers), e.g. when a server goes idle. Later calls work as before and refill it. Waits for running calls.
     *
     * <pre>{@code
     * transfer.trimMemory();   // after a burst of requests
     * }</pre>
     *
     * @throws BackendException      the backend failed to free its memory
     * @throws IllegalStateException this instance is closed
     */
    public void trimMemory() {
        lock();
        try {
            model.trimMemory();
        } catch (RuntimeException e) {
            throw backendFailure(backendName, "freeing its reusable memory", e);
        } finally {
            unlock();
        }
    }

    /**
     * The numerics in force, as set by {@link Builder#semantics}. Works after {@link #close()} too.
     *
     * @return {@link Semantics#PYTORCH_PORT} unless the builder chose otherwise
     */
    public Semantics semantics() {
        return semantics;
    }

    /**
     * The arithmetic of the encoder's and decoder's convolutions, as set by {@link Builder#precision} (the backend
     * has confirmed it runs it). Works after {@link #close()} too.
     *
     * @return {@link Precision#FLOAT32} unless the builder chose otherwise
     */
    public Precision precision() {
        return precision;
    }

    /**
     * The pixel limit in force. Works after {@link #close()} too.
     *
     * @return the most pixels an image may have after resizing
     */
    public long maxPixels() {
        return maxPixels;
    }

    /**
     * Frees the model. Idempotent; waits for running calls to finish. Later calls of the other methods (except
     * {@link #backendName()} and {@link #maxPixels()}) throw {@link IllegalStateException}.
     *
     * @throws BackendException the backend failed to free its model (it is marked closed all the same)
     */
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
        } catch (RuntimeException e) {
            throw backendFailure(backendName, "closing its model", e);
        } finally {
            if (lock != null) {
                lock.unlock();
            }
        }
    }

    /**
     * What this JVM can see: Java, OS, CPU, memory, the backends and weight-file readers on the classpath and
     * which would be chosen. Paste it into bug reports. Never throws: a failure is described in the text.
     *
     * @return several lines of text
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
        } catch (RuntimeException | LinkageError e) {
            sb.append("  discovery failed: ").append(e instanceof AdainException ? e.getMessage() : e.toString())
                    .append('\n');
        }
        return sb.toString();
    }

    /**
     * Settings for a {@link StyleTransfer}. Required: {@link #encoder} and {@link #decoder} (or {@link #weights}, or
     * {@link #pretrained});
     * everything is validated in {@link #build()}, so the setters throw nothing but {@link NullPointerException}
     * where they say so. Not thread-safe.
     *
     * <pre>{@code
     * StyleTransfer st = StyleTransfer.builder().encoder(enc).decoder(dec).maxPixels(4096L * 4096).build();
     * }</pre>
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
        private Semantics semantics = Semantics.PYTORCH_PORT;
        private Precision precision = Precision.FLOAT32;

        private Builder() {
        }

        /**
         * Required: the VGG-19 encoder weights (any supported format, told by content).
         *
         * @param file the weight file; null unsets it
         * @return this builder
         */
        public Builder encoder(Path file) {
            this.encoder = file;
            return this;
        }

        /**
         * Required: the decoder weights trained for that encoder.
         *
         * @param file the weight file; null unsets it
         * @return this builder
         */
        public Builder decoder(Path file) {
            this.decoder = file;
            return this;
        }

        /**
         * Instead of files: weights already in memory, e.g. from a reader of your own or a test. Replaces
         * {@link #encoder(Path)} and {@link #decoder(Path)}.
         *
         * @param encoder the encoder weights
         * @param decoder the decoder weights trained for that encoder
         * @return this builder
         * @throws NullPointerException either is null
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

        /**
         * Optional: the backend by name; default: the system property adain.backend, else the highest priority.
         *
         * @param name e.g. "dl4j"; null (or blank) for the default
         * @return this builder
         */
        public Builder backend(String name) {
            this.backend = name;
            return this;
        }

        /**
         * Optional: this backend instance, bypassing discovery (e.g. a conformance test of a backend).
         *
         * @param provider the backend to load the weights into
         * @return this builder
         * @throws NullPointerException {@code provider} is null
         */
        public Builder backend(BackendProvider provider) {
            this.provider = Objects.requireNonNull(provider, "provider");
            return this;
        }

        /**
         * Optional: the most pixels any image may have after resizing; default {@link #DEFAULT_MAX_PIXELS}.
         *
         * @param maxPixels at least {@value #MIN_SIDE}×{@value #MIN_SIDE} (checked by {@link #build()})
         * @return this builder
         */
        public Builder maxPixels(long maxPixels) {
            this.maxPixels = maxPixels;
            return this;
        }

        /**
         * Optional: images (after resizing) with more pixels than this are encoded and decoded in overlapping
         * tiles of {@link #tileSize} pixels, which bounds the memory of the network's activations; the AdaIN
         * statistics stay those of the whole image. The result differs from the untiled one only by float
         * rounding. Default {@link #DEFAULT_TILING_THRESHOLD}; {@code Long.MAX_VALUE} never tiles, 0 always does.
         *
         * @param pixels ≥ 0 (checked by {@link #build()})
         * @return this builder
         */
        public Builder tilingThreshold(long pixels) {
            this.tilingThreshold = pixels;
            return this;
        }

        /**
         * Optional: the side of a tile in pixels, including the 32-pixel overlap on each inner side; a multiple of
         * 8, at least 80. Larger tiles recompute less overlap and need more memory. Default
         * {@link #DEFAULT_TILE_SIZE}.
         *
         * @param pixels a multiple of 8, at least 80 (checked by {@link #build()})
         * @return this builder
         */
        public Builder tileSize(int pixels) {
            this.tileSize = pixels;
            return this;
        }

        /**
         * Optional: whose numerics to reproduce; default {@link Semantics#PYTORCH_PORT}. {@link Semantics#TORCH7}
         * matches the authors' Torch7 code (AdaIN statistics, crop-then-resize with torch/image's bilinear, 8-bit
         * output by floor) and needs a backend declaring
         * {@link org.adain.spi.StyleModel.Capability#TORCH7_SEMANTICS}. Nothing chooses it by itself, not even
         * {@code .t7} weights.
         *
         * <pre>{@code
         * StyleTransfer st = StyleTransfer.builder().encoder(vggT7).decoder(decoderT7)
         *         .semantics(Semantics.TORCH7).build();
         * }</pre>
         *
         * @param semantics the semantics
         * @return this builder
         * @throws NullPointerException {@code semantics} is null
         */
        public Builder semantics(Semantics semantics) {
            this.semantics = Objects.requireNonNull(semantics, "semantics");
            return this;
        }

        /**
         * Optional: the arithmetic of the encoder's and decoder's convolutions; default {@link Precision#FLOAT32}.
         * {@link Precision#BF16} converts the weights to bfloat16 once, when the model is loaded, and keeps the
         * statistics, AdaIN, CORAL and the 8-bit output in float32; the image is not bit-exact (the target: within 3
         * levels of the float32 one, 0.3 on average). It needs a backend that implements it ({@code adain-dl4j} is to),
         * and that backend may refuse a CPU without native bfloat16 arithmetic. When no backend is named, the one
         * chosen (by the property {@code adain.backend} or by priority) must implement it; otherwise
         * {@link #build()} says which backend was chosen, and {@link #backend(String)} picks another.
         *
         * <pre>{@code
         * StyleTransfer st = StyleTransfer.builder().encoder(enc).decoder(dec)
         *         .backend("dl4j").precision(Precision.BF16).build();
         * }</pre>
         *
         * @param precision the precision
         * @return this builder
         * @throws NullPointerException {@code precision} is null
         */
        public Builder precision(Precision precision) {
            this.precision = Objects.requireNonNull(precision, "precision");
            return this;
        }

        /**
         * Checks the settings, reads and validates both weight files, and loads them into the backend.
         *
         * @return a ready instance; close it when done
         * @throws InvalidRequestException a setting is missing or out of range
         * @throws ModelException          a weight file is missing, unreadable or wrong, or the
         *                                 {@link #pretrained} store holds no verified models
         * @throws BackendException        no (or not the named) backend is on the classpath, it cannot start, it
         *                                 failed to load the weights, or it does not implement the Torch7
         *                                 {@link #semantics} or the {@link #precision} asked for
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
            BackendProvider chosen = provider;
            if (chosen == null) {
                chosen = Backends.select(backend, loader);
            } else {
                AdainLog.LOGGER.log(Level.INFO, "Backend ''{0}'' chosen: given as an instance to "
                        + "StyleTransfer.builder().backend(provider)", provider.name());
            }
            EncoderWeights enc = encoderWeights;
            DecoderWeights dec = decoderWeights;
            if (!inMemory) {
                ReadWeights read = ReadWeights.of(encoder, decoder, loader);
                enc = read.encoder();
                dec = read.decoder();
            }
            dec.checkFits(enc);
            StyleModel model;
            try {
                model = chosen.load(enc, dec, precision);
            } catch (BackendException e) {
                String unnamed = provider == null ? Backends.unnamedChoice(backend) : null;
                if (precision == Precision.FLOAT32 || unnamed == null) {
                    throw e;
                }
                throw new BackendException(e.getMessage() + ". Backend '" + chosen.name() + "' was chosen by "
                        + unnamed + "; name one that implements " + precision + " with StyleTransfer.builder()"
                        + ".backend(...)", e);
            } catch (RuntimeException e) {
                throw backendFailure(chosen.name(), "loading the weights", e);
            }
            if (semantics == Semantics.TORCH7
                    && !model.capabilities().contains(StyleModel.Capability.TORCH7_SEMANTICS)) {
                refuse(model, "Backend '" + chosen.name() + "' does not implement Torch7 semantics (its models do "
                        + "not declare StyleModel.Capability.TORCH7_SEMANTICS); use Semantics.PYTORCH_PORT or another "
                        + "backend");
            }
            Precision runs;
            try {
                runs = model.precision();
            } catch (RuntimeException e) {
                refuse(model, null);
                throw backendFailure(chosen.name(), "stating its precision", e);
            }
            if (runs != precision) {
                refuse(model, "Backend '" + chosen.name() + "' was asked for precision " + precision + " but its "
                        + "model runs " + runs + " (StyleModel.precision()): a bug in the backend, whose "
                        + "BackendProvider.load(encoder, decoder, precision) must honour the precision or refuse it");
            }
            AdainLog.LOGGER.log(Level.INFO, "Loaded encoder {0} ({1}) and decoder {2} into backend ''{3}''; pixel "
                    + "limit {4}, tiles of {5} px above {6} pixels; {7} semantics, {8} precision", enc.source(),
                    enc.kind(), dec.source(), chosen.name(), Long.toString(maxPixels), Integer.toString(tileSize),
                    Long.toString(tilingThreshold), semantics, precision);
            return new StyleTransfer(model, chosen.name(), maxPixels, tiling, semantics, precision);
        }

        /** Closes a model the settings refuse, then throws the refusal ({@code message} null: only closes). */
        private static void refuse(StyleModel model, String message) {
            try {
                model.close();
            } catch (RuntimeException e) {
                AdainLog.LOGGER.log(Level.DEBUG, "Closing the refused model failed", e);
            }
            if (message != null) {
                throw new BackendException(message);
            }
        }
    }

    /** Both weight files of a model, read at once. */
    private record ReadWeights(EncoderWeights encoder, DecoderWeights decoder) {
        /**
         * Reads the decoder on a second thread while this one reads the encoder: each read is single-threaded and,
         * in a fresh JVM, mostly class loading and cold code, so a cold start gains about 0.1 s on two cores. The
         * encoder's failure wins when both fail (it is the first file the user named); the read never outlives the
         * call.
         */
        static ReadWeights of(Path encoder, Path decoder, ClassLoader loader) {
            java.util.concurrent.FutureTask<DecoderWeights> dec = new java.util.concurrent.FutureTask<>(
                    () -> org.adain.format.WeightFormats.readDecoder(decoder, loader));
            Thread reader = new Thread(dec, "adain-read-decoder");
            reader.setDaemon(true);
            reader.start();
            EncoderWeights enc;
            try {
                enc = org.adain.format.WeightFormats.readEncoder(encoder, loader);
            } finally {
                awaitQuietly(reader);
            }
            try {
                return new ReadWeights(enc, dec.get());
            } catch (java.util.concurrent.ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof RuntimeException r) {
                    throw r;
                }
                if (cause instanceof Error err) {
                    throw err;
                }
                throw new ModelException("Reading " + decoder + " failed: " + cause, cause);
            } catch (InterruptedException e) {
                throw new AssertionError("the reader thread has ended", e);
            }
        }

        /** Joins the reader even when interrupted (a read is bounded), then restores the interrupt. */
        private static void awaitQuietly(Thread reader) {
            boolean interrupted = false;
            while (reader.isAlive()) {
                try {
                    reader.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
