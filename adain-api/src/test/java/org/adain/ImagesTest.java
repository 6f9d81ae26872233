package org.adain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImagesTest {
    static BufferedImage gradient(int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, (x * 7 % 256) << 16 | (y * 5 % 256) << 8 | ((x + y) % 256));
            }
        }
        return img;
    }

    @Test
    void pngRoundTripIsLossless(@TempDir Path dir) {
        BufferedImage img = gradient(40, 30);
        Path f = dir.resolve("a.png");
        Images.write(img, f);
        BufferedImage back = Images.read(f);
        assertThat(back.getWidth()).isEqualTo(40);
        for (int y = 0; y < 30; y++) {
            for (int x = 0; x < 40; x++) {
                assertThat(back.getRGB(x, y)).isEqualTo(img.getRGB(x, y));
            }
        }
        try (var files = java.nio.file.Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("a.png"); // no temp left
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void jpegIsWrittenByExtension(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("b.JPEG");
        Images.write(gradient(20, 20), f);
        byte[] head = Arrays.copyOf(Files.readAllBytes(f), 2);
        assertThat(head).containsExactly((byte) 0xFF, (byte) 0xD8);
        assertThatThrownBy(() -> Images.write(gradient(2, 2), dir.resolve("c.tiff")))
                .isInstanceOf(ImageException.class).hasMessageContaining(".png, .jpg or .jpeg");
        assertThatThrownBy(() -> Images.write(gradient(2, 2), dir.resolve("missing/c.png")))
                .isInstanceOf(ImageException.class).hasMessageContaining("does not exist");
    }

    @Test
    void badFilesGetMessagesNamingThem(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> Images.read(dir.resolve("nope.png"))).isInstanceOf(ImageException.class)
                .hasMessageContaining("nope.png").hasMessageContaining("does not exist");
        Path empty = Files.createFile(dir.resolve("empty.png"));
        assertThatThrownBy(() -> Images.read(empty)).isInstanceOf(ImageException.class).hasMessageContaining("empty");
        Path text = Files.writeString(dir.resolve("text.jpg"), "hello, not an image");
        assertThatThrownBy(() -> Images.read(text)).isInstanceOf(ImageException.class)
                .hasMessageContaining("not in a supported format");
        assertThatThrownBy(() -> Images.read(dir)).isInstanceOf(ImageException.class)
                .hasMessageContaining("not a regular file");
    }

    @Test
    void truncatedFilesAreRejected(@TempDir Path dir) throws Exception {
        for (String ext : new String[] {"png", "jpg"}) {
            Path whole = dir.resolve("whole." + ext);
            Images.write(gradient(64, 64), whole);
            byte[] bytes = Files.readAllBytes(whole);
            Path cut = dir.resolve("cut." + ext);
            Files.write(cut, Arrays.copyOf(bytes, bytes.length / 2));
            assertThatThrownBy(() -> Images.read(cut)).as(ext).isInstanceOf(ImageException.class)
                    .hasMessageContaining("cut." + ext);
        }
    }

    @Test
    void readableExtensionsAreThoseOfTheFormatsReadDecodes(@TempDir Path dir) {
        assertThat(Images.hasReadableExtension(Path.of("a/photo.JPG"))).isTrue();
        assertThat(Images.hasReadableExtension(Path.of("x.jpeg"))).isTrue();
        assertThat(Images.hasReadableExtension(Path.of("scan.Bmp"))).isTrue();
        assertThat(Images.hasReadableExtension(Path.of("anim.gif"))).isTrue();
        assertThat(Images.hasReadableExtension(Path.of("notes.txt"))).isFalse();
        assertThat(Images.hasReadableExtension(Path.of("png"))).isFalse();
        assertThat(Images.hasReadableExtension(Path.of("scan.tiff"))).isFalse();
        assertThat(Images.hasReadableExtension(Path.of("/"))).isFalse();
        // Every listed format really is decoded by read().
        for (String ext : Images.READABLE_EXTENSIONS) {
            String format = ext.equals(".jpg") || ext.equals(".jpeg") ? "jpeg" : ext.substring(1);
            Path f = dir.resolve("image" + ext);
            try {
                assertThat(javax.imageio.ImageIO.write(gradient(12, 10), format, f.toFile())).as(format).isTrue();
            } catch (java.io.IOException e) {
                throw new AssertionError(e);
            }
            assertThat(Images.read(f).getWidth()).as(ext).isEqualTo(12);
        }
    }
}
