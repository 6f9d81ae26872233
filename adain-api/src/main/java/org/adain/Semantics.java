package org.adain;

/**
 * Which published implementation's numerics the library reproduces (SEMANTICS.md §10). The two differ in small
 * ways that show on small feature maps, in flat regions and in 8-bit output; which one to match is the user's
 * choice, and it never changes by itself (not even for the authors' {@code .t7} weights).
 *
 * <pre>{@code
 * StyleTransfer st = StyleTransfer.builder().encoder(Path.of("vgg_normalised.t7"))
 *         .decoder(Path.of("decoder.t7")).semantics(Semantics.TORCH7).build();
 * }</pre>
 *
 * <table>
 * <caption>What changes with the semantics</caption>
 * <tr><th>point</th><th>{@link #PYTORCH_PORT}</th><th>{@link #TORCH7}</th></tr>
 * <tr><td>AdaIN content std</td><td>sqrt(unbiased var + 1e-5)</td><td>sqrt(biased var + 1e-5)</td></tr>
 * <tr><td>AdaIN style std</td><td>sqrt(unbiased var + 1e-5)</td><td>sqrt(biased var), no eps</td></tr>
 * <tr><td>1×1 feature maps</td><td>rejected (the port gives NaN)</td><td>allowed: the output is the style
 *     mean</td></tr>
 * <tr><td>resize with crop</td><td>shorter side to size (PIL bilinear), then centre crop (round-half-even
 *     offsets)</td><td>centre square first (floor offsets), then torch/image bilinear (linear when enlarging,
 *     box average when shrinking)</td></tr>
 * <tr><td>8-bit output</td><td>round half up</td><td>floor (truncation of clamp(x)·255)</td></tr>
 * <tr><td>training style loss</td><td>mean over N·C of squared mean and std differences, std of both sides
 *     sqrt(unbiased var + 1e-5)</td><td>sum over C divided by N; output std sqrt(biased var + 1e-6), style
 *     std sqrt(biased var)</td></tr>
 * <tr><td>Adam epsilon</td><td>after the bias correction (PyTorch)</td><td>before it (torch7 optim)</td></tr>
 * <tr><td>training images</td><td>512×512 (aspect not kept), random 256 crop</td><td>shorter side 512 with
 *     torch/image bilinear, random 256 crop</td></tr>
 * </table>
 * Both force images to 3 channels when they are read (grey is repeated, alpha is dropped, not composited), as
 * Torch7's {@code image.load(path, 3)} does.
 */
public enum Semantics {
    /**
     * The PyTorch port (naoto0804/pytorch-AdaIN), which the released {@code .pth} weights come with. The default.
     */
    PYTORCH_PORT,
    /** The authors' Torch7 code (xunhuang1995/AdaIN-style), which made the paper's figures. */
    TORCH7;

    /**
     * The name the CLI takes ({@code --semantics port|torch7}).
     *
     * @return {@code "port"} or {@code "torch7"}
     */
    public String cliName() {
        return this == PYTORCH_PORT ? "port" : "torch7";
    }

    /**
     * The semantics of a CLI name.
     *
     * @param name {@code "port"} or {@code "torch7"} (any case)
     * @return the semantics
     * @throws InvalidRequestException another name, naming the accepted ones
     */
    public static Semantics ofCliName(String name) {
        for (Semantics s : values()) {
            if (s.cliName().equalsIgnoreCase(name == null ? "" : name.trim())) {
                return s;
            }
        }
        throw new InvalidRequestException("Unknown semantics '" + name + "': use port or torch7");
    }
}
