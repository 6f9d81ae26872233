package org.adain.spi;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A loaded encoder/decoder pair in a backend: the work a backend does. The API calls it from one thread at
 * a time per model unless {@link Capability#THREAD_SAFE} is declared; it does all pre- and post-processing
 * (resizing, colour preservation, mask resizing, cropping, 8-bit conversion) itself.
 *
 * <p>Images are {@code N×3×H×W} RGB in [0, 1], any H, W ≥ 9. Outputs are not clamped.
 */
public interface StyleModel extends AutoCloseable {

    /**
     * What this backend can do beyond inference. An inference-only backend declares none of them and implements
     * only the abstract methods; the conformance kit skips the groups of what it does not declare, with the reason.
     */
    enum Capability {
        /** Calls from several threads need no outside lock. */
        THREAD_SAFE,
        /**
         * Decoder training: {@link BackendProvider#train} (loss gradients and an optimiser). Implies {@link #LOSSES},
         * which a training backend declares too: training minimises exactly those terms, and the conformance kit
         * checks the trained weights through {@link StyleModel#losses}.
         */
        TRAINING,
        /**
         * {@link StyleModel#losses} is implemented: the training objective's terms by forward passes alone (to
         * evaluate a decoder, or to check a training backend). Without it, {@code losses} keeps its default, which
         * throws.
         */
        LOSSES,
        /**
         * The authors' Torch7 numerics ({@link org.adain.Semantics#TORCH7}): {@link StyleModel#transfer} honours
         * {@link TransferPlan#semantics()}, {@link StyleModel#std(Tensor, org.adain.Semantics)} and (with
         * {@link #LOSSES}) {@link StyleModel#losses(Tensor, Tensor, org.adain.Semantics)} take Torch7 semantics, and
         * (with {@link #TRAINING}) training honours {@link TrainingConfig#semantics()}. Without it,
         * {@code StyleTransfer.builder().semantics(TORCH7)} refuses the backend and the conformance kit skips its
         * Torch7 group.
         */
        TORCH7_SEMANTICS
    }

    /**
     * What this backend can do beyond inference.
     *
     * @return the capabilities declared, empty for an inference-only backend
     */
    Set<Capability> capabilities();

    /**
     * Encodes images to relu4_1 features, kept in the backend for {@link #transfer} and {@link #decode}.
     *
     * @param images {@code N×3×H×W} RGB in [0, 1], N ≥ 1, H and W ≥ 9
     * @return the relu4_1 map, {@code N×C×h×w} with C = {@link EncoderWeights#featureChannels()}, h = ⌈H/8⌉ and
     *         w = ⌈W/8⌉ (ceil-mode pooling, or the padding to a multiple of 8 of the Keras-applications encoder);
     *         the caller closes it
     * @throws org.adain.InvalidRequestException the tensor is not such a batch (the message names its shape)
     */
    FeatureMap encode(Tensor images);

    /**
     * The check of {@link #encode}'s contract on its input, for backends to call first, so every backend refuses a
     * bad batch with the same message.
     *
     * <pre>{@code
     * public FeatureMap encode(Tensor images) {
     *     StyleModel.checkImages(images);
     *     ...
     * }
     * }</pre>
     *
     * @param images the tensor a caller passed as images
     * @throws org.adain.InvalidRequestException it is not {@code N×3×H×W} with N ≥ 1 and H, W ≥ 9 (the message names
     *                                           its shape)
     * @throws NullPointerException              {@code images} is null
     */
    static void checkImages(Tensor images) {
        checkImages(images, "Images");
    }

    /**
     * {@link #checkImages(Tensor)} for a batch with another role, e.g. a training batch's contents; the messages
     * start with the role instead of "Images".
     *
     * <pre>{@code
     * StyleModel.checkImages(contents, "Training contents");   // "Training contents must have 3 (RGB) channels, ..."
     * }</pre>
     *
     * @param images the tensor a caller passed
     * @param role   what it is, capitalised, as the messages' subject
     * @throws org.adain.InvalidRequestException it is not {@code N×3×H×W} with N ≥ 1 and H, W ≥ 9 (the message names
     *                                           the role and its shape)
     * @throws NullPointerException              {@code images} is null
     */
    static void checkImages(Tensor images, String role) {
        Objects.requireNonNull(images, role);
        int[] s = images.shape();
        String shape = Arrays.toString(s);
        if (s.length != 4) {
            throw new org.adain.InvalidRequestException(role + " must be N×3×H×W (rank 4), got shape " + shape);
        }
        if (s[1] != 3) {
            throw new org.adain.InvalidRequestException(role + " must have 3 (RGB) channels, got shape " + shape);
        }
        if (s[0] < 1) {
            throw new org.adain.InvalidRequestException(role + ": the batch is empty, shape " + shape);
        }
        if (s[2] < 9 || s[3] < 9) {
            throw new org.adain.InvalidRequestException(role + " must be at least 9×9 pixels, got shape " + shape);
        }
    }

    /**
     * The four feature taps of the images, for checks and losses.
     *
     * @param images {@code N×3×H×W} RGB in [0, 1], N ≥ 1, H and W ≥ 9
     * @return four heap tensors, relu1_1, relu2_1, relu3_1 and relu4_1 in that order (see
     *         {@link EncoderWeights#TAP_NAMES}), each {@code N×C_i×h_i×w_i}
     * @throws org.adain.InvalidRequestException the tensor is not such a batch (the message names its shape)
     */
    List<Tensor> encodeLayers(Tensor images);

    /**
     * The target features of {@link TransferPlan}. A plan the backend cannot compute (a content or style map with a
     * single position, which has no unbiased std; channels that differ between content and styles; a region map of
     * the wrong length) throws {@link org.adain.InvalidRequestException} naming the shape, never NaN features.
     *
     * @param plan the content and style features (made by this model) with the weights, alpha and regions
     * @return the target features, the content's shape; the caller closes it, the plan's maps stay open
     * @throws org.adain.InvalidRequestException the plan cannot be computed, as above
     */
    FeatureMap transfer(TransferPlan plan);

    /**
     * Decodes features to an image of {@code 8h×8w} (not cropped, not clamped). For the Keras-applications
     * encoder the API crops the reflection padding the backend added.
     *
     * @param features an {@code N×C×h×w} map made by this model, C the decoder's input channels; it stays open
     * @return the decoded images, {@code N×3×8h×8w}, values not clamped to [0, 1]
     */
    Tensor decode(FeatureMap features);

    /**
     * Moves heap features into the backend, e.g. to decode features a caller computed or to run AdaIN on given
     * statistics.
     *
     * @param features any {@code N×C×h×w} map with N, h, w ≥ 1 and C the model's feature channels
     *                 ({@link EncoderWeights#featureChannels()})
     * @return a handle to a copy in the backend's memory; the caller closes it
     * @throws org.adain.InvalidRequestException the tensor is not rank 4, is empty, or has other channels (the
     *                                           message names the shape)
     */
    FeatureMap upload(Tensor features);

    /**
     * Per sample and channel, the mean over H×W of {@code N×C×H×W} values.
     *
     * @param features any {@code N×C×H×W} values, e.g. a tap from {@link #encodeLayers}
     * @return the means, shape {@code N×C×1×1}
     * @throws org.adain.InvalidRequestException the tensor is not rank 4
     */
    Tensor mean(Tensor features);

    /**
     * Per sample and channel, {@code sqrt(unbiased variance over H×W + 1e-5)}: shape {@code N×C×1×1}. A map with a
     * single position has no unbiased variance: throw {@link org.adain.InvalidRequestException} naming the shape
     * (never return NaN).
     *
     * @param features any {@code N×C×H×W} values with H·W ≥ 2
     * @return the standard deviations, shape {@code N×C×1×1}; a constant channel gives {@code sqrt(1e-5)}
     * @throws org.adain.InvalidRequestException the tensor is not rank 4, or has a single position
     */
    Tensor std(Tensor features);

    /**
     * The per-channel std of a semantics: {@link org.adain.Semantics#PYTORCH_PORT} is {@link #std(Tensor)};
     * {@link org.adain.Semantics#TORCH7} is the style-side statistic of the authors' AdaIN and style loss,
     * {@code sqrt(biased variance over H×W)} without eps (0 for a constant channel, defined for a single position).
     * The default handles the port and throws for Torch7; a backend declaring
     * {@link Capability#TORCH7_SEMANTICS} overrides it.
     *
     * @param features  any {@code N×C×H×W} values (H·W ≥ 2 for the port)
     * @param semantics whose statistic
     * @return the standard deviations, shape {@code N×C×1×1}
     * @throws org.adain.InvalidRequestException the tensor is not rank 4, or (port) has a single position
     * @throws org.adain.BackendException        Torch7 semantics on a backend that does not implement them
     */
    default Tensor std(Tensor features, org.adain.Semantics semantics) {
        if (semantics == org.adain.Semantics.PYTORCH_PORT) {
            return std(features);
        }
        throw noTorch7("the Torch7 std");
    }

    /**
     * The training objective's terms under a semantics ({@link LossTerms}): {@link org.adain.Semantics#PYTORCH_PORT}
     * is {@link #losses(Tensor, Tensor)}; {@link org.adain.Semantics#TORCH7} uses the Torch7 AdaIN target and the
     * Lua style loss (SEMANTICS §9.2). The default handles the port and throws for Torch7.
     *
     * @param contents  the content images
     * @param styles    the style images, as many as contents
     * @param semantics whose losses
     * @return the loss terms of the batch
     * @throws org.adain.BackendException the backend does not compute losses, or not under Torch7 semantics
     */
    default LossTerms losses(Tensor contents, Tensor styles, org.adain.Semantics semantics) {
        if (semantics == org.adain.Semantics.PYTORCH_PORT) {
            return losses(contents, styles);
        }
        throw noTorch7("Torch7 training losses");
    }

    private org.adain.BackendException noTorch7(String what) {
        return new org.adain.BackendException("The backend's model " + getClass().getName() + " (" + describe()
                + ") does not compute " + what + ": it does not declare StyleModel.Capability.TORCH7_SEMANTICS");
    }

    /**
     * Colour preservation (SEMANTICS §5.3): {@code source} ({@code 1×3×H×W}, the style) recoloured to the mean and
     * covariance of {@code target} (the content). The default is the API's double-precision
     * {@link org.adain.ColorTransfer#coral}; a backend may compute it itself.
     *
     * @param source the style image, {@code 1×3×H×W} RGB in [0, 1]
     * @param target the content image whose colours are kept, {@code 1×3×H'×W'} RGB in [0, 1]
     * @return {@code source} recoloured, its own shape, values not clamped
     * @throws org.adain.InvalidRequestException either image has fewer than two pixels or a constant colour
     *                                           channel (its covariance is undefined)
     */
    default Tensor coral(Tensor source, Tensor target) {
        return org.adain.ColorTransfer.coral(org.adain.ImageTensor.fromTensor(source),
                org.adain.ImageTensor.fromTensor(target)).toTensor();
    }

    /**
     * The training objective's terms ({@link LossTerms}) for a batch of pairs: {@code N×3×H×W} contents and
     * {@code N×3×H'×W'} styles in [0, 1], sample k paired with sample k. Forward passes only. Backends that declare
     * {@link Capability#LOSSES} implement it; the default, for inference-only backends, throws.
     *
     * @param contents the content images
     * @param styles   the style images, as many as contents
     * @return the loss terms of the batch
     * @throws org.adain.BackendException always, unless the backend implements it (and declares
     *                                    {@link Capability#LOSSES})
     */
    default LossTerms losses(Tensor contents, Tensor styles) {
        throw new org.adain.BackendException("The backend's model " + getClass().getName() + " (" + describe()
                + ") does not compute training losses: it does not declare StyleModel.Capability.LOSSES");
    }

    /**
     * The arithmetic this model's encoder and decoder actually run in, as loaded by
     * {@link BackendProvider#load(EncoderWeights, DecoderWeights, org.adain.Precision)}.
     * {@code StyleTransfer.builder().build()} checks it equals the precision asked for, and the conformance kit
     * checks it too. A backend with a reduced precision overrides it.
     *
     * @return {@link org.adain.Precision#FLOAT32} in this default
     */
    default org.adain.Precision precision() {
        return org.adain.Precision.FLOAT32;
    }

    /**
     * Describes this model for diagnostics and error messages ({@code StyleTransfer.describe()} returns it).
     *
     * @return one line: backend, device, native library, threads, and the encoder kind where useful
     */
    String describe();

    /**
     * Frees memory the backend keeps between calls to run faster (buffer pools, caches); the model stays usable and
     * refills them as it runs. The default keeps nothing, so it does nothing.
     */
    default void trimMemory() {
    }

    /** Frees the model's native memory. Idempotent. */
    @Override
    void close();
}
