package org.adain.examples.cli;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import org.adain.BatchLayout;
import org.adain.ImageException;
import org.adain.ImageTensor;
import org.adain.Images;
import org.adain.InvalidRequestException;
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
 * {@code adain batch}: every content of directory trees and list files, in every given style, into an output
 * tree; restartable and tolerant of bad images. One {@link StyleTransfer} and each style's encoded features serve
 * the whole run. Outputs are written whole or not at all ({@link Images#write} renames a complete temporary file),
 * so an existing output is a finished one and a new run skips it; a run killed mid-write leaves only a hidden
 * temporary file, which the next run deletes. A content that cannot be read or stylised is a row of
 * {@code failures.csv} ({@link FailureLog}) and the run goes on; the exit code is then
 * {@value AdainCli#EXIT_SOME_FAILED}.
 */
@Command(name = "batch", mixinStandardHelpOptions = true, versionProvider = AdainCli.Version.class,
        sortOptions = false,
        description = {"Stylize many images: directory trees and list files, one or more styles, restartable.", "",
                "Each content is stylized with each --style; the results go to OUT/<relative path>/<name>__<style>"
                        + ".<ext>. Outputs that exist are complete (written to a temporary file, then renamed) and "
                        + "are skipped, so a killed or failed run is resumed by running it again. Images that "
                        + "cannot be read or stylized are listed in OUT/failures.csv and do not stop the run."},
        // Footer lines are printed as they are: at most 80 characters each (UsageTest checks).
        footer = {"",
                "Inputs:",
                "  --content DIR walks DIR recursively for PNG, JPEG, BMP and GIF files (by",
                "  extension, any case); hidden files and directories are skipped, and so is",
                "  OUT if it is inside DIR. --content IMAGE takes one file. --list FILE",
                "  reads one image path per line (UTF-8; blank lines and '#' lines ignored),",
                "  relative to the current directory or absolute.",
                "",
                "Output naming:",
                "  <relative path> is the content's directory relative to its --content DIR,",
                "  or the path as listed (an absolute one without its leading '/'); <name>",
                "  is the content's base name; <ext> its extension if png, jpg or jpeg,",
                "  else png. E.g. --content photos --style night=starry.jpg --output out",
                "  turns photos/2024/a.jpg into out/2024/a__night.jpg.",
                "",
                "Styles: --style STYLE is [NAME=]IMAGE[:WEIGHT][,IMAGE[:WEIGHT]...].",
                "  Several images in one --style are interpolated by their weights (default",
                "  equal). NAME defaults to the first image's base name.",
                "",
                "Exit codes: 0 every content done (now or by an earlier run), 4 some",
                "contents failed (listed in OUT/failures.csv, the rest done), 1 bad style,",
                "weights or output directory, 2 bad command line, 3 internal error.",
                "",
                "Progress (images/s, ETA) goes to stderr: redrawn in place on a terminal,",
                "a line every 10 s otherwise; the summary to stdout.",
                "",
                "Examples:",
                "  adain batch --content photos --style starry.jpg --output out",
                "  adain batch --list todo.txt --style a=starry.jpg --style b=scream.jpg \\",
                "      --style mix=starry.jpg:3,scream.jpg:1 --output out"})
final class BatchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--content", arity = "1..*", paramLabel = "DIR|IMAGE",
            description = "Content directories (walked recursively) or image files. Repeat the option or list "
                    + "several after it.")
    List<Path> contents = new ArrayList<>();

    @Option(names = "--list", paramLabel = "FILE",
            description = "A file listing content images, one path per line. Repeatable; may be combined with "
                    + "--content.")
    List<Path> lists = new ArrayList<>();

    @Option(names = "--style", required = true, paramLabel = "STYLE",
            converter = BatchStyle.Converter.class,
            description = "A style: its name in the output names, and one or more images with weights. Repeat "
                    + "for more styles; see 'Styles' below.")
    List<BatchStyle> styles;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT",
            description = "Output directory (created if missing).")
    Path output;

    @Mixin
    TransferOptions controls;

    @Option(names = "--crop",
            description = "After resizing, keep the centre N×N square of contents and styles (the shorter side's "
                    + "square when N is 0).")
    boolean crop;

    @Mixin
    ModelOptions model;

    @Option(names = "--progress", paramLabel = "MODE", defaultValue = "auto",
            description = "auto (a bar on a terminal, else a line every 10 s), bar, log or none. "
                    + "Default: ${DEFAULT-VALUE}.")
    String progressMode;

    @Option(names = {"-q", "--quiet"}, description = "No progress on stderr (as --progress none).")
    boolean quiet;

    @Mixin
    DebugOption debug;

    @Override
    public Integer call() throws IOException {
        controls.checkValues(spec.commandLine());
        model.check(spec.commandLine());
        BatchProgress.Mode mode = progressMode();
        if (contents.isEmpty() && lists.isEmpty()) {
            throw usage("Give the contents: --content DIR|IMAGE and/or --list FILE");
        }
        checkStyleNames();
        checkOutputDirectory();
        model.usePretrainedUnlessGiven(spec.commandLine());
        PrintWriter err = spec.commandLine().getErr();
        List<BatchInputs.Content> todo = gather(err);
        List<List<BufferedImage>> styleImages = readStyles();

        Files.createDirectories(output);
        FailureLog failures = new FailureLog(output.resolve(BatchLayout.FAILURES_FILE));
        failures.reset();
        int processed = 0;
        int skipped = 0;
        BatchProgress progress = new BatchProgress(err, mode, todo.size());
        try (StyleTransfer st = model.load(spec.commandLine()); failures) {
            List<List<StyleFeatures>> encoded = encodeStyles(st, styleImages);
            progress.start();
            try {
                Set<String> planned = new HashSet<>();
                Set<Path> cleaned = new HashSet<>();
                for (BatchInputs.Content c : todo) {
                    String problem = c.problem();
                    List<Path> targets = problem == null ? targets(c) : List.of();
                    if (problem == null) {
                        problem = clash(targets, c, planned);
                    }
                    if (problem != null) {
                        failures.add(c.file(), c.file() + " " + problem);
                        progress.failed();
                        continue;
                    }
                    if (targets.stream().allMatch(Files::isRegularFile)) {
                        skipped++;
                        progress.skipped();
                        continue;
                    }
                    String error = stylize(st, c, targets, styleImages, encoded, cleaned);
                    if (error != null) {
                        failures.add(c.file(), error);
                        progress.failed();
                    } else {
                        processed++;
                        progress.processed();
                    }
                }
            } finally {
                encoded.forEach(list -> list.forEach(StyleFeatures::close));
            }
        } finally {
            progress.finish();
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println(String.format(Locale.ROOT, "%d stylized, %d skipped (done before), %d failed%s", processed,
                skipped, failures.rows(), failures.rows() > 0 ? " (see " + failures.file() + ")" : ""));
        out.flush();
        return failures.rows() > 0 ? AdainCli.EXIT_SOME_FAILED : AdainCli.EXIT_OK;
    }

    private BatchProgress.Mode progressMode() {
        if (quiet) {
            return BatchProgress.Mode.NONE;
        }
        return switch (progressMode.toLowerCase(Locale.ROOT)) {
            // Java 17 cannot ask whether stderr alone is a terminal; a console means the user is watching one.
            case "auto" -> System.console() != null ? BatchProgress.Mode.BAR : BatchProgress.Mode.LOG;
            case "bar" -> BatchProgress.Mode.BAR;
            case "log" -> BatchProgress.Mode.LOG;
            case "none" -> BatchProgress.Mode.NONE;
            default -> throw usage("--progress must be auto, bar, log or none, got '" + progressMode + "'");
        };
    }

    private void checkStyleNames() {
        Map<String, BatchStyle> byName = new HashMap<>();
        for (BatchStyle s : styles) {
            // Case-insensitive: on macOS and Windows "A" and "a" would name the same files.
            BatchStyle other = byName.putIfAbsent(s.name().toLowerCase(Locale.ROOT), s);
            if (other != null) {
                throw usage("Two --style options are named '" + s.name() + "' (" + other.images() + " and "
                        + s.images() + "); give each its own name as NAME=IMAGE");
            }
        }
    }

    /** OUT must be a directory, and not one of the content directories (outputs would become contents). */
    private void checkOutputDirectory() {
        if (Files.exists(output) && !Files.isDirectory(output)) {
            throw usage("--output " + output + " is a file; it must be a directory (existing or to be created)");
        }
        for (Path c : contents) {
            if (Files.isDirectory(c) && OutputPlan.sameFile(c, output)) {
                throw usage("--output " + output + " is the --content directory " + c + "; choose another "
                        + "directory (it may be inside " + c + ", which is then not searched)");
            }
        }
    }

    private List<BatchInputs.Content> gather(PrintWriter err) {
        List<BatchInputs.Content> all = new ArrayList<>();
        BatchInputs.Skipped skipped = new BatchInputs.Skipped();
        for (Path c : contents) {
            if (Files.isDirectory(c)) {
                all.addAll(BatchInputs.walk(c, output, skipped));
            } else {
                all.add(BatchInputs.file(c));
            }
        }
        for (Path list : lists) {
            all.addAll(BatchInputs.list(list));
        }
        if (skipped.notImages > 0) {
            // A warning, not progress: -q does not hide it.
            err.println("adain: warning: skipped " + skipped.notImages + " file(s) in the --content directories "
                    + "that are not images (" + String.join(", ", Images.READABLE_EXTENSIONS) + ")");
            err.flush();
        }
        return all;
    }

    /** Every style image, decoded and size-checked before the model loads: a bad style stops the run at once. */
    private List<List<BufferedImage>> readStyles() {
        List<List<BufferedImage>> all = new ArrayList<>();
        for (BatchStyle s : styles) {
            List<BufferedImage> images = new ArrayList<>();
            for (Path p : s.images()) {
                BufferedImage image = Images.read(p, model.decodeLimit());
                try {
                    controls.checkStyleSize(ImageTensor.fromImage(image), crop, model.maxPixels);
                } catch (InvalidRequestException e) {
                    throw new InputException("style " + p + ": " + e.getMessage(), e);
                }
                images.add(image);
            }
            all.add(images);
        }
        return all;
    }

    /**
     * Each style's features, encoded once for the run. With --preserve-color the style is recoloured to each
     * content, so encoding ahead would not save the pass: the images go into each request instead (empty lists).
     */
    private List<List<StyleFeatures>> encodeStyles(StyleTransfer st, List<List<BufferedImage>> images) {
        List<List<StyleFeatures>> all = new ArrayList<>();
        if (controls.preserveColor) {
            images.forEach(i -> all.add(List.of()));
            return all;
        }
        try {
            for (int s = 0; s < styles.size(); s++) {
                List<StyleFeatures> features = new ArrayList<>();
                all.add(features);
                for (int j = 0; j < images.get(s).size(); j++) {
                    try {
                        features.add(st.encodeStyle(images.get(s).get(j), controls.styleSize, crop));
                    } catch (InvalidRequestException e) {
                        throw new InputException("style " + styles.get(s).images().get(j) + ": " + e.getMessage(),
                                e);
                    }
                }
            }
            return all;
        } catch (RuntimeException e) {
            all.forEach(list -> list.forEach(StyleFeatures::close));
            throw e;
        }
    }

    /** OUT/&lt;relative dir&gt;/&lt;base&gt;__&lt;style&gt;.&lt;ext&gt;, one per style in order. */
    List<Path> targets(BatchInputs.Content c) {
        List<Path> targets = new ArrayList<>(styles.size());
        for (BatchStyle s : styles) {
            targets.add(output.resolve(BatchLayout.outputPath(c.relative(), s.name())));
        }
        return targets;
    }

    /**
     * Two contents whose outputs would have the same name (a.png and a.bmp of one directory, or list entries in
     * different case): the first keeps the name, the others fail, so no output is overwritten by another content.
     */
    private static String clash(List<Path> targets, BatchInputs.Content c, Set<String> planned) {
        String key = targets.get(0).toString().toLowerCase(Locale.ROOT);
        if (!planned.add(key)) {
            return "would have the same output names as an earlier content (" + targets.get(0) + "); rename it "
                    + "or stylize it in a separate run";
        }
        return null;
    }

    /** Stylises one content into its missing outputs; returns why it failed, or null. */
    private String stylize(StyleTransfer st, BatchInputs.Content c, List<Path> targets,
            List<List<BufferedImage>> styleImages, List<List<StyleFeatures>> encoded, Set<Path> cleaned)
            throws IOException {
        BufferedImage content;
        try {
            content = Images.read(c.file(), model.decodeLimit());
        } catch (ImageException e) {
            return e.getMessage();
        }
        for (int s = 0; s < styles.size(); s++) {
            Path target = targets.get(s);
            if (Files.isRegularFile(target)) {
                continue;
            }
            StyleRequest.Builder b = controls.request(content, crop);
            BatchStyle style = styles.get(s);
            for (int j = 0; j < style.images().size(); j++) {
                addStyle(b, style, j, controls.preserveColor ? styleImages.get(s).get(j) : encoded.get(s).get(j));
            }
            BufferedImage result;
            try {
                result = st.stylize(b.build());
            } catch (InvalidRequestException e) {
                return "content " + c.file() + ": " + e.getMessage();
            }
            prepare(target.getParent(), cleaned);
            try {
                Images.write(result, target);
            } catch (ImageException e) {
                // Not the content's fault (a full disk, no permission): stop rather than fail every image.
                throw new InputException(e.getMessage(), e);
            }
        }
        return null;
    }

    private static void addStyle(StyleRequest.Builder b, BatchStyle style, int j, Object image) {
        boolean weighted = style.weights() != null;
        double w = weighted ? style.weights().get(j) : 1;
        if (image instanceof StyleFeatures f) {
            if (weighted) {
                b.style(f, w);
            } else {
                b.style(f);
            }
        } else {
            BufferedImage img = (BufferedImage) image;
            if (weighted) {
                b.style(img, w);
            } else {
                b.style(img);
            }
        }
    }

    /**
     * Creates an output directory and, the first time the run writes to it, deletes the temporary files a killed
     * run left there ({@link Images#TEMPORARY_PREFIX}); two runs must not write to one directory at once.
     */
    private static void prepare(Path dir, Set<Path> cleaned) throws IOException {
        if (!cleaned.add(dir)) {
            return;
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new InputException("Cannot create the output directory " + dir + ": " + e, e);
        }
        try (DirectoryStream<Path> leftovers = Files.newDirectoryStream(dir,
                Images.TEMPORARY_PREFIX + "*" + Images.TEMPORARY_SUFFIX)) {
            for (Path p : leftovers) {
                Files.deleteIfExists(p);
            }
        }
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }
}
