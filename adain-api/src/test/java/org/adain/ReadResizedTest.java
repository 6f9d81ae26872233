package org.adain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Images#readResized} equals the full decode followed by the PIL-exact resize, value for value, in every
 * format and colour model, with strips of a few rows (the strip path) and whole; and a large photo is never held at
 * full size (a JVM whose heap cannot hold it reads it resized).
 */
class ReadResizedTest {
    @TempDir
    Path dir;

    private List<Path> files() throws IOException {
        List<Path> files = new ArrayList<>();
        int[][] sizes = {{301, 203}, {203, 301}, {640, 97}, {97, 97}};
        int n = 0;
        for (int[] s : sizes) {
            BufferedImage rgb = ImageFiles.photo(s[0], s[1], BufferedImage.TYPE_INT_RGB, n);
            BufferedImage grey = ImageFiles.photo(s[0], s[1], BufferedImage.TYPE_BYTE_GRAY, n);
            BufferedImage indexed = ImageFiles.photo(s[0], s[1], BufferedImage.TYPE_BYTE_INDEXED, n);
            BufferedImage deep = new BufferedImage(s[0], s[1], BufferedImage.TYPE_USHORT_GRAY);
            for (int y = 0; y < s[1]; y++) {
                for (int x = 0; x < s[0]; x++) {
                    deep.getRaster().setSample(x, y, 0, (x * 977 + y * 131) & 0xffff);
                }
            }
            files.add(ImageFiles.write(dir, n + ".jpg", ImageFiles.encode(rgb, "jpeg")));
            files.add(ImageFiles.write(dir, n + "-grey.jpg", ImageFiles.encode(grey, "jpeg")));
            files.add(ImageFiles.write(dir, n + "-progressive.jpg", ImageFiles.progressiveJpeg(rgb)));
            files.add(ImageFiles.write(dir, n + ".png", ImageFiles.encode(rgb, "png")));
            files.add(ImageFiles.write(dir, n + "-16bit.png", ImageFiles.encode(deep, "png")));
            files.add(ImageFiles.write(dir, n + "-palette.png", ImageFiles.encode(indexed, "png")));
            files.add(ImageFiles.write(dir, n + ".bmp", ImageFiles.encode(rgb, "bmp")));
            files.add(ImageFiles.write(dir, n + ".gif", ImageFiles.encode(indexed, "gif")));
            n++;
        }
        return files;
    }

    @Test
    void resultsEqualTheFullDecodeAndReferenceResizeExactly() throws IOException {
        int compared = 0;
        for (Path f : files()) {
            ImageTensor whole = ImageTensor.fromImage(Images.read(f));
            for (int size : new int[] {0, 1, 64, 150, 400}) {
                ImageTensor expected = whole.resize(size, false);
                // strips of a quarter of the rows, of a prime count of pixels, the public default, and for low
                // images of one row (every strip decodes the rows above it again: quadratic in the strips)
                long quarter = (long) whole.width() * ((whole.height() + 3) / 4);
                long[] strips = whole.height() < 100 && size == 64 ? new long[] {1, quarter, 7919, Images.STRIP_PIXELS}
                        : new long[] {quarter, 7919, Images.STRIP_PIXELS};
                for (long strip : strips) {
                    ImageTensor got = Images.readResized(f, size, Images.DEFAULT_DECODE_LIMIT, strip);
                    assertThat(got.height()).as("%s size %d strip %d", f.getFileName(), size, strip)
                            .isEqualTo(expected.height());
                    assertThat(got.width()).isEqualTo(expected.width());
                    assertThat(got.toArray()).as("%s size %d strip %d", f.getFileName(), size, strip)
                            .isEqualTo(expected.toArray());
                    assertThat(got.isEightBit()).isEqualTo(expected.isEightBit());
                    compared++;
                }
            }
        }
        assertThat(compared).isEqualTo(32 * 5 * 3 + 16);
    }

    @Test
    void aResizedImageIsStillBoundedByTheLimit() throws IOException {
        Path f = ImageFiles.write(dir, "strip.png",
                ImageFiles.encode(ImageFiles.photo(400, 10, BufferedImage.TYPE_INT_RGB, 9), "png"));
        assertThatThrownBy(() -> Images.readResized(f, 100, 100_000)).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("strip.png").hasMessageContaining("4000×100 = 400000 pixels")
                .hasMessageContaining("decode limit of 100000");
        assertThatThrownBy(() -> Images.readResized(f, -1, 100_000)).isInstanceOf(InvalidRequestException.class);
    }

    /**
     * A 6000×4000 JPEG (24 Mpx: 72 MB as 8-bit pixels, 288 MB as floats) read at 256 in a JVM of 64 MB heap: works
     * resized, and a full read in the same heap runs out of memory, so the bound is what makes the difference.
     */
    @Test
    void aLargePhotoIsNeverHeldAtFullSize() throws Exception {
        Path f = ImageFiles.write(dir, "24mpx.jpg",
                ImageFiles.encode(ImageFiles.photo(6000, 4000, BufferedImage.TYPE_INT_RGB, 10), "jpeg"));
        assertThat(fork(f, "resized")).startsWith("ok 384×256");
        assertThat(fork(f, "full")).contains("OutOfMemoryError");
    }

    private String fork(Path f, String mode) throws Exception {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m", "-Djava.awt.headless=true", "-cp", System.getProperty("java.class.path"),
                ReadResizedMain.class.getName(), f.toString(), mode).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        return new String(out, StandardCharsets.UTF_8);
    }
}
