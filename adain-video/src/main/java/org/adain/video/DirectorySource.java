package org.adain.video;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.adain.ImageException;
import org.adain.Images;

/** A directory of PNG/JPEG frames, in file-name order, all of one size. */
final class DirectorySource implements FrameSource {
    private final Path dir;
    private final List<Path> files;
    private final double frameRate;
    private final int width;
    private final int height;
    private int index;
    private BufferedImage first;

    DirectorySource(Path dir, double frameRate, long maxPixels) {
        FrameSource.requireReadable(dir);
        this.dir = dir;
        this.frameRate = frameRate;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(Files::isRegularFile).filter(DirectorySource::isFrame).sorted()
                    .collect(Collectors.toList());
        } catch (IOException e) {
            throw new VideoException("Cannot list the frame directory " + dir + ": " + e.getMessage(), e);
        }
        if (files.isEmpty()) {
            throw new VideoException("The frame directory " + dir + " holds no .png, .jpg or .jpeg file");
        }
        first = read(files.get(0));
        width = first.getWidth();
        height = first.getHeight();
        if ((long) width * height > maxPixels) {
            throw new VideoException("Frame " + files.get(0) + " is " + width + "×" + height
                    + ", over the limit of " + maxPixels + " pixels");
        }
    }

    static boolean isFrame(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return !n.startsWith(".") && (n.endsWith(".png") || n.endsWith(".jpg") || n.endsWith(".jpeg"));
    }

    private static BufferedImage read(Path file) {
        try {
            return Images.read(file);
        } catch (ImageException e) {
            throw new VideoException("Frame " + file + " cannot be read: " + e.getMessage(), e);
        }
    }

    @Override
    public double frameRate() {
        return frameRate;
    }

    @Override
    public int width() {
        return width;
    }

    @Override
    public int height() {
        return height;
    }

    @Override
    public long frameCount() {
        return files.size();
    }

    @Override
    public boolean hasAudio() {
        return false;
    }

    @Override
    public BufferedImage next() {
        if (index >= files.size()) {
            return null;
        }
        BufferedImage img = index == 0 ? first : read(files.get(index));
        first = null;
        if (img.getWidth() != width || img.getHeight() != height) {
            throw new VideoException("Frame " + files.get(index) + " is " + img.getWidth() + "×" + img.getHeight()
                    + ", the first frame of " + dir + " is " + width + "×" + height + "; all frames need one size");
        }
        index++;
        return img;
    }

    @Override
    public void close() {
        first = null;
    }
}
