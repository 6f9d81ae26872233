package org.adain.spi;

import java.util.List;

/**
 * A backend's decoder-training session (SEMANTICS §9.1): the encoder is frozen, only the decoder's convolutions
 * are trained with Adam on {@code contentWeight · Lc + styleWeight · Ls}; the AdaIN target and the style
 * statistics carry no gradient, and the gradient reaches the decoder through the encoder applied to its output.
 * Made by {@link BackendProvider#train}; not thread-safe; holds native memory.
 *
 * <pre>{@code
 * try (DecoderTraining t = provider.train(encoder, decoder, TrainingConfig.portDefaults())) {
 *     LossTerms before = t.step(contents, styles);   // iteration 0, lr 1e-4
 *     DecoderWeights now = t.weights();
 * }
 * }</pre>
 */
public interface DecoderTraining extends AutoCloseable {

    /**
     * One optimiser step on a batch of pairs ({@code N×3×H×W} contents and styles in [0, 1], sample k with
     * sample k) at the current iteration's learning rate; then the iteration count advances.
     *
     * @return the loss terms computed in this step's forward pass, before the update
     */
    LossTerms step(Tensor contents, Tensor styles);

    /**
     * The gradient of the total loss for this batch w.r.t. every decoder convolution, in network order, each as
     * {@code [kernel OIHW, bias]}; nothing is updated.
     */
    List<Tensor[]> gradients(Tensor contents, Tensor styles);

    /** The decoder's current weights. */
    DecoderWeights weights();

    /** Iterations completed so far (the next step uses {@code config.learningRateAt(iteration())}). */
    long iteration();

    /** Everything needed to resume exactly: iteration and the optimiser's moments. */
    TrainingState state();

    /** Continues from a state taken from a session with the same topology and configuration. */
    void restore(TrainingState state);

    @Override
    void close();
}
