package org.adain;

import java.util.Arrays;
import java.util.Objects;

/**
 * Per-channel mean and standard deviation of a content's relu4_1 features: what AdaIN normalises the content with
 * ({@code std = sqrt(unbiased variance + 1e-5)}, SEMANTICS §2). Immutable. A
 * {@link StyleRequest.Builder#contentStatistics content-statistics filter} receives the measured ones and returns
 * the ones to use, e.g. smoothed over the frames of a video:
 *
 * <pre>{@code
 * double[] mean = measured.mean();
 * double[] std = measured.std();
 * for (int c = 0; c < mean.length; c++) {
 *     mean[c] = 0.9 * previous.meanAt(c) + 0.1 * mean[c];
 *     std[c] = 0.9 * previous.stdAt(c) + 0.1 * std[c];
 * }
 * return FeatureStatistics.of(mean, std);
 * }</pre>
 */
public final class FeatureStatistics {
    private final double[] mean;
    private final double[] std;

    private FeatureStatistics(double[] mean, double[] std) {
        this.mean = mean;
        this.std = std;
    }

    /**
     * Statistics of given values.
     *
     * @param mean one finite mean per channel
     * @param std  one finite standard deviation &gt; 0 per channel, as many as means
     * @return the statistics (the arrays are copied)
     * @throws InvalidRequestException the lengths differ or are 0, or a value is not finite, or a std is ≤ 0,
     *                                 naming the channel
     * @throws NullPointerException    an array is null
     */
    public static FeatureStatistics of(double[] mean, double[] std) {
        Objects.requireNonNull(mean, "mean");
        Objects.requireNonNull(std, "std");
        if (mean.length == 0 || mean.length != std.length) {
            throw new InvalidRequestException("Feature statistics need one mean and one std per channel; got "
                    + mean.length + " means and " + std.length + " stds");
        }
        for (int c = 0; c < mean.length; c++) {
            if (!Double.isFinite(mean[c]) || !Double.isFinite(std[c]) || !(std[c] > 0)) {
                throw new InvalidRequestException("Feature statistics of channel " + c + " are mean " + mean[c]
                        + ", std " + std[c] + "; a mean must be finite and a std finite and > 0");
            }
        }
        return new FeatureStatistics(mean.clone(), std.clone());
    }

    /**
     * Number of channels.
     *
     * @return C, e.g. 512 for VGG-19's relu4_1
     */
    public int channels() {
        return mean.length;
    }

    /**
     * The means.
     *
     * @return a copy, one per channel
     */
    public double[] mean() {
        return mean.clone();
    }

    /**
     * The standard deviations.
     *
     * @return a copy, one per channel
     */
    public double[] std() {
        return std.clone();
    }

    /**
     * One channel's mean.
     *
     * @param channel in [0, {@link #channels()})
     * @return its mean
     * @throws IndexOutOfBoundsException the channel is out of range
     */
    public double meanAt(int channel) {
        return mean[Objects.checkIndex(channel, mean.length)];
    }

    /**
     * One channel's standard deviation.
     *
     * @param channel in [0, {@link #channels()})
     * @return its std
     * @throws IndexOutOfBoundsException the channel is out of range
     */
    public double stdAt(int channel) {
        return std[Objects.checkIndex(channel, std.length)];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FeatureStatistics f && Arrays.equals(mean, f.mean) && Arrays.equals(std, f.std);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(mean) + Arrays.hashCode(std);
    }

    @Override
    public String toString() {
        return "FeatureStatistics[" + mean.length + " channels]";
    }
}
