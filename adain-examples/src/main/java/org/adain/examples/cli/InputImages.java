package org.adain.examples.cli;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.adain.Images;

/**
 * The images of a directory given as {@code --content DIR} or {@code --style DIR}, like the PyTorch port's
 * {@code --content_dir}/{@code --style_dir} (which take every file of the directory in no fixed order): the regular
 * files directly in it whose names end in one of {@link Images#READABLE_EXTENSIONS} (any case), in name order.
 * Subdirectories are not searched; they and the other files are skipped and reported, hidden entries (names
 * starting with '.') are left out silently, as {@code ls} does.
 */
final class InputImages {
    /** Skipped names listed in a warning before "and N more". */
    private static final int NAMES_SHOWN = 5;

    private InputImages() {
    }

    /**
     * The images of one directory and the entries skipped, both in name order.
     *
     * @param option    the option the directory was given to, e.g. "--content", for messages
     * @param directory the directory as typed
     * @param images    the image files, in name order
     * @param skipped   the other entries (hidden ones left out), in name order
     */
    record Listing(String option, Path directory, List<Path> images, List<Path> skipped) {
        /**
         * One line naming what was skipped, e.g. {@code --content photos: skipped 2 entries that are not images
         * (.png, .jpg, .jpeg, .bmp, .gif): notes.txt, raw/}; empty when nothing was.
         */
        Optional<String> warning() {
            if (skipped.isEmpty()) {
                return Optional.empty();
            }
            List<String> names = new ArrayList<>();
            for (Path p : skipped.subList(0, Math.min(NAMES_SHOWN, skipped.size()))) {
                names.add(p.getFileName() + (Files.isDirectory(p) ? "/" : ""));
            }
            String more = skipped.size() > NAMES_SHOWN ? " and " + (skipped.size() - NAMES_SHOWN) + " more" : "";
            return Optional.of(option + " " + directory + ": skipped " + skipped.size()
                    + (skipped.size() == 1 ? " entry that is not an image" : " entries that are not images") + " ("
                    + String.join(", ", Images.READABLE_EXTENSIONS) + "; subdirectories are not searched): "
                    + String.join(", ", names) + more);
        }
    }

    /**
     * Lists a directory's images.
     *
     * @throws InputException the directory cannot be read, or holds no image
     */
    static Listing list(String option, Path directory) {
        List<Path> images = new ArrayList<>();
        List<Path> skipped = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory)) {
            for (Path p : entries) {
                if (p.getFileName().toString().startsWith(".")) {
                    continue;
                }
                if (Files.isRegularFile(p) && Images.hasReadableExtension(p)) {
                    images.add(p);
                } else {
                    skipped.add(p);
                }
            }
        } catch (IOException e) {
            throw new InputException("Cannot read the " + option + " directory " + directory + ": " + e, e);
        }
        // Code-unit order of the names: the same on every machine and locale.
        Comparator<Path> byName = Comparator.comparing(p -> p.getFileName().toString());
        images.sort(byName);
        skipped.sort(byName);
        if (images.isEmpty()) {
            throw new InputException("The " + option + " directory " + directory + " holds no images (looked for "
                    + String.join(", ", Images.READABLE_EXTENSIONS) + " files directly in it"
                    + (skipped.isEmpty() ? "" : "; found only " + skipped.size() + " other entries") + ")");
        }
        return new Listing(option, directory, List.copyOf(images), List.copyOf(skipped));
    }
}
