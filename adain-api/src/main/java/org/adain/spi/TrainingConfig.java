package org.adain.spi;

import org.adain.Semantics;

/**
 * Hyper-parameters of decoder training (SEMANTICS §9.1, port defaults): Adam with {@code beta1}, {@code beta2},
 * {@code epsilon} (added after bias correction, as PyTorch does; with {@link Semantics#TORCH7} before it, as torch7's
 * {@code optim.adam}), learning rate
 * {@code lr_i = learningRate / (1 + learningRateDecay · i)} before iteration i (counted from 0), and the loss
 * {@code contentWeight · Lc + styleWeight · Ls} of {@link LossTerms} under {@code semantics} (the Torch7 style loss
 * sums over channels and divides by the batch, SEMANTICS §9.2).
 *
 * <pre>{@code
 * TrainingConfig c = TrainingConfig.portDefaults().withStyleWeight(5);
 * TrainingConfig lua = TrainingConfig.torch7Defaults().withStyleWeight(0.1); // how decoder.t7 was trained
 * }</pre>
 *
 * @param learningRate      Adam's base learning rate, &gt; 0 (port: 1e-4)
 * @param learningRateDecay the decay of the inverse schedule per iteration, ≥ 0 (port: 5e-5; 0 keeps the rate
 *                          constant)
 * @param contentWeight     the weight of the content loss, ≥ 0 (port: 1)
 * @param styleWeight       the weight of the style loss, ≥ 0 (port: 10); not both weights 0
 * @param beta1             Adam's decay of the first moment, in [0, 1) (port: 0.9)
 * @param beta2             Adam's decay of the second moment, in [0, 1) (port: 0.999)
 * @param epsilon           Adam's denominator term, &gt; 0 (port: 1e-8)
 * @param semantics         whose losses and Adam update (port: {@link Semantics#PYTORCH_PORT})
 */
public record TrainingConfig(double learningRate, double learningRateDecay, double contentWeight,
        double styleWeight, double beta1, double beta2, double epsilon, Semantics semantics) {
    /**
     * Checks every value against the ranges above.
     *
     * @param learningRate      Adam's base learning rate, &gt; 0
     * @param learningRateDecay the schedule's decay per iteration, ≥ 0
     * @param contentWeight     the weight of the content loss, ≥ 0
     * @param styleWeight       the weight of the style loss, ≥ 0
     * @param beta1             Adam's decay of the first moment, in [0, 1)
     * @param beta2             Adam's decay of the second moment, in [0, 1)
     * @param epsilon           Adam's denominator term, &gt; 0
     * @param semantics         whose losses and Adam update
     * @throws IllegalArgumentException a value is out of its range or not finite, or both loss weights are 0 (the
     *                                  message names the value)
     * @throws NullPointerException     {@code semantics} is null
     */
    public TrainingConfig {
        java.util.Objects.requireNonNull(semantics, "semantics");
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

    /**
     * A configuration with {@link Semantics#PYTORCH_PORT} losses and Adam, as before semantics existed.
     *
     * @param learningRate      Adam's base learning rate, &gt; 0
     * @param learningRateDecay the schedule's decay per iteration, ≥ 0
     * @param contentWeight     the weight of the content loss, ≥ 0
     * @param styleWeight       the weight of the style loss, ≥ 0
     * @param beta1             Adam's decay of the first moment, in [0, 1)
     * @param beta2             Adam's decay of the second moment, in [0, 1)
     * @param epsilon           Adam's denominator term, &gt; 0
     * @throws IllegalArgumentException a value is out of its range
     */
    public TrainingConfig(double learningRate, double learningRateDecay, double contentWeight, double styleWeight,
            double beta1, double beta2, double epsilon) {
        this(learningRate, learningRateDecay, contentWeight, styleWeight, beta1, beta2, epsilon,
                Semantics.PYTORCH_PORT);
    }

    private static void check(String name, double v, boolean zeroAllowed) {
        if (!Double.isFinite(v) || v < 0 || (!zeroAllowed && v == 0)) {
            throw new IllegalArgumentException(name + " must be " + (zeroAllowed ? "≥ 0" : "> 0")
                    + " and finite, got " + v);
        }
    }

    /**
     * The PyTorch port's settings, which the published decoder was trained with.
     *
     * @return lr 1e-4, decay 5e-5, content weight 1, style weight 10, betas 0.9/0.999, epsilon 1e-8
     */
    public static TrainingConfig portDefaults() {
        return new TrainingConfig(1e-4, 5e-5, 1.0, 10.0, 0.9, 0.999, 1e-8, Semantics.PYTORCH_PORT);
    }

    /**
     * The authors' Torch7 {@code train.lua} defaults (SEMANTICS §9.2): the same schedule and Adam constants, Torch7
     * losses and Adam update, style weight 1e-2 ({@code decoder-content-similar.t7}; the released
     * {@code decoder.t7} used 1e-1, see {@link #withStyleWeight}).
     *
     * @return lr 1e-4, decay 5e-5, content weight 1, style weight 1e-2, betas 0.9/0.999, epsilon 1e-8, Torch7
     */
    public static TrainingConfig torch7Defaults() {
        return new TrainingConfig(1e-4, 5e-5, 1.0, 1e-2, 0.9, 0.999, 1e-8, Semantics.TORCH7);
    }

    /**
     * The defaults of a semantics.
     *
     * @param semantics whose defaults
     * @return {@link #portDefaults()} or {@link #torch7Defaults()}
     */
    public static TrainingConfig defaults(Semantics semantics) {
        return semantics == Semantics.TORCH7 ? torch7Defaults() : portDefaults();
    }

    /**
     * This configuration under another semantics; the numbers stay (use {@link #defaults} for a semantics' own).
     *
     * @param s whose losses and Adam update
     * @return a new configuration; this one is unchanged
     */
    public TrainingConfig withSemantics(Semantics s) {
        return new TrainingConfig(learningRate, learningRateDecay, contentWeight, styleWeight, beta1, beta2, epsilon,
                s);
    }

    /**
     * The learning rate of the schedule at an iteration.
     *
     * @param i the iteration, 0-based (the first step is iteration 0)
     * @return {@code learningRate / (1 + learningRateDecay · i)}
     */
    public double learningRateAt(long i) {
        return learningRate / (1 + learningRateDecay * i);
    }

    /**
     * This configuration with another learning-rate schedule.
     *
     * @param lr    the base learning rate, &gt; 0
     * @param decay the decay per iteration, ≥ 0
     * @return a new configuration; this one is unchanged
     * @throws IllegalArgumentException a value is out of its range
     */
    public TrainingConfig withLearningRate(double lr, double decay) {
        return new TrainingConfig(lr, decay, contentWeight, styleWeight, beta1, beta2, epsilon, semantics);
    }

    /**
     * This configuration with another style-loss weight.
     *
     * @param w the weight of the style loss, ≥ 0 (not 0 when the content weight is 0)
     * @return a new configuration; this one is unchanged
     * @throws IllegalArgumentException the weight is out of its range
     */
    public TrainingConfig withStyleWeight(double w) {
        return new TrainingConfig(learningRate, learningRateDecay, contentWeight, w, beta1, beta2, epsilon, semantics);
    }

    /**
     * This configuration with another content-loss weight.
     *
     * @param w the weight of the content loss, ≥ 0 (not 0 when the style weight is 0)
     * @return a new configuration; this one is unchanged
     * @throws IllegalArgumentException the weight is out of its range
     */
    public TrainingConfig withContentWeight(double w) {
        return new TrainingConfig(learningRate, learningRateDecay, w, styleWeight, beta1, beta2, epsilon, semantics);
    }
}
