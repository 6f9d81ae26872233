package org.adain.examples.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.adain.Images;

/**
 * The contents of {@code adain batch}, each with the relative path its outputs are named after:
 * <ul>
 * <li>a directory is walked recursively: every regular file with one of {@link Images#READABLE_EXTENSIONS} (any
 *     case), relative to the directory; hidden files and directories (names starting with '.') and symbolic links
 *     to directories are not entered; the output directory, if inside, is left out;</li>
 * <li>an image file given directly is relative to its own directory (its name);</li>
 * <li>a list file names one image per line (UTF-8; blank lines and lines starting with '#' ignored), relative to
 *     the current directory or absolute; its relative path is the line as written (normalised), an absolute one
 *     without its root, e.g. {@code /data/a/b.jpg} gives {@code data/a/b.jpg}.</li>
 * </ul>
 * The order is the argument order, each directory's files in path order (code units, the same on every machine).
 */
final class BatchInputs {
    private BatchInputs() {
    }

    /**
     * One content.
     *
     * @param file     where to read it
     * @param relative its path relative to its root, '/'-separated, e.g. {@code 2024/june/a.jpg}
     * @param problem  why it cannot be processed (a list entry that climbs out of its root, {@code ../a.jpg}, or
     *                 a directory that cannot be read), for failures.csv; null when it can
     */
    record Content(Path file, String relative, String problem) {
        Content(Path file, String relative) {
            this(file, relative, null);
        }
    }

    /** Counts of what was not taken, for one warning line. */
    static final class Skipped {
        int notImages;
    }

    /**
     * Walks a directory.
     *
     * @param exclude a directory to leave out (the output directory), or null
     */
    static List<Content> walk(Path root, Path exclude, Skipped skipped) {
        List<Content> found = new ArrayList<>();
        Path excluded = exclude == null ? null : exclude.toAbsolutePath().normalize();
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                    if (!dir.equals(root) && (hidden(dir) || dir.toAbsolutePath().normalize().equals(excluded))) {
                        return FileVisitResult.SKIP_SUBTREE;
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    if (hidden(file)) {
                        return FileVisitResult.CONTINUE;
                    }
                    if (attrs.isRegularFile() && Images.hasReadableExtension(file)) {
                        found.add(new Content(file, slashes(root.relativize(file))));
                    } else if (!attrs.isDirectory()) {
                        skipped.notImages++;
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                    if (file.equals(root)) {
                        throw e;
                    }
                    // An unreadable subdirectory or file: its images cannot be listed; say so as a failure.
                    found.add(new Content(file, slashes(root.relativize(file)), "cannot be read: " + e));
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new InputException("Cannot read the --content directory " + root + ": " + e, e);
        }
        found.sort(Comparator.comparing(Content::relative));
        return found;
    }

    /** An image file given directly: named after its file name. */
    static Content file(Path file) {
        return new Content(file, file.getFileName() == null ? null : file.getFileName().toString());
    }

    /** Reads a list file. */
    static List<Content> list(Path listFile) {
        List<Content> found = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(listFile, StandardCharsets.UTF_8)) {
            String line;
            int number = 0;
            while ((line = in.readLine()) != null) {
                number++;
                String entry = line.strip();
                if (entry.isEmpty() || entry.startsWith("#")) {
                    continue;
                }
                Path p;
                try {
                    p = Path.of(entry);
                } catch (InvalidPathException e) {
                    throw new InputException("--list " + listFile + ", line " + number + ": not a path: "
                            + e.getMessage(), e);
                }
                Path rel = p.getRoot() == null ? p.normalize() : p.getRoot().relativize(p).normalize();
                if (rel.toString().isEmpty() || rel.startsWith("..")) {
                    found.add(new Content(p, entry, "is outside the current directory (..), so its outputs "
                            + "cannot be named after it; list it without '..'"));
                } else {
                    found.add(new Content(p, slashes(rel)));
                }
            }
        } catch (IOException | UncheckedIOException e) {
            throw new InputException("Cannot read the --list file " + listFile + ": " + e, e);
        }
        return found;
    }

    private static boolean hidden(Path p) {
        Path name = p.getFileName();
        return name != null && name.toString().startsWith(".");
    }

    private static String slashes(Path relative) {
        List<String> parts = new ArrayList<>();
        relative.forEach(n -> parts.add(n.toString()));
        return String.join("/", parts);
    }
}
