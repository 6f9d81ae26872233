package org.adain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Seeded mutants of small PNG and JPEG files in the colour models and layouts photos come in (RGB, grey, palette,
 * 16-bit, interlaced; baseline, grey and progressive JPEG), each read whole by {@link Images#read(Path, long)} and
 * resized in strips by {@link Images#readResized}: every read ends in pixels or an {@link ImageException}
 * ({@link InvalidRequestException} only for a resize beyond the limit), within 2 s of CPU and 100 MB allocated on
 * the reading thread, with a decode limit of 1 Mpx. {@code -Dadain.imageMutants=N} sets the mutants per format
 * (default 1200, spread over its fixtures).
 */
class ImageMutationTest {
    static final int MUTANTS = Integer.getInteger("adain.imageMutants", 1200);
    private static final long LIMIT = 1L << 20;
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    @TempDir
    Path dir;

    private static Map<String, byte[]> fixtures(String format) throws IOException {
        Map<String, byte[]> f = new LinkedHashMap<>();
        BufferedImage rgb = ImageFiles.photo(61, 47, BufferedImage.TYPE_INT_RGB, 1);
        BufferedImage grey = ImageFiles.photo(40, 33, BufferedImage.TYPE_BYTE_GRAY, 2);
        if (format.equals("png")) {
            f.put("rgb.png", ImageFiles.encode(rgb, "png"));
            f.put("grey.png", ImageFiles.encode(grey, "png"));
            f.put("palette.png", ImageFiles.encode(ImageFiles.photo(37, 29, BufferedImage.TYPE_BYTE_INDEXED, 3),
                    "png"));
            BufferedImage deep = new BufferedImage(23, 19, BufferedImage.TYPE_USHORT_GRAY);
            for (int y = 0; y < 19; y++) {
                for (int x = 0; x < 23; x++) {
                    deep.getRaster().setSample(x, y, 0, x * 2000 + y * 77);
                }
            }
            f.put("16bit.png", ImageFiles.encode(deep, "png"));
            f.put("interlaced-argb.png", interlacedPng(ImageFiles.photo(29, 31, BufferedImage.TYPE_INT_ARGB, 4)));
        } else {
            f.put("rgb.jpg", ImageFiles.encode(rgb, "jpeg"));
            f.put("grey.jpg", ImageFiles.encode(grey, "jpeg"));
            f.put("progressive.jpg", ImageFiles.progressiveJpeg(rgb));
        }
        return f;
    }

    private static byte[] interlacedPng(BufferedImage img) throws IOException {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("png").next();
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
            writer.setOutput(out);
            ImageWriteParam p = writer.getDefaultWriteParam();
            p.setProgressiveMode(ImageWriteParam.MODE_DEFAULT);
            writer.write(null, new IIOImage(img, null, null), p);
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }

    @ParameterizedTest
    @ValueSource(strings = {"png", "jpeg"})
    void everyMutantEndsInPixelsOrAnImageException(String format) throws IOException {
        Map<String, byte[]> fixtures = fixtures(format);
        THREADS.setThreadAllocatedMemoryEnabled(true);
        THREADS.setThreadCpuTimeEnabled(true);
        Random r = new Random(format.hashCode() + 1234L);
        int perFixture = (MUTANTS + fixtures.size() - 1) / fixtures.size();
        int refused = 0;
        int decoded = 0;
        int total = 0;
        for (Map.Entry<String, byte[]> fixture : fixtures.entrySet()) {
            byte[] original = fixture.getValue();
            String name = fixture.getKey();
            for (int i = 0; i < perFixture; i++, total++) {
                byte[] b = original.clone();
                String what;
                int kind = r.nextInt(5);
                int at = r.nextInt(b.length - 4);
                if (kind == 0) {
                    int flips = 1 + r.nextInt(4);
                    for (int k = 0; k < flips; k++) {
                        b[r.nextInt(b.length)] ^= (byte) (1 + r.nextInt(255));
                    }
                    what = flips + " flipped byte(s) from " + at;
                } else if (kind == 1) {
                    int[] lies = {0xffff, 0x7fffffff, -1, 0, b.length, 0x4000, r.nextInt(1 << 16)};
                    int lie = lies[r.nextInt(lies.length)];
                    ByteBuffer.wrap(b).putInt(at, lie);
                    what = "wrote " + lie + " at byte " + at;
                } else if (kind == 2) {
                    b = Arrays.copyOf(b, at);
                    what = "truncated to " + at;
                } else if (kind == 3) {
                    int n = Math.min(1 + r.nextInt(16), b.length - at);
                    byte[] c = new byte[b.length - n];
                    System.arraycopy(b, 0, c, 0, at);
                    System.arraycopy(b, at + n, c, at, b.length - at - n);
                    b = c;
                    what = "deleted " + n + " bytes at " + at;
                } else {
                    // the header lies about the size: anything up to 65535 a side
                    int w = 1 + r.nextInt(r.nextBoolean() ? 65535 : 2048);
                    int h = 1 + r.nextInt(r.nextBoolean() ? 65535 : 2048);
                    b = format.equals("png") ? ImageFiles.pngClaiming(b, w, h) : ImageFiles.jpegClaiming(b, w, h);
                    what = "claims " + w + "×" + h;
                }
                String file = "m-" + name;
                Path f = Files.write(dir.resolve(file), b);
                long bytes0 = THREADS.getCurrentThreadAllocatedBytes();
                long cpu0 = THREADS.getCurrentThreadCpuTime();
                long t0 = System.nanoTime();
                boolean resized = (i & 1) == 1;
                try {
                    if (resized) {
                        ImageTensor t = Images.readResized(f, 16, LIMIT, 256);
                        assertThat(Math.min(t.width(), t.height())).isLessThanOrEqualTo(16);
                    } else {
                        BufferedImage img = Images.read(f, LIMIT);
                        assertThat((long) img.getWidth() * img.getHeight()).isLessThanOrEqualTo(LIMIT);
                    }
                    decoded++;
                } catch (ImageException e) {
                    refused++;
                    assertThat(e.getMessage()).as("%s %s", name, what).contains(file);
                    assertThat(e.getMessage()).as("%s %s: escaped", name, what).doesNotContainPattern("[\\x00-\\x1f]");
                } catch (InvalidRequestException e) {
                    assertThat(resized).as("%s %s: %s", name, what, e).isTrue();
                    assertThat(e.getMessage()).contains("decode limit");
                    refused++;
                } catch (Throwable t) {
                    fail(name + " mutant " + i + " (" + what + ", " + (resized ? "resized" : "whole") + ") ended in "
                            + t + ", not an ImageException", t);
                }
                assertThat(THREADS.getCurrentThreadCpuTime() - cpu0).as("%s %s: CPU", name, what)
                        .isLessThan(2_000_000_000L);
                assertThat(System.nanoTime() - t0).as("%s %s: wall", name, what).isLessThan(30_000_000_000L);
                assertThat(THREADS.getCurrentThreadAllocatedBytes() - bytes0).as("%s %s: allocated", name, what)
                        .isLessThan(100L << 20);
            }
        }
        System.out.printf("ImageMutationTest %s: %d mutants, %d decoded, %d refused%n", format, total, decoded,
                refused);
        assertThat(total).isGreaterThanOrEqualTo(MUTANTS);
        assertThat(refused).as("refused").isGreaterThan(total / 10);
        assertThat(decoded).as("decoded").isGreaterThan(0);
    }
}
