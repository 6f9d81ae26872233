package org.adain.spi;

/**
 * Hyper-parameters of decoder training (SEMANTICS §9.1, port defaults): Adam with {@code beta1}, {@code beta2},
 * {@code epsilon} (added after bias correction, as PyTorch does), learning rate
 * {@code lr_i = learningRate / (1 + learningRateDecay · i)} before iteration i (counted from 0), and the loss
 * {@code contentWeight · Lc + styleWeight · Ls} of {@link LossTerms}.
 *
 * <pre>{@code
 * TrainingConfig c = TrainingConfig.portDefaults().withStyleWeight(5);
 * }</pre>
 */
public record TrainingConfig(double learningRate, double learningRateDecay, double contentWeight,
        double styleWeight, double beta1, double beta2, double epsilon) {
    public TrainingConfig {
        check("learningRate", learningRate, false);
        check("learningRateDecay", learningRateDecay, true);
        check("contentWeight", contentWeight, true);
        check("styleWeight", styleWeight, true);
        check("epsilon", epsilon, false);
        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException("Adam betas must be in [0, 1), got " + beta1 + " and " + beta2);
        }
        if (contentWeight == 0 && styleWeight == 0) {
            throw new IllegalArgumentException("contentWeight and styleWeight are both 0: nothing to train");
        }
    }

    private static void check(String name, double v, boolean zeroAllowed) {
        if (!Double.isFinite(v) || v < 0 || (!zeroAllowed && v == 0)) {
            throw new IllegalArgumentException(name + " must be " + (zeroAllowed ? "≥ 0" : "> 0")
                    + " and finite, got " + v);
        }
    }

    /** lr 1e-4, decay 5e-5, content weight 1, style weight 10, betas 0.9/0.999, epsilon 1e-8. */
    public static TrainingConfig portDefaults() {
        return new TrainingConfig(1e-4, 5e-5, 1.0, 10.0, 0.9, 0.999, 1e-8);
    }

    /** The learning rate used for iteration {@code i} (0-based). */
    public double learningRateAt(long i) {
        return learningRate / (1 + learningRateDecay * i);
    }

    public TrainingConfig withLearningRate(double lr, double decay) {
        return new TrainingConfig(lr, decay, contentWeight, styleWeight, beta1, beta2, epsilon);
    }

    public TrainingConfig withStyleWeight(double w) {
        return new TrainingConfig(learningRate, learningRateDecay, contentWeight, w, beta1, beta2, epsilon);
    }

    public TrainingConfig withContentWeight(double w) {
        return new TrainingConfig(learningRate, learningRateDecay, w, styleWeight, beta1, beta2, epsilon);
    }
}
