package org.adain;

import java.awt.image.BufferedImage;
import java.util.Arrays;
import java.util.Objects;
import org.adain.spi.Tensor;

/**
 * An immutable RGB image as floats, layout {@code 3×H×W} (channel, row, column), nominally in [0, 1]: the
 * library's pixel type for callers with their own pixels. NaN and infinite values are refused everywhere. Values
 * an image takes in ({@link #of}, {@link #fromTensor}, {@link #fromImage} of a float raster) and every image a
 * request or {@link StyleTransfer#encodeStyle} gets must lie in [{@value #MIN_VALUE}, {@value #MAX_VALUE}]: the
 * nominal range with a margin of 1 on each side, so that a stylised output (not clamped, it overshoots [0, 1] a
 * little) can be fed back in, while a value such as 1e30, which would overflow the network, is refused.
 *
 * <pre>{@code
 * ImageTensor t = ImageTensor.fromImage(ImageIO.read(file));   // any colour model → RGB / 255
 * float red = t.get(0, 10, 20);                                 // channel 0, row 10, column 20
 * BufferedImage out = t.toImage();                              // clamp, ×255, round half up
 * }</pre>
 *
 * Bad values or sizes throw {@link InvalidRequestException}, a null argument {@link NullPointerException}, an
 * index outside the image {@link IndexOutOfBoundsException}.
 */
public final class ImageTensor {
    /** The lowest pixel value an input may have. */
    public static final float MIN_VALUE = -1f;

    /** The highest pixel value an input may have. */
    public static final float MAX_VALUE = 2f;

    private final int height;
    private final int width;
    private final float[] data;
    /** Every value is k/255: resizing then reproduces PIL's 8-bit arithmetic exactly. */
    private final boolean eightBit;

    private ImageTensor(int height, int width, float[] data, boolean eightBit) {
        this.height = height;
        this.width = width;
        this.data = data;
        this.eightBit = eightBit;
    }

    /**
     * An image from floats, copied.
     *
     * @param chw    3·height·width values in [{@value #MIN_VALUE}, {@value #MAX_VALUE}], in channel, row, column
     *               order
     * @param height rows, ≥ 1
     * @param width  columns, ≥ 1
     * @return the image
     * @throws InvalidRequestException a size is not positive, the length does not match, or a value is NaN,
     *                                 infinite or outside [{@value #MIN_VALUE}, {@value #MAX_VALUE}] (the message
     *                                 names the value, its channel, row and column)
     * @throws NullPointerException    {@code chw} is null
     */
    public static ImageTensor of(float[] chw, int height, int width) {
        Objects.requireNonNull(chw, "chw");
        return wrap(chw.clone(), height, width).requireInRange("Image");
    }

    /** Takes ownership of the array. */
    static ImageTensor wrap(float[] chw, int height, int width) {
        return wrap(chw, height, width, false);
    }

    /** Takes ownership of the array; {@code eightBit} says every value is a multiple of 1/255. */
    static ImageTensor wrap(float[] chw, int height, int width, boolean eightBit) {
        if (height <= 0 || width <= 0) {
            throw new InvalidRequestException("Image size must be positive, got " + width + "×" + height
                    + " (width×height)");
        }
        if ((long) height * width * 3 != chw.length) {
            throw new InvalidRequestException("An RGB image of " + width + "×" + height + " needs "
                    + (3L * height * width) + " values, got " + chw.length);
        }
        for (int i = 0; i < chw.length; i++) {
            if (!Float.isFinite(chw[i])) {
                int plane = height * width;
                throw new InvalidRequestException("Image value at channel " + (i / plane) + ", row "
                        + (i % plane / width) + ", column " + (i % width) + " is " + chw[i]
                        + "; pixels must be finite");
            }
        }
        return new ImageTensor(height, width, chw, eightBit);
    }

    /**
     * This image, if every value lies in [{@link #MIN_VALUE}, {@link #MAX_VALUE}]: the one check of the pixel range,
     * for every way pixels enter the API.
     *
     * @param role what the image is, for the message: "Image", "The content image", "Style image 1"
     */
    ImageTensor requireInRange(String role) {
        for (int i = 0; i < data.length; i++) {
            float v = data[i];
            if (!(v >= MIN_VALUE && v <= MAX_VALUE)) {
                int plane = height * width;
                throw new InvalidRequestException(role + " has value " + v + " at channel " + (i / plane) + ", row "
                        + (i % plane / width) + ", column " + (i % width) + "; pixel values must lie in ["
                        + MIN_VALUE + ", " + MAX_VALUE + "] (nominally [0, 1]; ImageTensor.MIN_VALUE, MAX_VALUE)");
            }
        }
        return this;
    }

    /**
     * Converts any {@link BufferedImage} to RGB in [0, 1]: 8-bit values / 255, 16-bit values / 65535. Grey
     * images are replicated to three channels, palettes are looked up, alpha is dropped (not composited), as
     * PIL's {@code convert('RGB')} does. Float and double rasters are taken as they are.
     *
     * @param image any colour model
     * @return the image as floats
     * @throws InvalidRequestException a float or double raster holds a value that is NaN, infinite or outside
     *                                 [{@value #MIN_VALUE}, {@value #MAX_VALUE}]
     * @throws NullPointerException    {@code image} is null
     */
    public static ImageTensor fromImage(BufferedImage image) {
        ImageTensor t = PixelConversion.toTensor(Objects.requireNonNull(image, "image"));
        return t.isEightBit() ? t : t.requireInRange("Image");
    }

    /**
     * From a backend tensor.
     *
     * @param tensor of shape {@code 1×3×H×W} or {@code 3×H×W}, values in [{@value #MIN_VALUE}, {@value #MAX_VALUE}]
     * @return the image, a copy
     * @throws InvalidRequestException another shape, or a value is NaN, infinite or out of range
     * @throws NullPointerException    {@code tensor} is null
     */
    public static ImageTensor fromTensor(Tensor tensor) {
        return fromOutput(tensor).requireInRange("Image");
    }

    /** A backend's output: any finite value (stylised images are not clamped). */
    static ImageTensor fromOutput(Tensor tensor) {
        int[] s = Objects.requireNonNull(tensor, "tensor").shape();
        boolean ok = (s.length == 4 && s[0] == 1 && s[1] == 3) || (s.length == 3 && s[0] == 3);
        if (!ok) {
            throw new InvalidRequestException("Expected an image tensor of shape 1×3×H×W or 3×H×W, got "
                    + Arrays.toString(s));
        }
        return wrap(tensor.toArray(), s[s.length - 2], s[s.length - 1]);
    }

    /**
     * This image for a backend.
     *
     * @return a {@code 1×3×H×W} tensor
     */
    public Tensor toTensor() {
        return Tensor.of(data, 1, 3, height, width);
    }

    /**
     * An 8-bit sRGB image ({@link BufferedImage#TYPE_INT_RGB}) by the PyTorch port's rule: each value is
     * clamped to [0, 1] after {@code x·255 + 0.5}, i.e. {@code trunc(clamp(x·255 + 0.5, 0, 255))} in float.
     *
     * @return a new 8-bit RGB image
     */
    public BufferedImage toImage() {
        return PixelConversion.toImage(this);
    }

    /**
     * An 8-bit sRGB image by the rule of a semantics: {@link Semantics#PYTORCH_PORT} as {@link #toImage()};
     * {@link Semantics#TORCH7} as torch/image's {@code image.save}: {@code floor(clamp(x, 0, 1) · 255)}, up to one
     * level darker.
     *
     * <pre>{@code
     * BufferedImage asTheAuthors = result.toImage(Semantics.TORCH7);
     * }</pre>
     *
     * @param semantics whose rounding rule
     * @return a new 8-bit RGB image
     * @throws NullPointerException {@code semantics} is null
     */
    public BufferedImage toImage(Semantics semantics) {
        return PixelConversion.toImage(this, Objects.requireNonNull(semantics, "semantics"));
    }

    /**
     * The number of rows.
     *
     * @return the height in pixels, ≥ 1
     */
    public int height() {
        return height;
    }

    /**
     * The number of columns.
     *
     * @return the width in pixels, ≥ 1
     */
    public int width() {
        return width;
    }

    /**
     * One value.
     *
     * @param c channel: 0 = R, 1 = G, 2 = B
     * @param y row, from 0 at the top
     * @param x column, from 0 at the left
     * @return the value, nominally in [0, 1]
     * @throws IndexOutOfBoundsException an index is outside the image
     */
    public float get(int c, int y, int x) {
        Objects.checkIndex(c, 3);
        Objects.checkIndex(y, height);
        Objects.checkIndex(x, width);
        return data[(c * height + y) * width + x];
    }

    /**
     * All values.
     *
     * @return a copy, channel-major (CHW)
     */
    public float[] toArray() {
        return data.clone();
    }

    /** The values without a copy, for this package's own loops. */
    float[] array() {
        return data;
    }

    /** The top-left {@code h×w} part of this image. */
    ImageTensor cropTopLeft(int h, int w) {
        return crop(0, 0, h, w);
    }

    /**
     * The {@code h×w} window whose top-left corner is at row {@code top}, column {@code left}, e.g. a random crop
     * for training ({@code org.adain.train} takes its crops this way).
     *
     * <pre>{@code
     * ImageTensor centre = image.crop((image.height() - 256) / 2, (image.width() - 256) / 2, 256, 256);
     * }</pre>
     *
     * @param top  first row of the window, from 0
     * @param left first column of the window, from 0
     * @param h    height of the window, at least 1
     * @param w    width of the window, at least 1
     * @return the window (this image itself when the window is the whole image)
     * @throws InvalidRequestException the window is empty or reaches outside the image
     */
    public ImageTensor crop(int top, int left, int h, int w) {
        if (top == 0 && left == 0 && h == height && w == width) {
            return this;
        }
        if (h < 1 || w < 1 || top < 0 || left < 0 || (long) top + h > height || (long) left + w > width) {
            throw new InvalidRequestException("Crop " + w + "×" + h + " (width×height) at column " + left + ", row "
                    + top + " is empty or outside the image of " + width + "×" + height);
        }
        float[] out = new float[3 * h * w];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < h; y++) {
                System.arraycopy(data, (c * height + top + y) * width + left, out, (c * h + y) * w, w);
            }
        }
        return new ImageTensor(h, w, out, eightBit);
    }

    /**
     * The reference's test-time transform (SEMANTICS §5.1): the shorter side becomes {@code size} (the longer
     * {@code int(size·long/short)}) with PIL's antialiased bilinear filter, then with {@code crop} the centre
     * {@code size×size} square. {@code size = 0} keeps the size (with crop: the centre square of the shorter
     * side). Images read from 8-bit pixels are resized with PIL's exact 8-bit arithmetic.
     *
     * <pre>{@code
     * ImageTensor seen = ImageTensor.fromImage(photo).resize(512, false); // what the network sees
     * }</pre>
     *
     * @param size the shorter side after resizing, ≥ 0; 0 keeps the size
     * @param crop whether to take the centre square after resizing
     * @return the resized (and cropped) image; this image when nothing changes
     * @throws InvalidRequestException {@code size} is negative, or the resized image would have more than
     *                                 {@link Images#MAX_DECODE_PIXELS} pixels
     */
    public ImageTensor resize(int size, boolean crop) {
        return resize(size, crop, Semantics.PYTORCH_PORT);
    }

    /**
     * The test-time transform of a semantics: {@link Semantics#PYTORCH_PORT} as {@link #resize(int, boolean)};
     * {@link Semantics#TORCH7} as the authors' {@code sizePreprocess} ({@code lib/utils.lua:81-91}): with
     * {@code crop} first the centre square of the shorter side (floor offsets), then the shorter side to
     * {@code size} with torch/image's bilinear filter (linear when enlarging, box average when shrinking), in
     * float32 on the image's values as Torch7 loads them ({@code byte · float32(1/255)} for 8-bit pixels).
     *
     * <pre>{@code
     * ImageTensor seen = ImageTensor.fromImage(photo).resize(512, true, Semantics.TORCH7);
     * }</pre>
     *
     * @param size      the shorter side after resizing, ≥ 0; 0 keeps the size
     * @param crop      whether to take the centre square (after resizing for the port, before for Torch7)
     * @param semantics whose transform
     * @return the resized (and cropped) image; for the port this image when nothing changes
     * @throws InvalidRequestException {@code size} is negative, or the resized image would have more than
     *                                 {@link Images#MAX_DECODE_PIXELS} pixels
     * @throws NullPointerException    {@code semantics} is null
     */
    public ImageTensor resize(int size, boolean crop, Semantics semantics) {
        Objects.requireNonNull(semantics, "semantics");
        if (size < 0) {
            throw new InvalidRequestException("Resize size must be ≥ 0 (0 keeps the size), got " + size);
        }
        long longSide = (long) size * Math.max(height, width) / Math.min(height, width);
        if ((double) size * longSide > Images.MAX_DECODE_PIXELS) {
            throw new InvalidRequestException("Resizing the " + sizeString() + " image to a shorter side of " + size
                    + " would give " + size + "×" + longSide + " pixels, more than " + Images.MAX_DECODE_PIXELS);
        }
        if (semantics == Semantics.TORCH7) {
            return Resizing.apply(PixelConversion.torch7Levels(this), size, crop, semantics);
        }
        return Resizing.apply(this, size, crop);
    }

    /**
     * Resizes to exactly {@code height×width}, not keeping the aspect ratio, with PIL's antialiased bilinear filter
     * ({@code Image.resize((width, height), BILINEAR)}; exact 8-bit arithmetic for images read from 8-bit pixels),
     * as the PyTorch port's training transform {@code Resize((512, 512))} does.
     *
     * <pre>{@code
     * ImageTensor square = ImageTensor.fromImage(photo).resizeTo(512, 512);
     * }</pre>
     *
     * @param height rows of the result, at least 1
     * @param width  columns of the result, at least 1
     * @return the resized image (this image itself when it has that size already)
     * @throws InvalidRequestException a side is below 1, or the result (or the intermediate image of the
     *                                 horizontal pass, {@code this.height()×width}) would exceed
     *                                 {@link Images#MAX_DECODE_PIXELS} pixels
     */
    public ImageTensor resizeTo(int height, int width) {
        // the horizontal pass runs first: its result has the old height and the new width
        if (height < 1 || width < 1 || (long) height * width > Images.MAX_DECODE_PIXELS
                || (long) this.height * width > Images.MAX_DECODE_PIXELS) {
            throw new InvalidRequestException("Cannot resize " + sizeString() + " to " + width + "×" + height
                    + " (width×height): each side must be at least 1 and the image, also after the horizontal "
                    + "pass, at most " + Images.MAX_DECODE_PIXELS + " pixels");
        }
        if (height == this.height && width == this.width) {
            return this;
        }
        return Resizing.resize(this, height, width);
    }

    /** Whether every value is a multiple of 1/255 (read from an 8-bit image). */
    boolean isEightBit() {
        return eightBit;
    }

    /** "W×H", for messages. */
    String sizeString() {
        return width + "×" + height;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ImageTensor t && t.height == height && t.width == width && Arrays.equals(t.data, data);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(data) * 31 + height * 17 + width;
    }

    @Override
    public String toString() {
        return "ImageTensor[" + width + "×" + height + "]";
    }
}
