package org.adain;

import java.awt.image.BufferedImage;
import java.util.Arrays;
import java.util.Objects;

/**
 * Spatial control: which style each pixel of the content takes (SEMANTICS §8). Each region is stylised with
 * its own style, the content statistics taken over that region only. A mask must have the size of the content
 * image as given ({@link StyleRequest.Builder#build()} refuses another size); it then takes the content's resizing
 * and crop, and is scaled to the content's feature map with nearest-neighbour sampling ({@code floor(i·in/out)}).
 * A mask of another size is stretched only when asked for, with {@link #scaledTo}.
 *
 * <pre>{@code
 * // The paper's two-style case: white (1) takes the first style, black (0) the second.
 * SpatialMask mask = SpatialMask.fromImage(ImageIO.read(maskFile));
 * // Any number of regions: one style index per pixel, row-major.
 * SpatialMask three = SpatialMask.ofStyleIndices(width, height, indices);
 * // A mask drawn at another size, stretched to the content's on purpose.
 * SpatialMask fitted = mask.scaledTo(photo.getWidth(), photo.getHeight());
 * }</pre>
 *
 * A mask that cannot be right throws {@link InvalidRequestException} naming the pixel or size at fault, a null
 * argument {@link NullPointerException}.
 */
public final class SpatialMask {
    private final int width;
    private final int height;
    private final int[] styleIndex;
    private final int styleCount;

    private SpatialMask(int width, int height, int[] styleIndex) {
        this.width = width;
        this.height = height;
        this.styleIndex = styleIndex;
        this.styleCount = Arrays.stream(styleIndex).max().orElse(-1) + 1;
    }

    /**
     * A binary mask image: pixels of value 1 (white, 255) take the first style, pixels of value 0 (black) take
     * the second. Colour images count as grey {@code 0.299R + 0.587G + 0.114B}, so only pure white and pure
     * black are allowed; any other value is rejected (anti-aliased or JPEG-compressed masks have them: save
     * masks as PNG).
     *
     * @param image pure black and white pixels, both present
     * @return the mask, two styles
     * @throws InvalidRequestException a pixel is neither black nor white (named by column and row), or one colour
     *                                 is missing
     * @throws NullPointerException    {@code image} is null
     */
    public static SpatialMask fromImage(BufferedImage image) {
        Objects.requireNonNull(image, "image");
        ImageTensor t = ImageTensor.fromImage(image);
        int w = t.width();
        int h = t.height();
        float[] d = t.array();
        int plane = w * h;
        int[] idx = new int[plane];
        for (int i = 0; i < plane; i++) {
            float r = d[i];
            float g = d[plane + i];
            float b = d[2 * plane + i];
            if (r == 1f && g == 1f && b == 1f) {
                idx[i] = 0;
            } else if (r == 0f && g == 0f && b == 0f) {
                idx[i] = 1;
            } else {
                double grey = 0.299 * r + 0.587 * g + 0.114 * b;
                throw new InvalidRequestException(String.format(
                        "Mask pixel at column %d, row %d has value %.4f; a mask must hold only 0 (black: second "
                                + "style) and 1 (white: first style). Save masks as PNG without anti-aliasing",
                        i % w, i / w, grey));
            }
        }
        SpatialMask m = new SpatialMask(w, h, idx);
        m.requireAllUsed(2);
        return m;
    }

    /**
     * One style index per pixel, row-major, {@code width·height} values; index k takes the k-th style of the
     * request. Copies the array.
     *
     * @param width        columns, ≥ 1
     * @param height       rows, ≥ 1
     * @param styleIndices {@code width·height} indices ≥ 0, row-major
     * @return the mask
     * @throws InvalidRequestException a size is not positive, the length does not match, or an index is negative
     * @throws NullPointerException    {@code styleIndices} is null
     */
    public static SpatialMask ofStyleIndices(int width, int height, int[] styleIndices) {
        Objects.requireNonNull(styleIndices, "styleIndices");
        if (width <= 0 || height <= 0) {
            throw new InvalidRequestException("Mask size must be positive, got " + width + "×" + height);
        }
        if ((long) width * height != styleIndices.length) {
            throw new InvalidRequestException("A " + width + "×" + height + " mask needs " + ((long) width * height)
                    + " style indices, got " + styleIndices.length);
        }
        for (int i = 0; i < styleIndices.length; i++) {
            if (styleIndices[i] < 0) {
                throw new InvalidRequestException("Mask style index at column " + (i % width) + ", row "
                        + (i / width) + " is " + styleIndices[i] + "; indices must be ≥ 0");
            }
        }
        return new SpatialMask(width, height, styleIndices.clone());
    }

    /** Throws unless every index in [0, styles) occurs and no larger one does. */
    void requireAllUsed(int styles) {
        if (styleCount > styles) {
            throw new InvalidRequestException("The mask refers to style " + (styleCount - 1) + " but the request has "
                    + styles + " style(s)");
        }
        boolean[] seen = new boolean[styles];
        for (int v : styleIndex) {
            seen[v] = true;
        }
        for (int k = 0; k < styles; k++) {
            if (!seen[k]) {
                String which = styles == 2 && k == 0 ? " (white, value 1)" : styles == 2 ? " (black, value 0)" : "";
                throw new InvalidRequestException("The mask has no pixel for style " + k + which
                        + "; every style of a masked request needs a region");
            }
        }
    }

    /**
     * The number of columns.
     *
     * @return the width in pixels
     */
    public int width() {
        return width;
    }

    /**
     * The number of rows.
     *
     * @return the height in pixels
     */
    public int height() {
        return height;
    }

    /**
     * The number of styles the mask refers to.
     *
     * @return the largest index + 1
     */
    public int styleCount() {
        return styleCount;
    }

    /**
     * The style index at a pixel.
     *
     * @param x column, from 0 at the left
     * @param y row, from 0 at the top
     * @return the index of the style that pixel takes
     * @throws IndexOutOfBoundsException the pixel is outside the mask
     */
    public int styleAt(int x, int y) {
        Objects.checkIndex(x, width);
        Objects.checkIndex(y, height);
        return styleIndex[y * width + x];
    }

    /**
     * This mask stretched to {@code width×height} by nearest-neighbour sampling (each pixel takes the style of
     * source pixel {@code floor(x·sourceWidth/width)}, {@code floor(y·sourceHeight/height)}, the rule the mask's own
     * scaling to the feature map uses), for a mask drawn at another size or aspect than the content. A small region
     * may vanish when the mask shrinks; {@link StyleRequest.Builder#build()} then says which.
     *
     * <pre>{@code
     * StyleRequest r = StyleRequest.builder().content(photo)
     *         .mask(mask.scaledTo(photo.getWidth(), photo.getHeight()))
     *         .style(sky).style(ground).build();
     * }</pre>
     *
     * @param width  columns of the result, ≥ 1
     * @param height rows of the result, ≥ 1
     * @return the scaled mask; this mask when it has that size already
     * @throws InvalidRequestException a side is below 1, or the result would have more than
     *                                 {@link Images#MAX_DECODE_PIXELS} pixels
     */
    public SpatialMask scaledTo(int width, int height) {
        if (width < 1 || height < 1 || (long) width * height > Images.MAX_DECODE_PIXELS) {
            throw new InvalidRequestException("Cannot scale the " + this.width + "×" + this.height + " mask to "
                    + width + "×" + height + ": each side must be at least 1 and the mask at most "
                    + Images.MAX_DECODE_PIXELS + " pixels");
        }
        return resized(height, width);
    }

    /** The same crop the content takes. */
    SpatialMask crop(int top, int left, int h, int w) {
        if (top == 0 && left == 0 && h == height && w == width) {
            return this;
        }
        int[] out = new int[h * w];
        for (int y = 0; y < h; y++) {
            System.arraycopy(styleIndex, (top + y) * width + left, out, y * w, w);
        }
        return new SpatialMask(w, h, out);
    }

    /** This mask sampled onto an {@code h×w} grid, e.g. the resized content before a crop. */
    SpatialMask resized(int h, int w) {
        return h == height && w == width ? this : new SpatialMask(w, h, scaleTo(h, w));
    }

    /**
     * Nearest-neighbour scaling to the feature map: source index {@code min(floor(i·in/out), in − 1)} per
     * axis, in float32 as torch/image's 'simple' scale does.
     */
    int[] scaleTo(int outH, int outW) {
        int[] out = new int[outH * outW];
        for (int y = 0; y < outH; y++) {
            int sy = Math.min((int) (y * ((float) height / (float) outH)), height - 1);
            for (int x = 0; x < outW; x++) {
                int sx = Math.min((int) (x * ((float) width / (float) outW)), width - 1);
                out[y * outW + x] = styleIndex[sy * width + sx];
            }
        }
        return out;
    }
}
