package org.adain.examples.cli;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import org.adain.AdainException;
import org.adain.ImageException;
import org.adain.ImageTensor;
import org.adain.Images;
import org.adain.InvalidRequestException;
import org.adain.ModelStore;
import org.adain.SpatialMask;
import org.adain.StyleFeatures;
import org.adain.StyleRequest;
import org.adain.StyleTransfer;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code adain stylize}: stylises one or more contents with one or more styles, given as files or directories
 * ({@link InputImages}). The styles given together make one result per content (one style, interpolated styles,
 * or a mask's two regions); a {@code --style} directory makes one result per content and style instead, like the
 * PyTorch port's {@code --style_dir}. Every check that needs no model (command line, output paths, image files,
 * mask, request parameters) runs before the model is loaded, except the tiling options, which the library checks
 * before it reads the weights; each style is encoded once and reused for all contents.
 */
@Command(name = "stylize", mixinStandardHelpOptions = true, versionProvider = AdainCli.Version.class,
        sortOptions = false,
        description = {"Stylize content images with one or more style images.", "",
                "Several --style images are interpolated (weights from --style-weights, default equal); with "
                        + "--mask the first style paints the white (1) part of the mask and the second the black "
                        + "(0) part. A --style directory instead applies each of its images on its own: one result "
                        + "per content and style."},
        // Footer lines are printed as they are: at most 80 characters each (UsageTest checks).
        footer = {"",
                "Directories:",
                "  --content DIR and --style DIR stand for the images directly in DIR: the",
                "  PNG, JPEG, BMP and GIF files by extension (any case), in name order.",
                "  Subdirectories and other files are skipped with a warning; hidden entries",
                "  (names starting with '.') are ignored. --content DIR may be mixed with",
                "  image files. --style DIR applies each image on its own (as the PyTorch",
                "  port's --style_dir), so it must be the only --style and cannot be used",
                "  with --style-weights or --mask. Each style is encoded once.",
                "",
                "Output naming:",
                "  One content image and no directory: OUT is the output file, PNG or JPEG",
                "    by its extension (.png, .jpg, .jpeg). If OUT is an existing directory",
                "    or ends with '/', the result goes into it, named as below.",
                "  Several contents or any directory: OUT is a directory (created if",
                "    missing); each result is OUT/<content-basename>_stylized.<ext>, with",
                "    --style DIR OUT/<content-basename>_stylized_<style-basename>.<ext>,",
                "    where <ext> is the first content's extension if it is png, jpg or",
                "    jpeg (any case), else png.",
                "    E.g. --content a.jpg --content b.png --output out writes",
                "    out/a_stylized.jpg and out/b_stylized.jpg; --content a.jpg --style art",
                "    --output out, with art/x.png and art/y.jpg, writes out/a_stylized_x.jpg",
                "    and out/a_stylized_y.jpg.",
                "  Results are written style by style, each for every content in turn.",
                "  An output is never allowed to be one of the inputs.",
                "",
                "Progress goes to stderr; the path of each written image to stdout.",
                "",
                "Weights: --encoder and --decoder, or neither to use the pretrained models",
                "'adain models fetch' downloaded (see 'adain models --help').",
                "",
                "Examples:",
                "  adain stylize --content photo.jpg --style starry.jpg --output out.png",
                "  adain stylize --encoder vgg_normalised.h5 --decoder decoder.h5 \\",
                "      --content photo.jpg --style starry.jpg --alpha 0.8 --output out.png"})
final class StylizeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--encoder", paramLabel = "FILE",
            description = "Encoder weights: the normalised VGG-19 (or Keras VGG19 notop), e.g. a Keras .h5 file. "
                    + "Default: the pretrained models 'adain models fetch' downloaded.")
    Path encoder;

    @Option(names = "--decoder", paramLabel = "FILE",
            description = "Decoder weights trained for that encoder. Default: as --encoder.")
    Path decoder;

    @Option(names = "--models-dir", paramLabel = "DIR",
            description = "Without --encoder/--decoder: the directory 'adain models fetch --dir' filled. Default: "
                    + "see 'adain models --help'.")
    Path modelsDir;

    @Option(names = "--content", required = true, arity = "1..*", paramLabel = "IMAGE|DIR",
            description = "Content image(s), or directories of them (see 'Directories' below). Repeat the option "
                    + "or list several after it.")
    List<Path> contents;

    @Option(names = "--style", required = true, arity = "1..*", paramLabel = "IMAGE|DIR",
            description = "Style image(s). Several styles are interpolated; with --mask give exactly two. Or one "
                    + "directory, whose images are each applied on their own (see 'Directories' below).")
    List<Path> styles;

    @Option(names = "--style-weights", split = ",", paramLabel = "W",
            description = "Interpolation weights, one non-negative number per --style, comma-separated "
                    + "(1,2,3 or 0.1,0.2,0.3); normalised to sum 1. Default: equal weights.")
    List<Double> styleWeights;

    @Option(names = "--alpha", paramLabel = "A", defaultValue = "1",
            description = "Content/style trade-off in [0, 1]: 0 keeps the content's features, 1 is full style. "
                    + "Default: ${DEFAULT-VALUE}.")
    double alpha;

    @Option(names = "--preserve-color",
            description = "Keep the content's colours: recolour each style to the content (CORAL) before the "
                    + "transfer.")
    boolean preserveColor;

    @Option(names = "--mask", paramLabel = "IMAGE",
            description = "Spatial control: a black-and-white image (PNG) of exactly the content's size (another "
                    + "size is refused, not stretched); white takes the first --style, black the second. No grey "
                    + "levels.")
    Path mask;

    @Option(names = "--content-size", paramLabel = "N", defaultValue = "" + StyleRequest.DEFAULT_SIZE,
            description = "Resize each content so its shorter side is N pixels; 0 keeps the original size. "
                    + "Default: ${DEFAULT-VALUE}.")
    int contentSize;

    @Option(names = "--style-size", paramLabel = "N", defaultValue = "" + StyleRequest.DEFAULT_SIZE,
            description = "Resize each style so its shorter side is N pixels; 0 keeps the original size. "
                    + "Default: ${DEFAULT-VALUE}.")
    int styleSize;

    @Option(names = "--crop",
            description = "After resizing, keep the centre N×N square of contents and styles (the shorter side's "
                    + "square when N is 0).")
    boolean crop;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT",
            description = "Output image, PNG or JPEG by its extension (png, jpg or jpeg), or directory; see "
                    + "'Output naming' below.")
    String output;

    @Option(names = "--backend", paramLabel = "NAME",
            description = "Backend to run on, e.g. dl4j. Default: the system property adain.backend, else the "
                    + "best one found ('adain env' lists them).")
    String backend;

    @Option(names = "--max-pixels", paramLabel = "N", defaultValue = "" + StyleTransfer.DEFAULT_MAX_PIXELS,
            description = "Refuse any image with more than N pixels after resizing (protects memory). "
                    + "Default: ${DEFAULT-VALUE} (2048×2048).")
    long maxPixels;

    @Option(names = "--max-decode-pixels", paramLabel = "N",
            description = "Refuse any image file whose header claims more than N pixels, before decoding it "
                    + "(protects memory and time against small files that claim a huge image). Default: 16 × "
                    + "--max-pixels (8192×8192).")
    Long maxDecodePixels;

    @Option(names = "--tiling-threshold", paramLabel = "PIXELS", converter = TilingThreshold.class,
            defaultValue = "" + StyleTransfer.DEFAULT_TILING_THRESHOLD,
            description = "Encode and decode images (after resizing) of more than PIXELS pixels in overlapping "
                    + "tiles, which bounds memory; the result equals the untiled one up to float rounding. "
                    + "0 tiles every image, 'off' none. Default: ${DEFAULT-VALUE} (1024×1024).")
    long tilingThreshold;

    @Option(names = "--tile-size", paramLabel = "N", defaultValue = "" + StyleTransfer.DEFAULT_TILE_SIZE,
            description = "Side of a tile in pixels, 32-pixel overlaps included: a multiple of 8, at least 80. "
                    + "Larger tiles recompute less overlap but need more memory. Default: ${DEFAULT-VALUE}.")
    int tileSize;

    @Option(names = {"-q", "--quiet"}, description = "No progress on stderr.")
    boolean quiet;

    @Mixin
    DebugOption debug;

    /** The content images, directories expanded ({@link #expandInputs}). */
    private List<Path> contentFiles;
    /** The style images, a directory expanded. */
    private List<Path> styleFiles;
    /** Whether a --content argument is a directory. */
    private boolean contentDirectory;
    /** Whether --style is a directory: each of its images then makes its own results. */
    private boolean styleDirectory;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Progress progress = new Progress(spec.commandLine().getErr(), !quiet);
        try {
            checkOptions();
            usePretrainedUnlessGiven();
            expandInputs();
            OutputPlan plan;
            try {
                plan = OutputPlan.of(output, contentFiles, contentDirectory, styleDirectory ? styleFiles : List.of());
                plan.refuseInputs(inputs()); // first: "out.h5 is the encoder" beats "out.h5 is not an image format"
                plan.checkFormat();
            } catch (OutputPlan.UsageError e) {
                throw usage(e.getMessage());
            }
            plan.checkWritable();
            return stylizeAll(plan, progress, out);
        } finally {
            progress.failed(); // no-op unless a step was interrupted by an exception
        }
    }

    /** Values picocli cannot check by type alone; named after the option the user typed. */
    private void checkOptions() {
        if (!(alpha >= 0 && alpha <= 1)) {
            throw usage("--alpha must be in [0, 1], got " + alpha);
        }
        if (contentSize < 0) {
            throw usage("--content-size must be ≥ 0 (0 keeps the original size), got " + contentSize);
        }
        if (styleSize < 0) {
            throw usage("--style-size must be ≥ 0 (0 keeps the original size), got " + styleSize);
        }
        long minPixels = (long) StyleTransfer.MIN_SIDE * StyleTransfer.MIN_SIDE;
        if (maxPixels < minPixels) {
            throw usage("--max-pixels must be at least " + minPixels + ", got " + maxPixels);
        }
        if (maxDecodePixels != null && (maxDecodePixels < 1 || maxDecodePixels > Images.MAX_DECODE_PIXELS)) {
            throw usage("--max-decode-pixels must be between 1 and " + Images.MAX_DECODE_PIXELS + ", got "
                    + maxDecodePixels);
        }
        Path styleDir = styles.stream().filter(Files::isDirectory).findFirst().orElse(null);
        if (styleDir != null) {
            String each = "the --style directory " + styleDir + " applies each of its images on its own";
            if (styles.size() > 1) {
                throw usage(each + ", so it must be the only --style; to interpolate styles, give them as image "
                        + "files");
            }
            if (styleWeights != null) {
                throw usage("--style-weights interpolates several --style images, but " + each
                        + "; give the styles as image files to weight them");
            }
            if (mask != null) {
                throw usage("--mask paints two --style images into one result, but " + each
                        + "; give the two styles as image files");
            }
        }
        if (styleWeights != null) {
            if (mask != null) {
                throw usage("--style-weights cannot be combined with --mask: the mask decides which style "
                        + "paints where");
            }
            if (styleWeights.size() != styles.size()) {
                throw usage("--style-weights has " + styleWeights.size() + " value(s) but " + styles.size()
                        + " --style image(s) were given; give one weight per style");
            }
            double sum = 0;
            for (int i = 0; i < styleWeights.size(); i++) {
                double w = styleWeights.get(i);
                if (!Double.isFinite(w) || w < 0) {
                    throw usage("--style-weights: weight " + (i + 1) + " is " + w
                            + "; weights must be finite and ≥ 0");
                }
                sum += w;
            }
            if (!(sum > 0)) {
                throw usage("--style-weights are all 0; at least one must be positive");
            }
        }
        if (mask != null && styles.size() != 2) {
            throw usage("--mask needs exactly two --style images (first for the white part, second for the black "
                    + "part), got " + styles.size());
        }
    }

    /**
     * Replaces each directory among the contents and styles by its images (in name order, in place) and warns
     * about the entries skipped. A path that is not a directory stays as given: reading it reports what is wrong.
     */
    private void expandInputs() {
        PrintWriter err = spec.commandLine().getErr();
        contentFiles = new ArrayList<>();
        for (Path c : contents) {
            if (Files.isDirectory(c)) {
                contentDirectory = true;
                contentFiles.addAll(listed("--content", c, err));
            } else {
                contentFiles.add(c);
            }
        }
        styleDirectory = styles.size() == 1 && Files.isDirectory(styles.get(0)); // checkOptions allows no other
        styleFiles = styleDirectory ? listed("--style", styles.get(0), err) : List.copyOf(styles);
    }

    private static List<Path> listed(String option, Path dir, PrintWriter err) {
        InputImages.Listing listing = InputImages.list(option, dir);
        // A warning, not progress: -q does not hide it.
        listing.warning().ifPresent(w -> err.println("adain: warning: " + w));
        err.flush();
        return listing.images();
    }

    /**
     * The styles that make one result together, as indices into {@link #styleFiles}: all of them (one style,
     * interpolation, a mask), or each on its own for a --style directory.
     */
    private List<List<Integer>> styleSets() {
        List<Integer> all = new ArrayList<>();
        for (int k = 0; k < styleFiles.size(); k++) {
            all.add(k);
        }
        return styleDirectory ? all.stream().map(List::of).toList() : List.of(all);
    }

    /**
     * Without --encoder and --decoder, the verified models of the store ({@link ModelStore#pretrained()}); its error
     * says how to fetch them. Never downloads.
     */
    private void usePretrainedUnlessGiven() {
        if (encoder != null || decoder != null) {
            if (encoder == null || decoder == null) {
                throw usage("Give both --encoder and --decoder, or neither to use the models 'adain models fetch' "
                        + "downloaded");
            }
            if (modelsDir != null) {
                throw usage("--models-dir is where the fetched models are; it cannot be combined with "
                        + "--encoder/--decoder");
            }
            return;
        }
        ModelStore.Pretrained p = ModelsCommand.store(modelsDir).build().pretrained();
        encoder = p.encoder();
        decoder = p.decoder();
    }

    /** Every file the run reads, with its role, for the output-is-an-input check. */
    private List<Map.Entry<String, Path>> inputs() {
        List<Map.Entry<String, Path>> inputs = new ArrayList<>();
        contentFiles.forEach(p -> inputs.add(Map.entry("content", p)));
        styleFiles.forEach(p -> inputs.add(Map.entry("style", p)));
        if (mask != null) {
            inputs.add(Map.entry("mask", mask));
        }
        inputs.add(Map.entry("encoder", encoder));
        inputs.add(Map.entry("decoder", decoder));
        return inputs;
    }

    private int stylizeAll(OutputPlan plan, Progress progress, PrintWriter out) {
        SpatialMask spatialMask = mask == null ? null
                : withContext("mask " + mask, () -> SpatialMask.fromImage(Images.read(mask, decodeLimit())));
        List<List<Integer>> sets = styleSets();
        Checked checked = preflight(sets.get(0), spatialMask);

        progress.begin("loading model");
        StyleTransfer.Builder builder = StyleTransfer.builder().encoder(encoder).decoder(decoder)
                .maxPixels(maxPixels).tilingThreshold(tilingThreshold).tileSize(tileSize);
        if (backend != null) {
            builder.backend(backend);
        }
        try (StyleTransfer transfer = build(builder)) {
            progress.done(transfer.backendName());
            // Only now, so that settings or weights the library refuses leave nothing behind.
            if (plan.directory() != null) {
                try {
                    Files.createDirectories(plan.directory());
                } catch (IOException e) {
                    throw new InputException("Cannot create the output directory " + plan.directory() + ": " + e,
                            e);
                }
            }
            int total = sets.size() * contentFiles.size();
            int step = 0;
            // Style set by style set: only one set's features are held at a time, whatever the directory's size.
            for (int s = 0; s < sets.size(); s++) {
                List<Integer> set = sets.get(s);
                List<ImageTensor> styleImages = s == 0 ? checked.firstSetStyles
                        : set.stream().map(k -> readStyle(styleFiles.get(k))).toList();
                List<StyleFeatures> encoded = new ArrayList<>();
                try {
                    // With --preserve-color the style is recoloured per content, so cached features would not
                    // save the encoder pass (see StyleFeatures): the images go into each request instead.
                    if (!preserveColor) {
                        for (int j = 0; j < set.size(); j++) {
                            Path sf = styleFiles.get(set.get(j));
                            progress.begin("encoding style " + (set.get(j) + 1) + "/" + styleFiles.size() + " "
                                    + sf.getFileName());
                            ImageTensor image = styleImages.get(j);
                            encoded.add(withContext("style " + sf, () -> transfer.encodeStyle(image, styleSize,
                                    crop)));
                            progress.done();
                        }
                    }
                    for (int i = 0; i < contentFiles.size(); i++) {
                        Path c = contentFiles.get(i);
                        progress.begin("[" + (++step) + "/" + total + "] stylizing " + c.getFileName()
                                + (styleDirectory ? " with " + styleFiles.get(set.get(0)).getFileName() : ""));
                        ImageTensor content = checked.firstContent != null ? checked.firstContent : readContent(c);
                        checked.firstContent = null;
                        StyleRequest.Builder b = request(content, spatialMask);
                        for (int j = 0; j < set.size(); j++) {
                            addStyle(b, set.get(j), preserveColor ? styleImages.get(j) : encoded.get(j));
                        }
                        BufferedImage result = withContext("content " + c, () -> transfer.stylize(b.build()));
                        Path target = plan.file(s, i);
                        Images.write(result, target);
                        progress.done();
                        out.println(target);
                        out.flush();
                    }
                } finally {
                    encoded.forEach(StyleFeatures::close);
                }
            }
        }
        return AdainCli.EXIT_OK;
    }

    /**
     * Loads the model. The tiling options are checked by {@link StyleTransfer.Builder#build()} alone, which owns
     * their rules and checks settings before it reads any weights; it reports them as InvalidRequestException
     * (weights and backends fail otherwise), and here they are command-line mistakes.
     */
    private StyleTransfer build(StyleTransfer.Builder builder) {
        try {
            return builder.build();
        } catch (InvalidRequestException e) {
            // The defaults are the API's own and valid, so the culprit is among the options typed; its message
            // says which of them when both were.
            ParseResult typed = spec.commandLine().getParseResult();
            List<String> given = new ArrayList<>();
            if (typed.hasMatchedOption("--tiling-threshold")) {
                given.add("--tiling-threshold " + tilingThreshold);
            }
            if (typed.hasMatchedOption("--tile-size")) {
                given.add("--tile-size " + tileSize);
            }
            throw usage((given.isEmpty() ? "" : String.join(", ", given) + ": ") + e.getMessage());
        }
    }

    /**
     * Decodes every style and content and builds each content's request with the first style set without a model,
     * so a corrupt file or a bad mask among many inputs is reported before the model loads and before any output
     * is written. Keeps the first set's styles and the first content; the others are decoded again when their turn
     * comes, which bounds memory for long batches and large style directories.
     */
    private Checked preflight(List<Integer> firstSet, SpatialMask spatialMask) {
        List<ImageTensor> firstTensors = new ArrayList<>();
        for (int k = 0; k < styleFiles.size(); k++) {
            Path s = styleFiles.get(k);
            ImageTensor t = readStyle(s);
            withContext("style " + s, () -> checkSize(t, styleSize));
            if (firstSet.contains(k)) {
                firstTensors.add(t);
            }
        }
        Checked checked = new Checked(firstTensors);
        for (int i = 0; i < contentFiles.size(); i++) {
            Path file = contentFiles.get(i);
            ImageTensor content = readContent(file);
            withContext("content " + file, () -> checkSize(content, contentSize));
            if (spatialMask != null
                    && (spatialMask.width() != content.width() || spatialMask.height() != content.height())) {
                throw new InputException("mask " + mask + " is " + spatialMask.width() + "×" + spatialMask.height()
                        + " but content " + file + " is " + content.width() + "×" + content.height()
                        + " (width×height); the mask must have the content's size");
            }
            StyleRequest.Builder check = request(content, spatialMask);
            for (int j = 0; j < firstTensors.size(); j++) {
                addStyle(check, firstSet.get(j), firstTensors.get(j));
            }
            withContext("content " + contentFiles.get(i), check::build);
            if (i == 0) {
                checked.firstContent = content;
            }
        }
        return checked;
    }

    /** What {@link #preflight} decoded and keeps for the first results. */
    private static final class Checked {
        final List<ImageTensor> firstSetStyles;
        /** The first content, until its result is made. */
        ImageTensor firstContent;

        Checked(List<ImageTensor> firstSetStyles) {
            this.firstSetStyles = firstSetStyles;
        }
    }

    /** The header limit of every image file read: --max-decode-pixels, else 16 × --max-pixels. */
    private long decodeLimit() {
        return maxDecodePixels != null ? maxDecodePixels : Images.decodeLimit(maxPixels);
    }

    /**
     * A content as the request will take it. Resized while it is read (a large photo is never held whole; the
     * pixels equal those of a full read and resize), except with --mask, which must match the content as given.
     */
    private ImageTensor readContent(Path file) {
        return read(file, mask == null ? contentSize : 0);
    }

    private ImageTensor readStyle(Path file) {
        return read(file, styleSize);
    }

    private ImageTensor read(Path file, int size) {
        long limit = decodeLimit();
        try {
            return size > 0 ? Images.readResized(file, size, limit) : ImageTensor.fromImage(Images.read(file, limit));
        } catch (InvalidRequestException e) {
            throw new InputException(e.getMessage(), e); // names the file already: resized beyond the limit
        }
    }

    /** The library's size limits, checked before the model loads (the limits need no model). */
    private Void checkSize(ImageTensor image, int size) {
        StyleTransfer.checkSize(image, size, crop, maxPixels);
        return null;
    }

    private StyleRequest.Builder request(ImageTensor content, SpatialMask spatialMask) {
        return StyleRequest.builder().content(content).alpha(alpha).preserveColor(preserveColor)
                .mask(spatialMask).contentSize(contentSize).styleSize(styleSize).crop(crop);
    }

    /** Adds style k (an image, pixels or encoded features) with its weight; no weights at all unless given. */
    private void addStyle(StyleRequest.Builder b, int k, Object style) {
        // The API refuses explicit weights together with a mask, so "not given" must stay "not given".
        boolean weighted = styleWeights != null;
        double w = weighted ? styleWeights.get(k) : 1;
        if (style instanceof StyleFeatures f) {
            if (weighted) {
                b.style(f, w);
            } else {
                b.style(f);
            }
        } else if (style instanceof BufferedImage img) {
            if (weighted) {
                b.style(img, w);
            } else {
                b.style(img);
            }
        } else if (style instanceof ImageTensor t) {
            if (weighted) {
                b.style(t, w);
            } else {
                b.style(t);
            }
        } else {
            throw new IllegalArgumentException("Not a style: " + style);
        }
    }

    /**
     * Runs a library call and, if it rejects its input, says which file it was about: the library sees pixels,
     * not file names. Messages that already name a file (reading it) pass through unchanged.
     */
    private static <T> T withContext(String what, Supplier<T> call) {
        try {
            return call.get();
        } catch (InputException | ImageException e) {
            throw e;
        } catch (AdainException e) {
            throw new InputException(what + ": " + e.getMessage(), e);
        }
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    /**
     * A pixel count, or "off" for {@code Long.MAX_VALUE}, the API's "never tile". The range is left to the API.
     */
    static final class TilingThreshold implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            if (value.equalsIgnoreCase("off")) {
                return Long.MAX_VALUE;
            }
            try {
                return Long.parseLong(value);
            } catch (NumberFormatException e) {
                throw new TypeConversionException("'" + value + "' is neither a number of pixels nor 'off'");
            }
        }
    }
}
