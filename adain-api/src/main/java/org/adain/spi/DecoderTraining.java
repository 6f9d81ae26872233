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
     * @param contents the content images, {@code N×3×H×W} RGB in [0, 1], N ≥ 1, H and W ≥ 9
     * @param styles   the style images, as many as contents (N), each side ≥ 9 and possibly other than the
     *                 contents'
     * @return the loss terms computed in this step's forward pass, before the update, unweighted
     * @throws org.adain.InvalidRequestException the batches are not such images or differ in N
     */
    LossTerms step(Tensor contents, Tensor styles);

    /**
     * The gradient of the total loss for this batch w.r.t. every decoder convolution, in network order, each as
     * {@code [kernel OIHW, bias]}; nothing is updated. The loss is weighted by the configuration's content and
     * style weights, as in {@link #step}.
     *
     * @param contents the content images, {@code N×3×H×W} RGB in [0, 1], N ≥ 1, H and W ≥ 9
     * @param styles   the style images, as many as contents
     * @return {@link DecoderWeights#CONV_COUNT} pairs, each {@code [kernel, bias]} with the shapes of that conv's
     *         weights
     * @throws org.adain.InvalidRequestException the batches are not such images or differ in N
     */
    List<Tensor[]> gradients(Tensor contents, Tensor styles);

    /**
     * The decoder's current weights, e.g. to export or to stylise samples with.
     *
     * @return a snapshot: later steps do not change it
     */
    DecoderWeights weights();

    /**
     * Iterations completed so far; the next step uses {@code config.learningRateAt(iteration())}.
     *
     * @return 0 for a new session, +1 per {@link #step}, or the restored state's count after {@link #restore}
     */
    long iteration();

    /**
     * Everything needed to resume exactly, for a checkpoint.
     *
     * @return a snapshot of the iteration, the weights and the optimiser's moments
     */
    TrainingState state();

    /**
     * Continues from a state, e.g. one read from a checkpoint: afterwards weights, moments and
     * {@link #iteration()} are the state's, and the next {@link #step} gives what the state's session would have.
     *
     * @param state a state of a session with the same decoder topology (and, to resume exactly, the same
     *              configuration)
     * @throws org.adain.InvalidRequestException a conv or a moment of the state has another shape than this
     *                                           session's, or a moment is not finite
     */
    void restore(TrainingState state);

    /** Frees the session's native memory. Idempotent. */
    @Override
    void close();
}
