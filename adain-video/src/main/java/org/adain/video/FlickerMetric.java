package org.adain.video;

import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Objects;

/**
 * Flicker with known motion: for a clip whose content moves by {@code (dx, dy)} pixels per frame (a crop window
 * panned across a still image moves the content by {@code (-dx, -dy)}), the ideal output frame t+1 equals frame t
 * shifted by the same amount. The metric is the mean absolute difference between {@code out[t+1](x, y)} and
 * {@code out[t](x + dx, y + dy)} over interior pixels (a margin left out on every side) and the three channels, in
 * 8-bit levels, averaged over the clip's frame pairs. For a static clip the shift is 0 and it measures how much the
 * frames change.
 *
 * <pre>{@code
 * double input = FlickerMetric.clip(inputFrames, 4, 0, 16);
 * double output = FlickerMetric.clip(outputFrames, 4, 0, 16);   // per-frame AdaIN: several times the input's
 * }</pre>
 */
public final class FlickerMetric {
    private FlickerMetric() {
    }

    /**
     * The metric of one frame pair.
     *
     * @param previous frame t
     * @param next     frame t+1, the size of {@code previous}
     * @param dx       the window's motion to the right per frame, in pixels
     * @param dy       the window's motion downwards per frame, in pixels
     * @param margin   pixels left out on every side (≥ 0), e.g. the receptive field's border effects
     * @return the mean absolute difference in 8-bit levels
     * @throws IllegalArgumentException the sizes differ, or the margin and shift leave no pixel
     */
    public static double pair(BufferedImage previous, BufferedImage next, int dx, int dy, int margin) {
        Objects.requireNonNull(previous, "previous");
        Objects.requireNonNull(next, "next");
        int w = next.getWidth();
        int h = next.getHeight();
        if (previous.getWidth() != w || previous.getHeight() != h) {
            throw new IllegalArgumentException("Frames differ in size: " + previous.getWidth() + "×"
                    + previous.getHeight() + " and " + w + "×" + h);
        }
        if (margin < 0) {
            throw new IllegalArgumentException("margin must be ≥ 0, got " + margin);
        }
        int x0 = margin + Math.max(0, -dx);
        int x1 = w - margin - Math.max(0, dx);
        int y0 = margin + Math.max(0, -dy);
        int y1 = h - margin - Math.max(0, dy);
        if (x1 <= x0 || y1 <= y0) {
            throw new IllegalArgumentException("A " + w + "×" + h + " frame has no interior pixel with margin "
                    + margin + " and shift (" + dx + ", " + dy + ")");
        }
        int[] a = new int[x1 - x0];
        int[] b = new int[x1 - x0];
        long sum = 0;
        for (int y = y0; y < y1; y++) {
            next.getRGB(x0, y, x1 - x0, 1, a, 0, w);
            previous.getRGB(x0 + dx, y + dy, x1 - x0, 1, b, 0, w);
            for (int i = 0; i < a.length; i++) {
                int p = a[i];
                int q = b[i];
                sum += Math.abs(((p >> 16) & 255) - ((q >> 16) & 255)) + Math.abs(((p >> 8) & 255) - ((q >> 8) & 255))
                        + Math.abs((p & 255) - (q & 255));
            }
        }
        return sum / (3.0 * (x1 - x0) * (y1 - y0));
    }

    /**
     * The metric averaged over a clip's consecutive frame pairs.
     *
     * @param frames at least two frames of one size
     * @param dx     the window's motion to the right per frame
     * @param dy     the window's motion downwards per frame
     * @param margin pixels left out on every side
     * @return the mean over the {@code frames.size() - 1} pairs, in 8-bit levels
     * @throws IllegalArgumentException fewer than two frames, or as {@link #pair}
     */
    public static double clip(List<BufferedImage> frames, int dx, int dy, int margin) {
        if (frames.size() < 2) {
            throw new IllegalArgumentException("The metric needs at least 2 frames, got " + frames.size());
        }
        double sum = 0;
        for (int t = 0; t + 1 < frames.size(); t++) {
            sum += pair(frames.get(t), frames.get(t + 1), dx, dy, margin);
        }
        return sum / (frames.size() - 1);
    }
}
