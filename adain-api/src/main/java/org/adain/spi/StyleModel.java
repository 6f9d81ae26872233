package org.adain.spi;

import java.util.List;
import java.util.Set;

/**
 * A loaded encoder/decoder pair in a backend: the work a backend does. The API calls it from one thread at
 * a time per model unless {@link Capability#THREAD_SAFE} is declared; it does all pre- and post-processing
 * (resizing, colour preservation, mask resizing, cropping, 8-bit conversion) itself.
 *
 * <p>Images are {@code N×3×H×W} RGB in [0, 1], any H, W ≥ 9. Outputs are not clamped.
 */
public interface StyleModel extends AutoCloseable {

    /** What this backend can do beyond inference. */
    enum Capability {
        /** Calls from several threads need no outside lock. */
        THREAD_SAFE,
        /** Decoder training (loss gradients and an optimiser). */
        TRAINING
    }

    Set<Capability> capabilities();

    /** Encodes images to relu4_1 features. */
    FeatureMap encode(Tensor images);

    /** relu1_1, relu2_1, relu3_1 and relu4_1 of the images, as heap tensors (for checks and losses). */
    List<Tensor> encodeLayers(Tensor images);

    /** The target features of {@link TransferPlan}. */
    FeatureMap transfer(TransferPlan plan);

    /**
     * Decodes features to an image of {@code 8h×8w} (not cropped, not clamped). For the Keras-applications
     * encoder the API crops the reflection padding the backend added.
     */
    Tensor decode(FeatureMap features);

    /** Moves heap features into the backend, e.g. to decode features a caller computed. */
    FeatureMap upload(Tensor features);

    /** One line for diagnostics: backend, device, native library, threads. */
    String describe();

    /** Frees the model's native memory. Idempotent. */
    @Override
    void close();
}
