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
import org.adain.SpatialMask;
import org.adain.StyleFeatures;
import org.adain.StyleRequest;
import org.adain.StyleTransfer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

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

    @Mixin
    ModelOptions model;

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

    @Mixin
    TransferOptions controls;

    @Option(names = "--mask", paramLabel = "IMAGE",
            description = "Spatial control: a black-and-white image (PNG) the size of the content; white takes the "
                    + "first --style, black the second. No grey levels.")
    Path mask;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT",
            description = "Output image, PNG or JPEG by its extension (png, jpg or jpeg), or directory; see "
                    + "'Output naming' below.")
    String output;

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
            model.usePretrainedUnlessGiven(spec);
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
        controls.check(spec);
        model.check(spec);
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

    /** Every file the run reads, with its role, for the output-is-an-input check. */
    private List<Map.Entry<String, Path>> inputs() {
        List<Map.Entry<String, Path>> inputs = new ArrayList<>();
        contentFiles.forEach(p -> inputs.add(Map.entry("content", p)));
        styleFiles.forEach(p -> inputs.add(Map.entry("style", p)));
        if (mask != null) {
            inputs.add(Map.entry("mask", mask));
        }
        inputs.add(Map.entry("encoder", model.encoder));
        inputs.add(Map.entry("decoder", model.decoder));
        return inputs;
    }

    private int stylizeAll(OutputPlan plan, Progress progress, PrintWriter out) {
        SpatialMask spatialMask = mask == null ? null
                : withContext("mask " + mask, () -> SpatialMask.fromImage(Images.read(mask)));
        List<List<Integer>> sets = styleSets();
        Checked checked = preflight(sets.get(0), spatialMask);

        progress.begin("loading model");
        try (StyleTransfer st = model.build(spec)) {
            progress.done(st.backendName());
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
                List<BufferedImage> styleImages = s == 0 ? checked.firstSetStyles
                        : set.stream().map(k -> Images.read(styleFiles.get(k))).toList();
                List<StyleFeatures> encoded = new ArrayList<>();
                try {
                    // With --preserve-color the style is recoloured per content, so cached features would not
                    // save the encoder pass (see StyleFeatures): the images go into each request instead.
                    if (!controls.preserveColor) {
                        for (int j = 0; j < set.size(); j++) {
                            Path sf = styleFiles.get(set.get(j));
                            progress.begin("encoding style " + (set.get(j) + 1) + "/" + styleFiles.size() + " "
                                    + sf.getFileName());
                            BufferedImage image = styleImages.get(j);
                            encoded.add(withContext("style " + sf, () -> st.encodeStyle(image, controls.styleSize,
                                    controls.crop)));
                            progress.done();
                        }
                    }
                    for (int i = 0; i < contentFiles.size(); i++) {
                        Path c = contentFiles.get(i);
                        progress.begin("[" + (++step) + "/" + total + "] stylizing " + c.getFileName()
                                + (styleDirectory ? " with " + styleFiles.get(set.get(0)).getFileName() : ""));
                        BufferedImage content = checked.firstContent != null ? checked.firstContent : Images.read(c);
                        checked.firstContent = null;
                        StyleRequest.Builder b = request(content, spatialMask);
                        for (int j = 0; j < set.size(); j++) {
                            addStyle(b, set.get(j), controls.preserveColor ? styleImages.get(j) : encoded.get(j));
                        }
                        BufferedImage result = withContext("content " + c, () -> st.stylize(b.build()));
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
     * Decodes every style and content and builds each content's request with the first style set without a model,
     * so a corrupt file or a bad mask among many inputs is reported before the model loads and before any output
     * is written. Keeps the first set's styles and the first content; the others are decoded again when their turn
     * comes, which bounds memory for long batches and large style directories.
     */
    private Checked preflight(List<Integer> firstSet, SpatialMask spatialMask) {
        List<BufferedImage> firstImages = new ArrayList<>();
        List<ImageTensor> firstTensors = new ArrayList<>();
        for (int k = 0; k < styleFiles.size(); k++) {
            Path s = styleFiles.get(k);
            BufferedImage image = Images.read(s);
            ImageTensor t = ImageTensor.fromImage(image);
            withContext("style " + s, () -> checkSize(() -> controls.checkStyleSize(t, model.maxPixels)));
            if (firstSet.contains(k)) {
                firstImages.add(image);
                firstTensors.add(t);
            }
        }
        Checked checked = new Checked(firstImages);
        for (int i = 0; i < contentFiles.size(); i++) {
            BufferedImage content = Images.read(contentFiles.get(i));
            ImageTensor c = ImageTensor.fromImage(content);
            withContext("content " + contentFiles.get(i),
                    () -> checkSize(() -> controls.checkContentSize(c, model.maxPixels)));
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
        final List<BufferedImage> firstSetStyles;
        /** The first content, until its result is made. */
        BufferedImage firstContent;

        Checked(List<BufferedImage> firstSetStyles) {
            this.firstSetStyles = firstSetStyles;
        }
    }

    /** The library's size limits, checked before the model loads (the limits need no model). */
    private static Void checkSize(Runnable check) {
        check.run();
        return null;
    }

    private StyleRequest.Builder request(BufferedImage content, SpatialMask spatialMask) {
        return controls.request(content, spatialMask);
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
}
