package org.adain.testkit;

/** The classic mistakes the reference backend can be told to make, each of which the kit must catch. */
enum Mistake {
    /** Variance divided by H·W instead of H·W − 1 (the Lua/paper statistic instead of the port's). */
    BIASED_VARIANCE("biased variance"),
    /** {@code sqrt(var) + eps} instead of {@code sqrt(var + eps)}. */
    EPS_OUTSIDE_SQRT("eps outside the sqrt"),
    /** Zero padding before the 3×3 convolutions instead of reflection padding. */
    ZERO_PADDING("zero padding"),
    /** Max-pooling that drops an odd last row/column instead of ceil mode. */
    FLOOR_POOLING("floor pooling"),
    /** Bilinear ×2 upsampling in the decoder instead of nearest. */
    BILINEAR_UPSAMPLING("bilinear upsampling"),
    /** The decoder output clamped to [0, 1] inside the network. */
    CLAMP_IN_NETWORK("clamping inside the network"),
    /** Alpha blended on decoded images instead of relu4_1 features. */
    ALPHA_ON_IMAGES("alpha blended on images"),
    /** CORAL's {@code Xn·Xnᵀ} divided by the pixel count before adding the identity. */
    CORAL_COVARIANCE_PER_PIXEL("CORAL covariance / pixel count"),
    /** The decoded image truncated to 8-bit levels inside the backend ({@code floor(255·x) / 255}). */
    OUTPUT_TRUNCATED_TO_8_BITS("output truncated to 8-bit levels"),
    /**
     * A port-semantics backend that declares Torch7 semantics but ignores them: the port's statistics, losses and
     * Adam whatever the plan or configuration says.
     */
    PORT_NUMERICS_FOR_TORCH7("port numerics when Torch7 is asked"),
    /**
     * The per-channel statistics of features rounded to bfloat16 first, as a bf16 backend that lets its reduced
     * precision leak out of the convolutions would compute them.
     */
    STATISTICS_IN_BF16("statistics in bfloat16");

    private final String label;

    Mistake(String label) {
        this.label = label;
    }

    String label() {
        return label;
    }
}
