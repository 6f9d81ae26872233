package org.adain;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.event.IIOReadWarningListener;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

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
 * cause); a null argument throws {@link NullPointerException}.
 */
public final class Images {
    /** Largest image this class decodes: 256 megapixels (about 3 GiB as floats). */
    public static final long MAX_DECODE_PIXELS = 256L << 20;

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
     * Reads PNG, JPEG, BMP or GIF (first frame).
     *
     * @param file the image file
     * @return the decoded image, in the file's colour model
     * @throws ImageException       the file is missing, unreadable, not an image, damaged, truncated, or larger
     *                              than {@link #MAX_DECODE_PIXELS}
     * @throws NullPointerException {@code file} is null
     */
    public static BufferedImage read(Path file) {
        Objects.requireNonNull(file, "file");
        if (!Files.exists(file)) {
            throw new ImageException("Image file " + file + " does not exist");
        }
        if (!Files.isRegularFile(file)) {
            throw new ImageException("Image path " + file + " is not a regular file");
        }
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            return decode(in, "Image file " + file, Files.size(file) == 0);
        } catch (ImageException e) {
            throw e;
        } catch (AccessDeniedException e) {
            throw new ImageException("No permission to read image file " + file, e);
        } catch (NoSuchFileException e) {
            throw new ImageException("Image file " + file + " does not exist", e);
        } catch (IOException | RuntimeException e) {
            // Decoders signal corrupt data with IIOException, but also with IndexOutOfBounds and the like.
            throw new ImageException("Image file " + file + " is corrupt or truncated: " + e, e);
        }
    }

    /**
     * Reads PNG, JPEG, BMP or GIF (first frame) from bytes already in memory, e.g. read from a distributed file
     * system, with the same decoder, bounds and messages as {@link #read(Path)}.
     *
     * <pre>{@code
     * BufferedImage img = Images.read(bytes, "hdfs://archive/2024/a.jpg");
     * }</pre>
     *
     * @param data the file's bytes
     * @param name what messages call the image (its path or URI)
     * @return the decoded image, in the file's colour model
     * @throws ImageException       not an image, damaged, truncated, or larger than {@link #MAX_DECODE_PIXELS}
     * @throws NullPointerException an argument is null
     */
    public static BufferedImage read(byte[] data, String name) {
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(name, "name");
        // In memory: ImageIO's default stream would cache through a temporary file.
        try (ImageInputStream in = new MemoryCacheImageInputStream(new java.io.ByteArrayInputStream(data))) {
            return decode(in, "Image file " + name, data.length == 0);
        } catch (ImageException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new ImageException("Image file " + name + " is corrupt or truncated: " + e, e);
        }
    }

    /** The decoding both read methods share; {@code what} starts every message ("Image file a.png"). */
    private static BufferedImage decode(ImageInputStream in, String what, boolean empty) throws IOException {
        if (in == null) {
            throw new ImageException("Cannot open " + what.substring(0, 1).toLowerCase(Locale.ROOT)
                    + what.substring(1));
        }
        Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
        if (!readers.hasNext()) {
            throw new ImageException(what + " is not in a supported format (PNG, JPEG, BMP, GIF)"
                    + (empty ? "; it is empty" : ""));
        }
        ImageReader reader = readers.next();
        try {
            reader.setInput(in, true, true);
            long pixels = (long) reader.getWidth(0) * reader.getHeight(0);
            if (pixels > MAX_DECODE_PIXELS) {
                throw new ImageException(what + " is " + reader.getWidth(0) + "×" + reader.getHeight(0)
                        + ", more than " + MAX_DECODE_PIXELS + " pixels");
            }
            StringBuilder warnings = new StringBuilder();
            reader.addIIOReadWarningListener(new IIOReadWarningListener() {
                @Override
                public void warningOccurred(ImageReader source, String warning) {
                    warnings.append(warning).append("; ");
                }
            });
            BufferedImage img = reader.read(0);
            if (warnings.length() > 0) {
                throw new ImageException(what + " is damaged or truncated: "
                        + warnings.substring(0, warnings.length() - 2));
            }
            return img;
        } finally {
            reader.dispose();
        }
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
