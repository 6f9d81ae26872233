package org.adain;

import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;

/**
 * The one place where pixels cross between {@link BufferedImage} and floats: colour-model handling on the
 * way in, and the 8-bit quantisation rule on the way out, for both {@link Semantics}.
 *
 * <p>Every image becomes 3 channels, as Torch7's {@code image.load(path, 3, 'float')} does (torch/image
 * {@code init.lua:72-106}): grey is repeated, the alpha of RGBA is dropped (not composited). (Torch7 rejects grey
 * with alpha; here its grey is used.) The port's {@code test.py} converts nothing and fails on such files.
 */
final class PixelConversion {
    private PixelConversion() {
    }

    static ImageTensor toTensor(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        float[] out = new float[3 * h * w];
        ColorModel cm = image.getColorModel();
        Raster raster = image.getRaster();
        int bands = raster.getNumBands();
        if (cm instanceof ComponentColorModel && !(cm instanceof IndexColorModel)
                && (bands == 1 || bands == 2 || bands == 3 || bands == 4)
                && cm.getColorSpace().getType() != java.awt.color.ColorSpace.TYPE_CMYK) {
            // Read samples directly: getRGB() would push grey through Java's linear-grey colour space and
            // brighten it, which PIL (and thus the reference) does not do.
            int colourBands = bands <= 2 ? 1 : 3;
            float scale = (float) ((1L << cm.getComponentSize(0)) - 1);
            if (raster.getTransferType() == DataBuffer.TYPE_FLOAT || raster.getTransferType() == DataBuffer.TYPE_DOUBLE) {
                scale = 1f;
            }
            float[] row = new float[w * bands];
            int plane = h * w;
            for (int y = 0; y < h; y++) {
                raster.getPixels(0, y, w, 1, row);
                for (int x = 0; x < w; x++) {
                    for (int c = 0; c < 3; c++) {
                        float v = row[x * bands + (colourBands == 1 ? 0 : c)] / scale;
                        out[c * plane + y * w + x] = v;
                    }
                }
            }
            return ImageTensor.wrap(out, h, w, scale == 255f);
        }
        // Packed RGB, BGR, palettes: the colour model knows the sRGB value of each pixel.
        int[] argb = image.getRGB(0, 0, w, h, null, 0, w);
        int plane = h * w;
        for (int i = 0; i < plane; i++) {
            int p = argb[i];
            out[i] = ((p >> 16) & 0xff) / 255f;
            out[plane + i] = ((p >> 8) & 0xff) / 255f;
            out[2 * plane + i] = (p & 0xff) / 255f;
        }
        return ImageTensor.wrap(out, h, w, true);
    }

    /** float32(1/255): torch/image scales loaded bytes by {@code img:mul(1/MAXVAL)} (init.lua:145, 224). */
    private static final float TORCH_INV_255 = (float) (1.0 / 255);

    /**
     * An 8-bit image's values as Torch7 holds them: {@code float(b) · float32(1/255)}, which is one float32 ulp off
     * {@code b / 255f} for about half the levels. Other images are returned unchanged.
     */
    static ImageTensor torch7Levels(ImageTensor t) {
        if (!t.isEightBit()) {
            return t;
        }
        float[] d = t.array();
        float[] out = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            out[i] = Math.round(d[i] * 255f) * TORCH_INV_255;
        }
        return ImageTensor.wrap(out, t.height(), t.width(), false);
    }

    /**
     * The 8-bit rule of a semantics.
     *
     * @return {@link #quantize(float)} for the port; for Torch7 torch/image's {@code image.save}
     *         ({@code init.lua:161-169}): clamp to [0, 1], ×255 in double, truncated to unsigned char (floor)
     */
    static int quantize(float x, Semantics semantics) {
        if (semantics == Semantics.PYTORCH_PORT) {
            return quantize(x);
        }
        if (!(x > 0f)) {
            return 0; // also NaN, which image.save would turn into 0 as well
        }
        return x >= 1f ? 255 : (int) (x * 255.0);
    }

    /** torchvision's save_image rule, evaluated in float32: trunc(clamp(x·255 + 0.5, 0, 255)). */
    static int quantize(float x) {
        float v = x * 255f + 0.5f;
        if (v <= 0f) {
            return 0;
        }
        if (v >= 255f) {
            return 255;
        }
        return (int) v;
    }

    static BufferedImage toImage(ImageTensor t) {
        return toImage(t, Semantics.PYTORCH_PORT);
    }

    static BufferedImage toImage(ImageTensor t, Semantics semantics) {
        int h = t.height();
        int w = t.width();
        float[] d = t.array();
        int plane = h * w;
        int[] rgb = new int[plane];
        for (int i = 0; i < plane; i++) {
            rgb[i] = quantize(d[i], semantics) << 16 | quantize(d[plane + i], semantics) << 8
                    | quantize(d[2 * plane + i], semantics);
        }
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        img.setRGB(0, 0, w, h, rgb, 0, w);
        return img;
    }
}
