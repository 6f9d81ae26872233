package org.adain.video;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.Locale;
import java.util.stream.Stream;
import org.adain.Images;

/** A directory of numbered frames (frame_000001.png ...), written to a temporary directory and renamed. */
final class DirectorySink implements FrameSink {
    private final Path output;
    private final Path temp;
    private final String extension;
    private int written;

    DirectorySink(Path output, String extension) {
        this.output = output;
        this.extension = extension;
        Path parent = output.toAbsolutePath().getParent();
        try {
            Files.createDirectories(parent);
            temp = Files.createTempDirectory(parent, "." + output.getFileName() + ".part-");
        } catch (IOException e) {
            throw new VideoException("Cannot create a directory beside the output " + output + ": " + e.getMessage(),
                    e);
        }
    }

    @Override
    public void write(BufferedImage frame) {
        written++;
        Images.write(frame, temp.resolve(String.format(Locale.ROOT, "frame_%06d.%s", written, extension)));
    }

    @Override
    public void commit() {
        try {
            if (Files.isDirectory(output)) {
                Files.delete(output); // only ever an empty directory: VideoStylizer refuses a non-empty one
            }
            try {
                Files.move(temp, output, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, output);
            }
        } catch (IOException e) {
            abort();
            throw new VideoException("Cannot move the frames to the output " + output + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void abort() {
        deleteTree(temp);
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort: a leftover is a hidden .part directory
                }
            });
        } catch (IOException ignored) {
            // as above
        }
    }

    @Override
    public String description() {
        return written + " " + extension.toUpperCase(Locale.ROOT) + " frames";
    }
}
