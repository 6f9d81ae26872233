package org.adain.spi;

import java.util.List;
import java.util.Objects;

/**
 * A resumable snapshot of decoder training: the decoder weights, Adam's first and second moments for each
 * decoder convolution ({@code [kernel, bias]} in network order, same shapes as the weights) and the number of
 * iterations done. Backends copy in and out of it; a trainer writes it to checkpoints.
 *
 * <pre>{@code
 * TrainingState saved = session.state();
 * // later, in a new session of the same topology and configuration
 * other.restore(saved);   // other.iteration() == saved.iteration()
 * }</pre>
 *
 * <p>The lists are copied, the arrays in them and the tensors are not (tensors are immutable).
 *
 * @param iteration     iterations done, ≥ 0
 * @param weights       the decoder's weights after those iterations
 * @param firstMoments  Adam's first moments, one {@code [kernel, bias]} pair per decoder conv in network order
 * @param secondMoments Adam's second moments, in the same layout
 */
public record TrainingState(long iteration, DecoderWeights weights, List<Tensor[]> firstMoments,
        List<Tensor[]> secondMoments) {
    /**
     * Checks the iteration and the number of moment pairs, and copies the lists.
     *
     * @param iteration     iterations done, ≥ 0
     * @param weights       the decoder's weights, not null
     * @param firstMoments  {@value DecoderWeights#CONV_COUNT} pairs {@code [kernel, bias]}
     * @param secondMoments {@value DecoderWeights#CONV_COUNT} pairs {@code [kernel, bias]}
     * @throws IllegalArgumentException the iteration is negative, or a list does not hold one pair per decoder
     *                                  conv (the shapes inside are checked by {@link DecoderTraining#restore})
     */
    public TrainingState {
        if (iteration < 0) {
            throw new IllegalArgumentException("iteration must be ≥ 0, got " + iteration);
        }
        Objects.requireNonNull(weights, "weights");
        firstMoments = List.copyOf(firstMoments);
        secondMoments = List.copyOf(secondMoments);
        if (firstMoments.size() != DecoderWeights.CONV_COUNT || secondMoments.size() != DecoderWeights.CONV_COUNT) {
            throw new IllegalArgumentException("Adam moments must have one [kernel, bias] pair per decoder conv ("
                    + DecoderWeights.CONV_COUNT + "), got " + firstMoments.size() + " and " + secondMoments.size());
        }
    }
}
