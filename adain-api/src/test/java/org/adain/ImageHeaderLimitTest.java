package org.adain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files of a few hundred bytes whose header claims 16384×16384 (the attack: 1–2 KB JPEGs that cost 2.1 GB
 * and 54 s) are refused from the header, before any pixel is decoded: little CPU, little allocation.
 */
class ImageHeaderLimitTest {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    @TempDir
    Path dir;

    @BeforeAll
    static void warmUp(@TempDir Path dir) throws Exception {
        // class loading and the JPEG native library count on the first read, not on the refusal measured below
        for (String format : new String[] {"png", "jpeg", "bmp", "gif"}) {
            Path f = ImageFiles.write(dir, "w." + format,
                    ImageFiles.encode(ImageFiles.photo(8, 8, BufferedImage.TYPE_INT_RGB, 1), format));
            Images.read(f);
            Images.readResized(f, 4, 1000);
        }
        THREADS.setThreadAllocatedMemoryEnabled(true);
        THREADS.setThreadCpuTimeEnabled(true);
    }

    private Map<String, byte[]> claiming16384() throws Exception {
        BufferedImage small = ImageFiles.photo(16, 16, BufferedImage.TYPE_INT_RGB, 2);
        BufferedImage indexed = ImageFiles.photo(16, 16, BufferedImage.TYPE_BYTE_INDEXED, 3);
        return Map.of(
                "claim.jpg", ImageFiles.jpegClaiming(ImageFiles.encode(small, "jpeg"), 16384, 16384),
                "claim-progressive.jpg", ImageFiles.jpegClaiming(ImageFiles.progressiveJpeg(small), 16384, 16384),
                "claim.png", ImageFiles.pngClaiming(ImageFiles.encode(small, "png"), 16384, 16384),
                "claim.bmp", ImageFiles.bmpClaiming(ImageFiles.encode(small, "bmp"), 16384, 16384),
                "claim.gif", ImageFiles.gifClaiming(ImageFiles.encode(indexed, "gif"), 0, 16384, 16384),
                "claim-animated.gif", ImageFiles.gifClaiming(ImageFiles.animatedGif(indexed, indexed), 0, 16384,
                        16384));
    }

    @Test
    void hugeClaimsAreRefusedFromTheHeaderFastAndSmall() throws Exception {
        for (Map.Entry<String, byte[]> e : claiming16384().entrySet()) {
            Path f = ImageFiles.write(dir, e.getKey(), e.getValue());
            assertThat(e.getValue().length).as(e.getKey()).isLessThan(4096);
            for (int mode = 0; mode < 2; mode++) {
                boolean resized = mode == 1;
                long bytes0 = THREADS.getCurrentThreadAllocatedBytes();
                long cpu0 = THREADS.getCurrentThreadCpuTime();
                var refusal = assertThatThrownBy(() -> {
                    if (resized) {
                        Images.readResized(f, 512, Images.DEFAULT_DECODE_LIMIT);
                    } else {
                        Images.read(f);
                    }
                }).as(e.getKey()).isInstanceOf(ImageException.class).hasMessageContaining(e.getKey());
                if (e.getKey().endsWith(".bmp")) {
                    // Java's BMP reader compares the claim with the file's length itself, in its header read
                    refusal.hasMessageContaining("Invalid width/height");
                } else {
                    refusal.hasMessageContaining("claims 16384×16384 = 268435456 pixels")
                            .hasMessageContaining("decode limit of " + Images.DEFAULT_DECODE_LIMIT)
                            .hasMessageContaining("raise the limit");
                }
                assertThat(THREADS.getCurrentThreadAllocatedBytes() - bytes0).as("%s: allocated", e.getKey())
                        .isLessThan(8L << 20);
                assertThat(THREADS.getCurrentThreadCpuTime() - cpu0).as("%s: CPU", e.getKey())
                        .isLessThan(500_000_000L);
            }
        }
    }

    @Test
    void aTruncatedFileClaimingLessThanTheLimitStopsAtTheFirstWarning() throws Exception {
        // 4096×4096 passes the default limit; the data ends after a few rows
        Path f = ImageFiles.write(dir, "truncated.jpg", ImageFiles.jpegClaiming(
                ImageFiles.encode(ImageFiles.photo(16, 16, BufferedImage.TYPE_INT_RGB, 8), "jpeg"), 4096, 4096));
        long bytes0 = THREADS.getCurrentThreadAllocatedBytes();
        long cpu0 = THREADS.getCurrentThreadCpuTime();
        assertThatThrownBy(() -> Images.readResized(f, 512, Images.DEFAULT_DECODE_LIMIT))
                .isInstanceOf(ImageException.class).hasMessageContaining("truncated.jpg is damaged or truncated");
        // one strip of Images.STRIP_PIXELS (12 MB as 8-bit RGB), not the claimed image
        assertThat(THREADS.getCurrentThreadAllocatedBytes() - bytes0).isLessThan(24L << 20);
        assertThat(THREADS.getCurrentThreadCpuTime() - cpu0).isLessThan(500_000_000L);
        bytes0 = THREADS.getCurrentThreadAllocatedBytes();
        cpu0 = THREADS.getCurrentThreadCpuTime();
        assertThatThrownBy(() -> Images.read(f)).isInstanceOf(ImageException.class);
        // the whole claimed image is allocated (48 MB), but decoding stops at the first warning
        assertThat(THREADS.getCurrentThreadAllocatedBytes() - bytes0).isLessThan(64L << 20);
        assertThat(THREADS.getCurrentThreadCpuTime() - cpu0).isLessThan(500_000_000L);
    }

    @Test
    void theLimitIsSettableAndTiedToThePixelLimit(@TempDir Path d) throws Exception {
        Path f = ImageFiles.write(d, "a.png",
                ImageFiles.encode(ImageFiles.photo(40, 30, BufferedImage.TYPE_INT_RGB, 4), "png"));
        assertThat(Images.read(f, 1200).getWidth()).isEqualTo(40);
        assertThatThrownBy(() -> Images.read(f, 1199)).isInstanceOf(ImageException.class)
                .hasMessageContaining("a.png claims 40×30 = 1200 pixels, more than the decode limit of 1199");
        assertThatThrownBy(() -> Images.read(f, 0)).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("maxDecodePixels");
        assertThatThrownBy(() -> Images.read(f, Images.MAX_DECODE_PIXELS + 1))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("maxDecodePixels");
        assertThat(Images.decodeLimit(StyleTransfer.DEFAULT_MAX_PIXELS)).isEqualTo(Images.DEFAULT_DECODE_LIMIT)
                .isEqualTo(8192L * 8192);
        assertThat(Images.decodeLimit(100)).isEqualTo(1600);
        assertThat(Images.decodeLimit(Long.MAX_VALUE)).isEqualTo(Images.MAX_DECODE_PIXELS);
        assertThatThrownBy(() -> Images.decodeLimit(0)).isInstanceOf(InvalidRequestException.class);
    }

    @Test
    void onlyTheFirstFrameOfAnAnimationIsDecoded() throws Exception {
        BufferedImage indexed = ImageFiles.photo(16, 16, BufferedImage.TYPE_BYTE_INDEXED, 5);
        Path f = ImageFiles.write(dir, "second-lies.gif",
                ImageFiles.gifClaiming(ImageFiles.animatedGif(indexed, indexed), 1, 16384, 16384));
        long bytes0 = THREADS.getCurrentThreadAllocatedBytes();
        BufferedImage img = Images.read(f);
        assertThat(THREADS.getCurrentThreadAllocatedBytes() - bytes0).isLessThan(8L << 20);
        assertThat(img.getWidth()).isEqualTo(16);
    }

    @Test
    void otherFormatsAndEmbeddedBmpAreRefused() throws Exception {
        BufferedImage img = ImageFiles.photo(16, 16, BufferedImage.TYPE_INT_RGB, 6);
        Path tiff = ImageFiles.write(dir, "scan.tif", ImageFiles.encode(img, "tiff"));
        assertThatThrownBy(() -> Images.read(tiff)).isInstanceOf(ImageException.class)
                .hasMessageContaining("scan.tif is not in a supported format (PNG, JPEG, BMP, GIF); it is TIF");
        Path bmp = ImageFiles.write(dir, "jpeg-inside.bmp", ImageFiles.bmpWithJpeg(img));
        assertThatThrownBy(() -> Images.read(bmp)).isInstanceOf(ImageException.class)
                .hasMessageContaining("jpeg-inside.bmp is a BMP holding an embedded JPEG");
    }

    @Test
    void decoderTextInMessagesIsEscaped() throws Exception {
        byte[] png = ImageFiles.encode(ImageFiles.photo(16, 16, BufferedImage.TYPE_INT_RGB, 7), "png");
        // a critical chunk of an unknown type: its name (with a control character) is what a decoder would quote
        for (int i = 0; i < 4; i++) {
            png[37 + i] = (byte) "\u001b[3m".charAt(i);
        }
        Path f = ImageFiles.write(dir, "chunk.png", png);
        assertThatThrownBy(() -> Images.read(f)).isInstanceOf(ImageException.class)
                .hasMessageContaining("chunk.png").message().doesNotContain("\u001b");
    }
}
