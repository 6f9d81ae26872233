package org.adain;

/**
 * The arithmetic a backend runs the encoder and decoder in. The weights are converted once, when the model is
 * loaded; the parts that decide the style (the per-channel statistics, AdaIN, CORAL colour preservation) and the
 * conversion of the output to 8 bits stay in float32 whatever the precision. {@link #FLOAT32} is the default, and
 * nothing chooses another precision by itself.
 *
 * <pre>{@code
 * StyleTransfer st = StyleTransfer.builder().encoder(enc).decoder(dec)
 *         .backend("dl4j").precision(Precision.BF16).build();
 * }</pre>
 *
 * <p>A backend that does not implement a precision refuses it when the model is built
 * ({@link org.adain.spi.BackendProvider#load(org.adain.spi.EncoderWeights, org.adain.spi.DecoderWeights, Precision)});
 * {@code adain-dl4j} is the one backend to implement {@link #BF16}; the others run {@link #FLOAT32} only.
 */
public enum Precision {
    /** IEEE float32 throughout: the reference numerics, which the conformance kit's float32 tolerances check. */
    FLOAT32,
    /**
     * bfloat16 convolutions with float32 accumulation: the convolution weights and inputs are rounded to bfloat16
     * (float32's 8-bit exponent, 8 significant bits), the sums and biases stay float32. The statistics, AdaIN, CORAL
     * and the 8-bit output are computed in float32. Worth it on a CPU that multiplies bfloat16 natively (x86-64 with
     * avx512_bf16 or AMX), where a convolution runs about twice as fast (one convolution's error was about 0.5 % of
     * its largest output in the project's bf16 probe). Not bit-exact: the target is an image within 3 levels of
     * {@link #FLOAT32}'s, 0.3 on average, which {@code org.adain.examples.bench.PrecisionQuality} measures for a
     * backend, weights and images.
     */
    BF16;

    /**
     * The name the CLI takes ({@code --precision float32|bf16}).
     *
     * @return {@code "float32"} or {@code "bf16"}
     */
    public String cliName() {
        return this == FLOAT32 ? "float32" : "bf16";
    }

    /**
     * The precision of a CLI name.
     *
     * @param name {@code "float32"} or {@code "bf16"} (any case)
     * @return the precision
     * @throws InvalidRequestException another name, naming the accepted ones
     */
    public static Precision ofCliName(String name) {
        for (Precision p : values()) {
            if (p.cliName().equalsIgnoreCase(name == null ? "" : name.trim())) {
                return p;
            }
        }
        throw new InvalidRequestException("Unknown precision '" + name + "': use float32 or bf16");
    }
}
