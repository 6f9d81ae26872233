package org.adain.examples.cli;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import javax.imageio.ImageIO;

/**
 * Test inputs, always copied into a test's own directory first: the reference fixtures of adain-testkit
 * (small random-weight Keras models, 40..75 pixel images) and this module's broken weight files.
 */
final class Fixtures {
    static final String TESTKIT = "org/adain/testkit/reference/";
    static final String BAD = "org/adain/examples/cli/bad/";

    private Fixtures() {
    }

    /** Copies a testkit resource, e.g. "images/style_0.png", into {@code dir} under its own file name. */
    static Path testkit(Path dir, String resource) {
        return copy(TESTKIT + resource, dir.resolve(Path.of(resource).getFileName().toString()));
    }

    static Path encoder(Path dir) {
        return testkit(dir, "models/encoder_tf2.h5");
    }

    static Path decoder(Path dir) {
        return testkit(dir, "models/decoder_tf2.h5");
    }

    /** 64×48 (width×height). */
    static Path content(Path dir) {
        return testkit(dir, "images/content_48x64.png");
    }

    /** 48×48. */
    static Path style(Path dir, int k) {
        return testkit(dir, "images/style_" + k + ".png");
    }

    /** 64×48, white and black regions. */
    static Path mask(Path dir) {
        return testkit(dir, "images/mask_48x64.png");
    }

    /** A broken weight file made by src/test/python/make_bad_weights.py. */
    static Path bad(Path dir, String name) {
        return copy(BAD + name, dir.resolve(name));
    }

    static Path copy(String resource, Path target) {
        try (InputStream in = Fixtures.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("Test fixture " + resource + " is not on the classpath");
            }
            Files.createDirectories(target.toAbsolutePath().getParent());
            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static BufferedImage read(Path image) {
        try {
            BufferedImage img = ImageIO.read(image.toFile());
            if (img == null) {
                throw new IllegalStateException("Not an image: " + image);
            }
            return img;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path write(BufferedImage image, String format, Path target) {
        try {
            if (!ImageIO.write(image, format, target.toFile())) {
                throw new IllegalStateException("No writer for " + format);
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A solid-grey image, for masks with forbidden values and too-small inputs. */
    static BufferedImage grey(int width, int height, int value) {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                img.getRaster().setSample(x, y, 0, value);
            }
        }
        return img;
    }

    static Path firstBytes(Path source, double fraction, Path target) {
        try {
            byte[] all = Files.readAllBytes(source);
            Files.write(target, java.util.Arrays.copyOf(all, (int) (all.length * fraction)));
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] bytes(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
