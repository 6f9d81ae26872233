package org.adain;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.zip.CRC32;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;

/** Image files for tests, written here: photo-like pixels, and headers patched to claim another size. */
final class ImageFiles {
    private ImageFiles() {
    }

    /** Smooth gradients plus seeded noise: something like a photo, with detail at every scale. */
    static BufferedImage photo(int w, int h, int type, long seed) {
        BufferedImage img = new BufferedImage(w, h, type);
        Random r = new Random(seed);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int red = (int) (127 + 120 * Math.sin(x / 37.0 + y / 91.0)) + r.nextInt(9) - 4;
                int green = (x * 255 / Math.max(1, w - 1) + r.nextInt(17) - 8);
                int blue = ((x ^ y) & 0xff);
                img.setRGB(x, y, clamp(red) << 16 | clamp(green) << 8 | clamp(blue));
            }
        }
        return img;
    }

    private static int clamp(int v) {
        return Math.max(0, Math.min(255, v));
    }

    static byte[] encode(BufferedImage img, String format) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (!ImageIO.write(img, format, out)) {
            throw new IOException("no writer for " + format);
        }
        return out.toByteArray();
    }

    /** A progressive JPEG. */
    static byte[] progressiveJpeg(BufferedImage img) throws IOException {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
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

    /** An animated GIF of the given frames. */
    static byte[] animatedGif(BufferedImage... frames) throws IOException {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("gif").next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
            writer.setOutput(out);
            writer.prepareWriteSequence(null);
            for (BufferedImage f : frames) {
                writer.writeToSequence(new IIOImage(f, null,
                        writer.getDefaultImageMetadata(ImageTypeSpecifier.createFromRenderedImage(f), null)), null);
            }
            writer.endWriteSequence();
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }

    /** A BMP that embeds a JPEG (compression BI_JPEG). */
    static byte[] bmpWithJpeg(BufferedImage img) throws IOException {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("bmp").next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
            writer.setOutput(out);
            ImageWriteParam p = writer.getDefaultWriteParam();
            p.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            p.setCompressionType("BI_JPEG");
            writer.write(null, new IIOImage(img, null, null), p);
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }

    /** The JPEG's frame header (SOF0–SOF15 but DHT, JPG, DAC) patched to claim {@code w×h}. */
    static byte[] jpegClaiming(byte[] jpeg, int w, int h) {
        byte[] b = jpeg.clone();
        int i = 2;
        while (i + 9 < b.length) {
            int marker = b[i + 1] & 0xff;
            int len = (b[i + 2] & 0xff) << 8 | (b[i + 3] & 0xff);
            if (marker >= 0xc0 && marker <= 0xcf && marker != 0xc4 && marker != 0xc8 && marker != 0xcc) {
                ByteBuffer.wrap(b).putShort(i + 5, (short) h).putShort(i + 7, (short) w);
                return b;
            }
            i += 2 + len;
        }
        throw new IllegalArgumentException("no SOF marker");
    }

    /** The PNG's IHDR patched to claim {@code w×h}, with its CRC made right again. */
    static byte[] pngClaiming(byte[] png, int w, int h) {
        byte[] b = png.clone();
        ByteBuffer.wrap(b).putInt(16, w).putInt(20, h);
        CRC32 crc = new CRC32();
        crc.update(b, 12, 17);
        ByteBuffer.wrap(b).putInt(29, (int) crc.getValue());
        return b;
    }

    /** The BMP's info header patched to claim {@code w×h}, its image size field 0 ("not given", allowed). */
    static byte[] bmpClaiming(byte[] bmp, int w, int h) {
        byte[] b = bmp.clone();
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(18, w).putInt(22, h).putInt(34, 0);
        return b;
    }

    /** The GIF's logical screen and its image descriptor number {@code frame} patched to claim {@code w×h}. */
    static byte[] gifClaiming(byte[] gif, int frame, int w, int h) {
        byte[] b = gif.clone();
        ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        buf.putShort(6, (short) w).putShort(8, (short) h);
        int i = 13;
        if ((b[10] & 0x80) != 0) {
            i += 3 << ((b[10] & 7) + 1);
        }
        int seen = 0;
        while (i < b.length) {
            int block = b[i] & 0xff;
            if (block == 0x21) {
                i += 2;
                i = skipSubBlocks(b, i);
            } else if (block == 0x2c) {
                if (seen++ == frame) {
                    buf.putShort(i + 5, (short) w).putShort(i + 7, (short) h);
                    return b;
                }
                int flags = b[i + 9] & 0xff;
                i += 10;
                if ((flags & 0x80) != 0) {
                    i += 3 << ((flags & 7) + 1);
                }
                i += 1; // LZW minimum code size
                i = skipSubBlocks(b, i);
            } else {
                break;
            }
        }
        throw new IllegalArgumentException("no image descriptor " + frame);
    }

    private static int skipSubBlocks(byte[] b, int i) {
        while (i < b.length && b[i] != 0) {
            i += 1 + (b[i] & 0xff);
        }
        return i + 1;
    }

    static Path write(Path dir, String name, byte[] bytes) throws IOException {
        return Files.write(dir.resolve(name), bytes);
    }
}
