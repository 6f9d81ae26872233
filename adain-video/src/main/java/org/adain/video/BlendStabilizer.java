package org.adain.video;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;

/**
 * {@link Stabilization#BLEND}: per pixel, {@code out'_t = a · out_t + (1 − a) · out'_{t−1}} with
 * {@code a = clamp(1 − memory + |Δinput| / THRESHOLD, 1 − memory, 1)}, where {@code |Δinput|} is the mean absolute
 * change of the input (resized to the output) since the previous frame. A mean change over {@link #CUT} levels is a
 * scene cut: the frame is kept as it is.
 */
final class BlendStabilizer {
    /** Input change, in 8-bit levels, at which a pixel is taken from the new frame alone. */
    static final double THRESHOLD = 64;
    /** Mean input change, in 8-bit levels, that counts as a scene cut. */
    static final double CUT = 40;

    private final double floor;
    private int[] previousInput;
    private float[] previousOutput;
    private int cuts;

    BlendStabilizer(double memory) {
        this.floor = 1 - memory;
    }

    BufferedImage apply(BufferedImage input, BufferedImage output) {
        int w = output.getWidth();
        int h = output.getHeight();
        int[] in = resized(input, w, h).getRGB(0, 0, w, h, null, 0, w);
        int[] out = output.getRGB(0, 0, w, h, null, 0, w);
        if (previousInput == null || previousInput.length != in.length || meanChange(in) > CUT) {
            if (previousInput != null) {
                cuts++;
            }
            previousInput = in;
            previousOutput = new float[3 * out.length];
            for (int i = 0; i < out.length; i++) {
                previousOutput[3 * i] = (out[i] >> 16) & 255;
                previousOutput[3 * i + 1] = (out[i] >> 8) & 255;
                previousOutput[3 * i + 2] = out[i] & 255;
            }
            return output;
        }
        BufferedImage result = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        int[] res = new int[out.length];
        for (int i = 0; i < out.length; i++) {
            double a = Math.min(1, floor + change(in[i], previousInput[i]) / THRESHOLD);
            int rgb = 0;
            for (int c = 0; c < 3; c++) {
                int shift = 16 - 8 * c;
                float v = (float) (a * ((out[i] >> shift) & 255) + (1 - a) * previousOutput[3 * i + c]);
                previousOutput[3 * i + c] = v;
                rgb |= Math.max(0, Math.min(255, Math.round(v))) << shift;
            }
            res[i] = rgb;
        }
        previousInput = in;
        result.setRGB(0, 0, w, h, res, 0, w);
        return result;
    }

    private double meanChange(int[] in) {
        double sum = 0;
        for (int i = 0; i < in.length; i++) {
            sum += change(in[i], previousInput[i]);
        }
        return sum / in.length;
    }

    private static double change(int p, int q) {
        return (Math.abs(((p >> 16) & 255) - ((q >> 16) & 255)) + Math.abs(((p >> 8) & 255) - ((q >> 8) & 255))
                + Math.abs((p & 255) - (q & 255))) / 3.0;
    }

    private static BufferedImage resized(BufferedImage img, int w, int h) {
        if (img.getWidth() == w && img.getHeight() == h) {
            return img;
        }
        BufferedImage r = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = r.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(img, 0, 0, w, h, null);
        g.dispose();
        return r;
    }

    int cuts() {
        return cuts;
    }
}
