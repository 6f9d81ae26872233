package org.adain.examples.cli;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.adain.Images;

/**
 * Where each stylised content goes, decided and checked before any work: OUT is a file for one content, or
 * a directory (for several contents, an existing directory, or a path ending in "/"), in which each output is
 * named {@code <content-basename>_stylized.<ext>}; ext is the first content's extension when it is png, jpg or
 * jpeg (any case), else png.
 */
final class OutputPlan {
    /** Suffix added to the content's base name in directory mode. */
    static final String SUFFIX = "_stylized";

    private final Path directory;
    private final List<Path> files;

    private OutputPlan(Path directory, List<Path> files) {
        this.directory = directory;
        this.files = files;
    }

    /** The output directory to create before writing, or null when OUT is a single file. */
    Path directory() {
        return directory;
    }

    /** One output file per content, in order. */
    List<Path> files() {
        return files;
    }

    /**
     * Plans the outputs.
     *
     * @throws UsageError the command line cannot work (a file given for several contents, two contents that
     *                    would get the same output name)
     */
    static OutputPlan of(String out, List<Path> contents) {
        Path target = Path.of(out);
        boolean directoryMode = contents.size() > 1 || Files.isDirectory(target) || out.endsWith("/")
                || out.endsWith(File.separator);
        if (!directoryMode) {
            return new OutputPlan(null, List.of(target));
        }
        if (Files.exists(target) && !Files.isDirectory(target)) {
            throw new UsageError("--output " + target + " is a file, but with " + contents.size()
                    + " --content images it must be a directory (existing or to be created)");
        }
        String ext = extensionFor(contents.get(0));
        List<Path> files = new ArrayList<>(contents.size());
        Map<Path, Path> byOutput = new HashMap<>();
        for (Path content : contents) {
            Path file = target.resolve(baseName(content) + SUFFIX + "." + ext);
            Path clash = byOutput.putIfAbsent(file.toAbsolutePath().normalize(), content);
            if (clash != null) {
                throw new UsageError("--content " + clash + " and " + content + " would both be written to " + file
                        + "; give contents distinct file names or stylize them in separate runs");
            }
            files.add(file);
        }
        return new OutputPlan(target, List.copyOf(files));
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
     * Checks now what writing would otherwise find out after the work: the format from the extension and,
     * for a single file, that its directory exists (a directory output is created).
     */
    void checkWritable() {
        if (directory == null) {
            Path target = files.get(0);
            Images.formatOf(target);
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

    private static String extensionFor(Path firstContent) {
        String name = firstContent.getFileName() == null ? "" : firstContent.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String ext = dot > 0 ? name.substring(dot + 1) : "";
        return switch (ext.toLowerCase(Locale.ROOT)) {
            case "png", "jpg", "jpeg" -> ext;
            default -> "png";
        };
    }

    /** A command-line mistake found after parsing; the command turns it into picocli's usage error. */
    static final class UsageError extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UsageError(String message) {
            super(message);
        }
    }
}
