package org.adain;

import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.event.IIOReadWarningListener;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.adain.format.SafeText;

/**
 * Reading and writing image files with errors that name the file and say what is wrong. Truncated files
 * (which Java's decoders often only warn about) are rejected rather than returned half grey.
 *
 * <pre>{@code
 * BufferedImage photo = Images.read(Path.of("photo.jpg"));
 * Images.write(result, Path.of("out.png"));   // PNG or JPEG by extension, written atomically
 * }</pre>
 *
 * Every failure is an {@link ImageException} naming the file (also a decoder's own exception, which becomes its
 * cause, its text escaped by {@link SafeText}); a bad setting throws {@link InvalidRequestException}, a null
 * argument {@link NullPointerException}. No other exception leaves a read, whatever the file holds: a header that
 * claims more pixels than the decode limit is refused before any pixel is decoded, which bounds a read's memory
 * and time.
 */
public final class Images {
    /** The highest decode limit: 256 megapixels (about 3 GiB as floats); no limit may be set above it. */
    public static final long MAX_DECODE_PIXELS = 256L << 20;

    /** How many times a pixel limit ({@link StyleTransfer#maxPixels()}) its decode limit is, see {@link #decodeLimit}. */
    public static final long DECODE_LIMIT_FACTOR = 16;

    /**
     * The decode limit of {@link #read(Path)}: {@link #decodeLimit} of {@link StyleTransfer#DEFAULT_MAX_PIXELS},
     * 8192×8192 = 67,108,864 pixels.
     */
    public static final long DEFAULT_DECODE_LIMIT = StyleTransfer.DEFAULT_MAX_PIXELS * DECODE_LIMIT_FACTOR;

    /** The most pixels {@link #readResized} decodes at once: one strip of whole rows, 4 megapixels (12 MB). */
    public static final long STRIP_PIXELS = 4L << 20;

    private static final java.util.Set<String> SUPPORTED_FORMATS = java.util.Set.of("png", "jpeg", "jpg", "bmp", "gif");

    /** JPEG quality used by {@link #write}. */
    public static final float JPEG_QUALITY = 0.95f;

    /**
     * The file name extensions of the formats {@link #read} decodes, lower case with the dot: what a directory of
     * images is searched for ({@code adain train}'s image directories, {@code adain stylize --content DIR}).
     */
    public static final List<String> READABLE_EXTENSIONS = List.of(".png", ".jpg", ".jpeg", ".bmp", ".gif");

    /**
     * Start of the name of the temporary file {@link #write} fills next to its target before renaming it; such a
     * file outlives a write only if the JVM dies during it, and can be deleted when no write is running (e.g.
     * {@code adain batch} deletes them from the directories it writes to).
     */
    public static final String TEMPORARY_PREFIX = ".adain-";

    /** End of the name of {@link #write}'s temporary file (see {@link #TEMPORARY_PREFIX}). */
    public static final String TEMPORARY_SUFFIX = ".tmp";

    private Images() {
    }

    /**
     * Whether a file's name ends in one of the {@link #READABLE_EXTENSIONS} (any case). Says nothing about the
     * content: {@link #read} tells the format by the bytes.
     *
     * @param file a file name or path
     * @return true for {@code photo.JPG}, false for {@code notes.txt} or a name without a file name part
     */
    public static boolean hasReadableExtension(Path file) {
        Path name = file.getFileName();
        if (name == null) {
            return false;
        }
        String s = name.toString().toLowerCase(Locale.ROOT);
        return READABLE_EXTENSIONS.stream().anyMatch(s::endsWith);
    }

    /**
     * Reads PNG, JPEG, BMP or GIF (first frame) of at most {@link #DEFAULT_DECODE_LIMIT} pixels: the same as
     * {@link #read(Path, long) read(file, DEFAULT_DECODE_LIMIT)}.
     *
     * @param file the image file
     * @return the decoded image, in the file's colour model
     * @throws ImageException       the file is missing, unreadable, not an image, damaged, truncated, or its header
     *                              claims more than {@link #DEFAULT_DECODE_LIMIT} pixels
     * @throws NullPointerException {@code file} is null
     */
    public static BufferedImage read(Path file) {
        return read(file, DEFAULT_DECODE_LIMIT);
    }

    /**
     * Reads PNG, JPEG, BMP or GIF (the first frame of an animation or a multi-image file). The size the file's
     * header claims is checked against {@code maxDecodePixels} before any pixel is decoded, so a small file that
     * claims a huge image costs neither memory nor time; other formats that Java's ImageIO may know (TIFF, WBMP, or
     * a plugin's) are refused, as are BMP files that embed a JPEG or PNG.
     *
     * <pre>{@code
     * BufferedImage photo = Images.read(file, Images.decodeLimit(transfer.maxPixels()));   // 16 × the pixel limit
     * BufferedImage scan = Images.read(file, 200_000_000L);                                 // a genuine 200-Mpx scan
     * }</pre>
     *
     * @param file            the image file
     * @param maxDecodePixels the most pixels (width × height) the header may claim, 1 to {@link #MAX_DECODE_PIXELS}
     * @return the decoded image, in the file's colour model
     * @throws ImageException          the file is missing, unreadable, not a supported image, damaged, truncated,
     *                                 or its header claims more than {@code maxDecodePixels} pixels (the message
     *                                 names the file, the claimed size and the limit)
     * @throws InvalidRequestException {@code maxDecodePixels} is out of range
     * @throws NullPointerException    {@code file} is null
     */
    public static BufferedImage read(Path file, long maxDecodePixels) {
        Objects.requireNonNull(file, "file");
        checkLimit(maxDecodePixels);
        return decode(file, maxDecodePixels, (reader, w, h, warnings) -> {
            BufferedImage img = reader.read(0);
            checkWarnings(file, warnings);
            return img;
        });
    }

    /**
     * Reads an image file and resizes it as {@link ImageTensor#resize(int, boolean) ImageTensor.resize(size,
     * false)} does, without holding a large image at full size: the result equals
     * {@code ImageTensor.fromImage(Images.read(file, maxDecodePixels)).resize(size, false)} value for value (PIL's
     * exact 8-bit arithmetic included), and {@link StyleRequest.Builder#contentSize} or {@code styleSize} of the same
     * {@code size} leaves it as it is.
     *
     * <p>How: when the image shrinks and has more than {@link #STRIP_PIXELS} pixels, it is decoded in horizontal
     * strips of at most that many pixels ({@link javax.imageio.ImageReadParam#setSourceRegion}); each strip gets the
     * resize's horizontal pass at once and is dropped, and the vertical pass runs on the narrow result. Memory is
     * one strip plus {@code size × longer side} values, instead of the whole image; a decoder that cannot seek
     * (JPEG, PNG) decodes the rows above a strip again, so reading costs up to {@code (n + 1) / 2} full decodes for
     * {@code n} strips. Subsampled decoding ({@code setSourceSubsampling}) is never used: it drops pixels that
     * PIL's antialiased filter weighs, so its result would differ from the reference. Images that do not shrink,
     * or are at most {@link #STRIP_PIXELS}, are decoded whole.
     *
     * <pre>{@code
     * ImageTensor content = Images.readResized(photo, 512, Images.DEFAULT_DECODE_LIMIT);   // a 24-Mpx photo
     * BufferedImage out = transfer.stylize(StyleRequest.builder().content(content).style(painting).build());
     * }</pre>
     *
     * @param file            the image file
     * @param size            the shorter side after resizing, ≥ 0; 0 keeps the size
     * @param maxDecodePixels the most pixels the header may claim, and the resized image may have, 1 to
     *                        {@link #MAX_DECODE_PIXELS}
     * @return the resized image
     * @throws ImageException          as {@link #read(Path, long)}
     * @throws InvalidRequestException {@code size} is negative, {@code maxDecodePixels} is out of range, or the
     *                                 resized image would have more than {@code maxDecodePixels} pixels
     * @throws NullPointerException    {@code file} is null
     */
    public static ImageTensor readResized(Path file, int size, long maxDecodePixels) {
        return readResized(file, size, maxDecodePixels, STRIP_PIXELS);
    }

    /** {@link #readResized(Path, int, long)} with strips of at most {@code stripPixels}, for tests. */
    static ImageTensor readResized(Path file, int size, long maxDecodePixels, long stripPixels) {
        Objects.requireNonNull(file, "file");
        checkLimit(maxDecodePixels);
        if (size < 0) {
            throw new InvalidRequestException("Resize size must be ≥ 0 (0 keeps the size), got " + size);
        }
        return decode(file, maxDecodePixels, (reader, w, h, warnings) -> {
            Resizing.Plan p = Resizing.plan(h, w, size, false);
            long out = (long) p.resizedHeight() * p.resizedWidth();
            if (out > maxDecodePixels) {
                throw new InvalidRequestException("Resizing image file " + file + " (" + w + "×" + h + ") to a "
                        + "shorter side of " + size + " would give " + p.resizedWidth() + "×" + p.resizedHeight()
                        + " = " + out + " pixels, more than the decode limit of " + maxDecodePixels);
            }
            boolean shrinks = p.resizedWidth() < w && p.resizedHeight() < h;
            if (!shrinks || (long) w * h <= stripPixels) {
                BufferedImage img = reader.read(0);
                checkWarnings(file, warnings);
                return Resizing.apply(ImageTensor.fromImage(img), size, false);
            }
            return inStrips(file, reader, w, h, p.resizedHeight(), p.resizedWidth(), stripPixels, warnings);
        });
    }

    /** Decodes strips of whole rows, gives each the horizontal pass, then runs the vertical pass once. */
    private static ImageTensor inStrips(Path file, ImageReader reader, int w, int h, int outH, int outW,
            long stripPixels, StringBuilder warnings) throws IOException {
        int stripRows = (int) Math.max(1, Math.min(h, stripPixels / w));
        // PixelConversion makes 12 bytes a pixel: convert a strip a few rows at a time.
        int chunkRows = Math.max(1, Math.min(stripRows, (1 << 18) / w));
        float[] narrow = null; // after the first strip decoded: a file that lies about its size costs one strip
        boolean eightBit = true;
        ImageReadParam param = reader.getDefaultReadParam();
        for (int y0 = 0; y0 < h; y0 += stripRows) {
            int rows = Math.min(stripRows, h - y0);
            param.setSourceRegion(new Rectangle(0, y0, w, rows));
            BufferedImage strip = reader.read(0, param);
            checkWarnings(file, warnings);
            if (strip.getWidth() != w || strip.getHeight() != rows) {
                throw new ImageException("Image file " + file + " gave a strip of " + strip.getWidth() + "×"
                        + strip.getHeight() + " for rows " + y0 + " to " + (y0 + rows - 1) + " of " + w + "×" + h);
            }
            if (narrow == null) {
                narrow = new float[3 * h * outW];
            }
            for (int c0 = 0; c0 < rows; c0 += chunkRows) {
                int n = Math.min(chunkRows, rows - c0);
                ImageTensor chunk = ImageTensor.fromImage(strip.getSubimage(0, c0, w, n));
                eightBit &= chunk.isEightBit();
                float[] resampled = Resizing.horizontal(chunk, outW);
                for (int c = 0; c < 3; c++) {
                    System.arraycopy(resampled, c * n * outW, narrow, (c * h + y0 + c0) * outW, n * outW);
                }
            }
        }
        return Resizing.vertical(narrow, h, outW, outH, eightBit);
    }

    /** What to do with a reader whose header passed the checks; {@code w×h} is the claimed size. */
    private interface Decoding<T> {
        T decode(ImageReader reader, int w, int h, StringBuilder warnings) throws IOException;
    }

    /**
     * The one path into a decoder: opens the file, refuses formats other than PNG, JPEG, BMP and GIF, reads the
     * header, refuses a claimed size above the limit, and turns every decoder failure into an
     * {@link ImageException} naming the file (with decoder text escaped by {@link SafeText}).
     */
    private static <T> T decode(Path file, long maxDecodePixels, Decoding<T> decoding) {
        if (!Files.exists(file)) {
            throw new ImageException("Image file " + file + " does not exist");
        }
        if (!Files.isRegularFile(file)) {
            throw new ImageException("Image path " + file + " is not a regular file");
        }
        return decode(new Source(file.toString(), file, null), maxDecodePixels, decoding);
    }

    /** An image's bytes: a file, or bytes in memory; {@code name} is what messages call it. */
    private record Source(String name, Path file, byte[] data) {
        ImageInputStream open() throws IOException {
            // In memory, not ImageIO's default stream, which would cache through a temporary file.
            return file != null ? ImageIO.createImageInputStream(file.toFile())
                    : new MemoryCacheImageInputStream(new java.io.ByteArrayInputStream(data));
        }

        long size() throws IOException {
            return file != null ? Files.size(file) : data.length;
        }

        /** Up to {@code n} bytes from the start. */
        byte[] head(int n) throws IOException {
            if (file == null) {
                return Arrays.copyOf(data, Math.min(n, data.length));
            }
            try (java.io.InputStream s = Files.newInputStream(file)) {
                return s.readNBytes(n);
            }
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private static <T> T decode(Source file, long maxDecodePixels, Decoding<T> decoding) {
        try (ImageInputStream in = file.open()) {
            if (in == null) {
                throw new ImageException("Cannot open image file " + file);
            }
            ImageReader reader = supportedReader(file, in);
            try {
                // not seek-forward-only: a strip read goes back to the image's start (a file stream caches nothing)
                reader.setInput(in, false, true);
                refuseEmbeddedBmp(file, reader);
                int w = reader.getWidth(0);
                int h = reader.getHeight(0);
                if (w < 1 || h < 1) {
                    throw new ImageException("Image file " + file + " claims a size of " + w + "×" + h
                            + "; it is corrupt");
                }
                long pixels = (long) w * h;
                if (pixels > maxDecodePixels) {
                    throw new ImageException("Image file " + file + " claims " + w + "×" + h + " = " + pixels
                            + " pixels, more than the decode limit of " + maxDecodePixels + " pixels; nothing was "
                            + "decoded. If the image is genuine, raise the limit (Images.read(file, maxDecodePixels), "
                            + "CLI --max-decode-pixels)");
                }
                StringBuilder warnings = new StringBuilder();
                reader.addIIOReadWarningListener(new IIOReadWarningListener() {
                    @Override
                    public void warningOccurred(ImageReader source, String warning) {
                        if (warnings.length() < SafeText.DEFAULT_MAX) {
                            warnings.append(warning).append("; ");
                        }
                        // The read is refused anyway: stop decoding (a truncated file would fill the rest of a
                        // claimed size with grey, row by row).
                        source.abort();
                    }
                });
                return decoding.decode(reader, w, h, warnings);
            } finally {
                reader.dispose();
            }
        } catch (AdainException e) {
            throw e;
        } catch (AccessDeniedException e) {
            throw new ImageException("No permission to read image file " + file, e);
        } catch (NoSuchFileException e) {
            throw new ImageException("Image file " + file + " does not exist", e);
        } catch (IOException | RuntimeException e) {
            // Decoders signal corrupt data with IIOException, but also with IndexOutOfBounds, CMMException and the
            // like; their messages may quote bytes of the file.
            throw new ImageException("Image file " + file + " is corrupt or truncated: "
                    + SafeText.of(e.getClass().getName() + ": " + e.getMessage()), e);
        }
    }

    /** The first reader of a supported format; other formats are refused by name. */
    private static ImageReader supportedReader(Source file, ImageInputStream in) throws IOException {
        Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
        String other = null;
        while (readers.hasNext()) {
            ImageReader r = readers.next();
            String format = r.getFormatName().toLowerCase(Locale.ROOT);
            if (SUPPORTED_FORMATS.contains(format)) {
                return r;
            }
            other = other == null ? format : other;
        }
        throw new ImageException("Image file " + file + " is not in a supported format (PNG, JPEG, BMP, GIF)"
                + (other != null ? "; it is " + SafeText.of(other).toUpperCase(Locale.ROOT)
                        : file.size() == 0 ? "; it is empty" : ""));
    }

    /**
     * Java's BMP reader hands an embedded JPEG or PNG (compression 4 or 5) to another decoder before it checks
     * that image's size against the BMP header: refused, so the header check above stays the only gate.
     */
    private static void refuseEmbeddedBmp(Source file, ImageReader reader) throws IOException {
        if (!reader.getFormatName().equalsIgnoreCase("bmp")) {
            return;
        }
        byte[] head = Arrays.copyOf(file.head(34), 34);
        int n = file.head(34).length;
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(head).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        // BITMAPINFOHEADER and later (40 bytes or more) hold the compression at offset 30
        if (n == head.length && Integer.toUnsignedLong(b.getInt(14)) >= 40) {
            int compression = b.getInt(30);
            if (compression == 4 || compression == 5) {
                throw new ImageException("Image file " + file + " is a BMP holding an embedded "
                        + (compression == 4 ? "JPEG" : "PNG") + ", which is not supported; convert it to PNG");
            }
        }
    }

    private static void checkWarnings(Object file, StringBuilder warnings) {
        if (warnings.length() > 0) {
            throw new ImageException("Image file " + file + " is damaged or truncated: "
                    + SafeText.of(warnings.substring(0, warnings.length() - 2)));
        }
    }

    private static void checkLimit(long maxDecodePixels) {
        if (maxDecodePixels < 1 || maxDecodePixels > MAX_DECODE_PIXELS) {
            throw new InvalidRequestException("maxDecodePixels must be between 1 and " + MAX_DECODE_PIXELS
                    + " (Images.MAX_DECODE_PIXELS), got " + maxDecodePixels);
        }
    }

    /**
     * The decode limit that goes with a pixel limit: {@value #DECODE_LIMIT_FACTOR} × {@code maxPixels}, at most
     * {@link #MAX_DECODE_PIXELS}. Sixteen times leaves room for photos much larger than what the network sees
     * (a 24-Mpx photo with the default pixel limit) and still refuses a header that claims 16384×16384.
     *
     * <pre>{@code
     * BufferedImage photo = Images.read(file, Images.decodeLimit(transfer.maxPixels()));
     * }</pre>
     *
     * @param maxPixels a pixel limit as {@link StyleTransfer.Builder#maxPixels}, ≥ 1
     * @return the decode limit
     * @throws InvalidRequestException {@code maxPixels} is below 1
     */
    public static long decodeLimit(long maxPixels) {
        if (maxPixels < 1) {
            throw new InvalidRequestException("maxPixels must be at least 1, got " + maxPixels);
        }
        return maxPixels > MAX_DECODE_PIXELS / DECODE_LIMIT_FACTOR ? MAX_DECODE_PIXELS
                : maxPixels * DECODE_LIMIT_FACTOR;
    }

    /**
     * Reads PNG, JPEG, BMP or GIF (first frame) from bytes already in memory, e.g. read from a distributed file
     * system, with the same decoder, checks and messages as {@link #read(Path)}, and at most
     * {@link #DEFAULT_DECODE_LIMIT} pixels.
     *
     * <pre>{@code
     * BufferedImage img = Images.read(bytes, "hdfs://archive/2024/a.jpg");
     * }</pre>
     *
     * @param data the file's bytes
     * @param name what messages call the image (its path or URI)
     * @return the decoded image, in the file's colour model
     * @throws ImageException       not a supported image, damaged, truncated, or its header claims more than
     *                              {@link #DEFAULT_DECODE_LIMIT} pixels
     * @throws NullPointerException an argument is null
     */
    public static BufferedImage read(byte[] data, String name) {
        return read(data, name, DEFAULT_DECODE_LIMIT);
    }

    /**
     * {@link #read(byte[], String)} with the decode limit of {@link #read(Path, long)}.
     *
     * <pre>{@code
     * BufferedImage img = Images.read(bytes, "s3a://bucket/a.png", Images.decodeLimit(transfer.maxPixels()));
     * }</pre>
     *
     * @param data            the file's bytes
     * @param name            what messages call the image (its path or URI)
     * @param maxDecodePixels the most pixels the header may claim, 1 to {@link #MAX_DECODE_PIXELS}
     * @return the decoded image, in the file's colour model
     * @throws ImageException          as {@link #read(byte[], String)}, with this limit
     * @throws InvalidRequestException {@code maxDecodePixels} is out of range
     * @throws NullPointerException    an argument is null
     */
    public static BufferedImage read(byte[] data, String name, long maxDecodePixels) {
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(name, "name");
        checkLimit(maxDecodePixels);
        Source src = new Source(name, null, data);
        return decode(src, maxDecodePixels, (reader, w, h, warnings) -> {
            BufferedImage img = reader.read(0);
            checkWarnings(src, warnings);
            return img;
        });
    }

    /**
     * Writes PNG ({@code .png}) or JPEG ({@code .jpg}, {@code .jpeg}, quality {@value #JPEG_QUALITY}) by the
     * extension, through a temporary file in the same directory and an atomic rename, so a failure never leaves a
     * half-written file.
     *
     * @param image any colour model; written as 8-bit RGB
     * @param file  the target, replaced if it exists
     * @throws ImageException       the extension is not an image format written here, the directory does not
     *                              exist, or writing fails
     * @throws NullPointerException either argument is null
     */
    public static void write(BufferedImage image, Path file) {
        Objects.requireNonNull(image, "image");
        String format = formatOf(file);
        Path dir = file.toAbsolutePath().getParent();
        if (dir != null && !Files.isDirectory(dir)) {
            throw new ImageException("Cannot write " + file + ": directory " + dir + " does not exist");
        }
        Path tmp = null;
        try {
            tmp = Files.createTempFile(dir, TEMPORARY_PREFIX, TEMPORARY_SUFFIX);
            Files.write(tmp, encode(image, file.toString()));
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            tmp = null;
        } catch (IOException e) {
            throw new ImageException("Cannot write image file " + file + ": " + e.getMessage(), e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // best effort: the temporary file is hidden and harmless
                }
            }
        }
    }

    /**
     * The bytes {@link #write} puts in a file of that name: PNG or JPEG (quality {@value #JPEG_QUALITY}) by the
     * extension, 8-bit RGB. For writing through another file system (e.g. Hadoop's) with the same result.
     *
     * <pre>{@code
     * byte[] png = Images.encode(result, "out/a__night.png");
     * }</pre>
     *
     * @param image any colour model; written as 8-bit RGB
     * @param name  a file name or path ending in .png, .jpg or .jpeg (any case)
     * @return the encoded file
     * @throws ImageException       the extension is not an image format written here, or encoding fails
     * @throws NullPointerException an argument is null
     */
    public static byte[] encode(BufferedImage image, String name) {
        Objects.requireNonNull(image, "image");
        String format = formatOf(Path.of(name));
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        ImageWriter writer = ImageIO.getImageWritersByFormatName(format).next();
        // In memory: ImageIO's default stream would cache through a temporary file.
        try (ImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            writer.setOutput(out);
            ImageWriteParam param = writer.getDefaultWriteParam();
            if (format.equals("jpeg")) {
                param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
                param.setCompressionQuality(JPEG_QUALITY);
            }
            writer.write(null, new IIOImage(toRgb(image), null, null), param);
        } catch (IOException e) {
            throw new ImageException("Cannot encode " + name + " as " + format + ": " + e.getMessage(), e);
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }

    /**
     * The image format a file name asks for.
     *
     * @param file a path ending in .png, .jpg or .jpeg (any case)
     * @return "png" or "jpeg"
     * @throws ImageException       another extension, naming the supported ones
     * @throws NullPointerException {@code file} is null
     */
    public static String formatOf(Path file) {
        Objects.requireNonNull(file, "file");
        String name = file.getFileName() == null ? "" : file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".png")) {
            return "png";
        }
        if (name.endsWith(".jpg") || name.endsWith(".jpeg")) {
            return "jpeg";
        }
        throw new ImageException("Cannot tell the image format of " + file + ": use the extension .png, .jpg or .jpeg");
    }

    private static BufferedImage toRgb(BufferedImage image) {
        if (image.getType() == BufferedImage.TYPE_INT_RGB) {
            return image;
        }
        // JPEG writers reject alpha; PNG output stays 8-bit RGB like every image this library makes.
        return ImageTensor.fromImage(image).toImage();
    }
}
