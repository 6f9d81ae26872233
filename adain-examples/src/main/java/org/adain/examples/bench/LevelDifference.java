package org.adain.examples.bench;

import java.awt.image.BufferedImage;
import java.util.Locale;

/**
 * How far two 8-bit RGB images of one size are apart, per red, green and blue sample: the largest and the mean
 * absolute level difference and the PSNR; sums of several comparisons for an overall figure. The arithmetic of
 * {@link PrecisionQuality}, and the bar a reduced precision must meet (issue 13: at most 3 levels, mean at most 0.3).
 *
 * <pre>{@code
 * LevelDifference d = LevelDifference.of(float32Image, bf16Image);
 * System.out.println(d + (d.meetsBar() ? " ok" : " over the bar"));
 * }</pre>
 *
 * @param maxLevels the largest |difference| of any sample, 0..255
 * @param sumAbs    the sum of |difference| over the samples
 * @param sumSquare the sum of difference² over the samples
 * @param samples   how many samples were compared (3 per pixel)
 */
public record LevelDifference(int maxLevels, long sumAbs, long sumSquare, long samples) {
    /** The bar's largest level difference. */
    public static final int BAR_MAX_LEVELS = 3;
    /** The bar's largest mean level difference. */
    public static final double BAR_MEAN_LEVELS = 0.3;

    /** Nothing compared: the identity of {@link #plus}. */
    public static final LevelDifference NONE = new LevelDifference(0, 0, 0, 0);

    /**
     * Checks the sums.
     *
     * @param maxLevels 0..255
     * @param sumAbs    ≥ 0
     * @param sumSquare ≥ 0
     * @param samples   ≥ 0
     * @throws IllegalArgumentException a value out of its range
     */
    public LevelDifference {
        if (maxLevels < 0 || maxLevels > 255 || sumAbs < 0 || sumSquare < 0 || samples < 0) {
            throw new IllegalArgumentException("Not a level difference: max " + maxLevels + ", sum " + sumAbs
                    + ", sum of squares " + sumSquare + ", samples " + samples);
        }
    }

    /**
     * Compares two images sample by sample (alpha ignored).
     *
     * @param a one image
     * @param b the other, of the same width and height
     * @return the difference of their red, green and blue samples
     * @throws IllegalArgumentException the sizes differ (the message names both)
     */
    public static LevelDifference of(BufferedImage a, BufferedImage b) {
        if (a.getWidth() != b.getWidth() || a.getHeight() != b.getHeight()) {
            throw new IllegalArgumentException("The images differ in size: " + a.getWidth() + "×" + a.getHeight()
                    + " and " + b.getWidth() + "×" + b.getHeight());
        }
        int max = 0;
        long sum = 0;
        long square = 0;
        for (int y = 0; y < a.getHeight(); y++) {
            for (int x = 0; x < a.getWidth(); x++) {
                int p = a.getRGB(x, y);
                int q = b.getRGB(x, y);
                for (int shift = 0; shift <= 16; shift += 8) {
                    int d = Math.abs(((p >> shift) & 0xFF) - ((q >> shift) & 0xFF));
                    max = Math.max(max, d);
                    sum += d;
                    square += (long) d * d;
                }
            }
        }
        return new LevelDifference(max, sum, square, 3L * a.getWidth() * a.getHeight());
    }

    /**
     * This comparison and another as one, for an overall figure.
     *
     * @param other another comparison
     * @return the largest of both maxima, and the sums added
     */
    public LevelDifference plus(LevelDifference other) {
        return new LevelDifference(Math.max(maxLevels, other.maxLevels), sumAbs + other.sumAbs,
                sumSquare + other.sumSquare, samples + other.samples);
    }

    /**
     * The mean absolute level difference.
     *
     * @return sumAbs / samples, 0 when nothing was compared
     */
    public double meanLevels() {
        return samples == 0 ? 0 : (double) sumAbs / samples;
    }

    /**
     * The peak signal-to-noise ratio, {@code 10 · log10(255² / MSE)}.
     *
     * @return in dB; {@link Double#POSITIVE_INFINITY} for identical images (or nothing compared)
     */
    public double psnr() {
        if (sumSquare == 0) {
            return Double.POSITIVE_INFINITY;
        }
        double mse = (double) sumSquare / samples;
        return 10 * Math.log10(255.0 * 255.0 / mse);
    }

    /**
     * Whether the difference is within the bar of a reduced precision.
     *
     * @return max ≤ {@value #BAR_MAX_LEVELS} levels and mean ≤ {@value #BAR_MEAN_LEVELS}
     */
    public boolean meetsBar() {
        return maxLevels <= BAR_MAX_LEVELS && meanLevels() <= BAR_MEAN_LEVELS;
    }

    /**
     * The figures as {@code key=value} pairs, as the benchmarks print them.
     *
     * @return e.g. {@code "max=2 mean=0.1234 psnr=51.37 bar=met"}
     */
    @Override
    public String toString() {
        double p = psnr();
        return String.format(Locale.ROOT, "max=%d mean=%.4f psnr=%s bar=%s", maxLevels, meanLevels(),
                Double.isInfinite(p) ? "inf" : String.format(Locale.ROOT, "%.2f", p), meetsBar() ? "met" : "MISSED");
    }
}
