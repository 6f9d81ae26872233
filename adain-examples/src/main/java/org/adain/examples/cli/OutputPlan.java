package org.adain.examples.cli;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.adain.BatchLayout;
import org.adain.ImageException;
import org.adain.Images;

/**
 * Where each result goes, decided and checked before any work. OUT is a file for one content stylised once, or a
 * directory: for several contents, for a directory among the inputs, for an existing directory, or for a path
 * ending in "/". In a directory each result is named {@code <content-basename>_stylized.<ext>}, or, when each style
 * of a {@code --style} directory gives its own result, {@code <content-basename>_stylized_<style-basename>.<ext>}
 * (the PyTorch port's names); ext is the first content's extension when it is png, jpg or jpeg (any case), else
 * png. The results are ordered style set by style set, each for every content in turn.
 */
final class OutputPlan {
    /** Suffix added to the content's base name in directory mode. */
    static final String SUFFIX = "_stylized";

    private final Path directory;
    private final int contents;
    private final List<Path> files;

    private OutputPlan(Path directory, int contents, List<Path> files) {
        this.directory = directory;
        this.contents = contents;
        this.files = files;
    }

    /** The output directory to create before writing, or null when OUT is a single file. */
    Path directory() {
        return directory;
    }

    /** Every output file, style set by style set, each for every content in turn. */
    List<Path> files() {
        return files;
    }

    /** The result of content {@code content} stylised with style set {@code set}. */
    Path file(int set, int content) {
        return files.get(set * contents + content);
    }

    /**
     * Plans the outputs.
     *
     * @param out              the --output argument as typed
     * @param contents         the content images, directories expanded
     * @param contentDirectory whether a --content argument was a directory
     * @param separateStyles   the styles that each give their own result (a --style directory's images), or
     *                         empty when all the styles together give one result per content
     * @throws UsageError the command line cannot work (a file where a directory is needed, two results that would
     *                    get the same name)
     */
    static OutputPlan of(String out, List<Path> contents, boolean contentDirectory, List<Path> separateStyles) {
        Path target = Path.of(out);
        String needsDirectory = contents.size() > 1 ? contents.size() + " content images"
                : contentDirectory ? "a --content directory"
                : !separateStyles.isEmpty() ? "a --style directory" : null;
        boolean directoryMode = needsDirectory != null || Files.isDirectory(target) || out.endsWith("/")
                || out.endsWith(File.separator);
        if (!directoryMode) {
            return new OutputPlan(null, 1, List.of(target));
        }
        if (Files.exists(target) && !Files.isDirectory(target)) {
            throw new UsageError("--output " + target + " is a file, but with " + needsDirectory
                    + " it must be a directory (existing or to be created)");
        }
        String ext = extensionFor(contents.get(0));
        List<Path> sets = separateStyles.isEmpty() ? Collections.singletonList(null) : separateStyles;
        List<Path> files = new ArrayList<>(sets.size() * contents.size());
        Map<Path, String> byOutput = new HashMap<>();
        for (Path style : sets) {
            for (Path content : contents) {
                String name = baseName(content) + SUFFIX + (style == null ? "" : "_" + baseName(style));
                Path file = target.resolve(name + "." + ext);
                String from = "--content " + content + (style == null ? "" : " with --style " + style);
                String clash = byOutput.putIfAbsent(file.toAbsolutePath().normalize(), from);
                if (clash != null) {
                    throw new UsageError(clash + " and " + from + " would both be written to " + file
                            + "; give the inputs distinct file names or stylize them in separate runs");
                }
                files.add(file);
            }
        }
        return new OutputPlan(target, contents.size(), List.copyOf(files));
    }

    /**
     * Refuses outputs that are one of the inputs, which the run would destroy. Compares the files themselves
     * ({@link Files#isSameFile}: symbolic and hard links) when both exist, else the normalised absolute paths
     * with the existing directories resolved.
     *
     * @param inputs role ("content", "style", "mask", "encoder", "decoder") → path, in a stable order
     */
    void refuseInputs(List<Map.Entry<String, Path>> inputs) {
        for (Path output : files) {
            for (Map.Entry<String, Path> input : inputs) {
                if (sameFile(output, input.getValue())) {
                    throw new InputException("The output " + output + " is the " + input.getKey() + " file "
                            + input.getValue() + "; refusing to overwrite an input (choose another --output)");
                }
            }
        }
    }

    /**
     * A single output file must be PNG or JPEG by its extension (a directory's names always are); {@link Images}
     * owns the accepted extensions and says which they are.
     *
     * @throws UsageError naming the path and the accepted extensions
     */
    void checkFormat() {
        if (directory == null) {
            try {
                Images.formatOf(files.get(0));
            } catch (ImageException e) {
                throw new UsageError("--output: " + e.getMessage());
            }
        }
    }

    /** Checks now what writing would otherwise find out after the work: a single file's directory exists. */
    void checkWritable() {
        if (directory == null) {
            Path target = files.get(0);
            Path parent = target.toAbsolutePath().getParent();
            if (parent != null && !Files.isDirectory(parent)) {
                throw new InputException("Cannot write the output " + target + ": directory " + parent
                        + " does not exist");
            }
        }
    }

    static boolean sameFile(Path a, Path b) {
        if (Files.exists(a) && Files.exists(b)) {
            try {
                return Files.isSameFile(a, b);
            } catch (IOException e) {
                // unreadable metadata: fall back to comparing names, which errs on the side of refusing
            }
        }
        return canonical(a).equals(canonical(b));
    }

    /** The absolute normalised path, with the nearest existing parent directory's links resolved. */
    private static Path canonical(Path p) {
        Path abs = p.toAbsolutePath().normalize();
        Path parent = abs.getParent();
        if (parent != null && Files.isDirectory(parent) && abs.getFileName() != null) {
            try {
                return parent.toRealPath().resolve(abs.getFileName());
            } catch (IOException e) {
                return abs;
            }
        }
        return abs;
    }

    static String baseName(Path file) {
        String name = file.getFileName() == null ? "output" : file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }

    /** The extension outputs made from this content get ({@link BatchLayout#outputExtension}). */
    static String extensionFor(Path firstContent) {
        return BatchLayout.outputExtension(firstContent.getFileName() == null ? "" : firstContent.getFileName()
                .toString());
    }

    /** A command-line mistake found after parsing; the command turns it into picocli's usage error. */
    static final class UsageError extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UsageError(String message) {
            super(message);
        }
    }
}
