package org.adain.spi;

import java.util.List;
import java.util.Objects;

/**
 * A resumable snapshot of decoder training: the decoder weights, Adam's first and second moments for each
 * decoder convolution ({@code [kernel, bias]} in network order, same shapes as the weights) and the number of
 * iterations done. Backends copy in and out of it; a trainer writes it to checkpoints.
 */
public record TrainingState(long iteration, DecoderWeights weights, List<Tensor[]> firstMoments,
        List<Tensor[]> secondMoments) {
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
