package org.adain.train;

import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import javax.imageio.ImageIO;
import org.adain.fake.FakeWeightsReader;
import org.adain.spi.EncoderWeights;

/** Small images and a tiny encoder for the training tests. */
final class TrainingFixtures {
    private TrainingFixtures() {
    }

    /** The fake reader's tiny encoder: channels 3→2→2→3→3→4→4→4→4→3. */
    static EncoderWeights encoder() {
        return new FakeWeightsReader().readEncoder(Path.of("tiny-encoder"));
    }

    /** An RGB image whose colours depend on position and {@code k}. */
    static BufferedImage rgb(int w, int h, int k) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, ((x * 7 + k * 31) % 256) << 16 | ((y * 5 + k * 17) % 256) << 8 | ((x + y + k) % 256));
            }
        }
        return img;
    }

    static Path png(BufferedImage img, Path file) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            if (!ImageIO.write(img, "png", file.toFile())) {
                throw new IllegalStateException("no PNG writer for " + img);
            }
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A directory with {@code n} RGB PNGs of varying sizes, named prefix_0.png …. */
    static Path imageDir(Path dir, String prefix, int n) {
        for (int k = 0; k < n; k++) {
            png(rgb(40 + 6 * k, 30 + 4 * k, k + prefix.length()), dir.resolve(prefix + "_" + k + ".png"));
        }
        return dir;
    }

    static BufferedImage grey(int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.getRaster().setSample(x, y, 0, (x * 9 + y * 3) % 256);
            }
        }
        return img;
    }

    static BufferedImage rgba(int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_ARGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, ((x * 3) % 256) << 24 | ((x * 5) % 256) << 16 | ((y * 7) % 256) << 8 | 200);
            }
        }
        return img;
    }

    /** A 4-colour palette image. */
    static BufferedImage palette(int w, int h) {
        byte[] r = {(byte) 255, 0, 0, (byte) 128};
        byte[] g = {0, (byte) 255, 0, (byte) 128};
        byte[] b = {0, 0, (byte) 255, (byte) 128};
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_INDEXED,
                new IndexColorModel(2, 4, r, g, b));
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.getRaster().setSample(x, y, 0, (x / 5 + y / 5) % 4);
            }
        }
        return img;
    }

    /** The first half of a valid PNG: a truncated file the reader must reject. */
    static Path truncated(Path file) {
        Path tmp = png(rgb(40, 40, 3), file);
        try {
            byte[] all = Files.readAllBytes(tmp);
            Files.write(file, Arrays.copyOf(all, all.length / 2));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path text(Path file, String content) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            return Files.writeString(file, content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
