package org.adain.video;

import java.util.function.UnaryOperator;
import org.adain.FeatureStatistics;

/**
 * {@link Stabilization#STATISTICS}: an exponential moving average of the content's relu4_1 statistics, reset at a
 * scene cut. A cut is a jump of the per-channel means larger than {@code cutThreshold} of the smoothed std, averaged
 * over the channels: a pan or noise moves them by a few hundredths, another shot by a large fraction.
 */
final class StatisticsStabilizer implements UnaryOperator<FeatureStatistics> {
    private final double memory;
    private final double cutThreshold;
    private double[] mean;
    private double[] std;
    private int cuts;

    StatisticsStabilizer(double memory, double cutThreshold) {
        this.memory = memory;
        this.cutThreshold = cutThreshold;
    }

    @Override
    public FeatureStatistics apply(FeatureStatistics measured) {
        double[] m = measured.mean();
        double[] s = measured.std();
        if (mean == null || mean.length != m.length || jump(m) > cutThreshold) {
            if (mean != null) {
                cuts++;
            }
            mean = m;
            std = s;
            return measured;
        }
        for (int c = 0; c < m.length; c++) {
            mean[c] = memory * mean[c] + (1 - memory) * m[c];
            std[c] = memory * std[c] + (1 - memory) * s[c];
        }
        return FeatureStatistics.of(mean, std);
    }

    /** Mean over channels of |Δmean| / smoothed std. */
    private double jump(double[] m) {
        double sum = 0;
        for (int c = 0; c < m.length; c++) {
            sum += Math.abs(m[c] - mean[c]) / std[c];
        }
        return sum / m.length;
    }

    /** Scene cuts detected so far (state resets after the first frame). */
    int cuts() {
        return cuts;
    }
}
