package org.adain.spi;

/**
 * Which VGG-19 variant an encoder file holds. Each implies its own padding, pooling and preprocessing;
 * a backend must honour them exactly.
 */
public enum EncoderKind {
    /**
     * The AdaIN authors' "normalised" VGG-19 ({@code vgg_normalised}): a leading 1×1 conv 3→3 that does the
     * preprocessing with its own weights, reflection padding of 1 before every 3×3 conv, 2×2/2 max-pooling in
     * ceil mode. Input RGB in [0, 1].
     */
    NORMALISED_VGG19,
    /**
     * The Keras-applications VGG-19 ("notop" ImageNet weights): zero padding of 1 ('same'), 2×2/2 max-pooling
     * that floors, and Caffe preprocessing done in code (RGB [0,1] → BGR ×255 minus the ImageNet mean). To keep
     * every side, the backend reflection-pads each input at the bottom/right to a multiple of 8 first.
     */
    KERAS_APPLICATIONS_VGG19;

    /** The Caffe/ImageNet BGR mean the Keras-applications flavour subtracts, in B, G, R order. */
    public static final float[] CAFFE_BGR_MEAN = {103.939f, 116.779f, 123.68f};
}
