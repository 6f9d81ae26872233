package org.adain.examples.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.adain.Images;
import org.adain.InvalidRequestException;
import org.adain.ModelStore;
import org.adain.Precision;
import org.adain.Semantics;
import org.adain.StyleTransfer;
import picocli.CommandLine;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.TypeConversionException;

/**
 * The model options that {@code adain stylize}, {@code adain batch} and {@code adain video} share: the weights (or
 * the fetched pretrained ones), the backend, the precision, the pixel limit and tiling; with their checks and the
 * loading of the model.
 */
final class ModelOptions {
    @Option(names = "--encoder", paramLabel = "FILE",
            description = "Encoder weights: the normalised VGG-19 (or Keras VGG19 notop), e.g. a Keras .h5 file. "
                    + "Default: the pretrained models 'adain models fetch' downloaded.")
    Path encoder;

    @Option(names = "--decoder", paramLabel = "FILE",
            description = "Decoder weights trained for that encoder. Default: as --encoder.")
    Path decoder;

    @Option(names = "--models-dir", paramLabel = "DIR",
            description = "Without --encoder/--decoder: the directory 'adain models fetch --dir' filled. Default: "
                    + "see 'adain models --help'.")
    Path modelsDir;

    @Option(names = "--backend", paramLabel = "NAME",
            description = "Backend to run on, e.g. dl4j. Default: the system property adain.backend, else the "
                    + "best one found ('adain env' lists them).")
    String backend;

    @Option(names = "--precision", paramLabel = "float32|bf16", defaultValue = "float32",
            converter = PrecisionConverter.class,
            description = "Arithmetic of the encoder's and decoder's convolutions: float32, or bf16 (bfloat16 with "
                    + "float32 sums; statistics, AdaIN, colour preservation and the 8-bit output stay float32). "
                    + "bf16 is for the dl4j backend on a CPU with avx512_bf16 or AMX, where the convolutions run "
                    + "about 2x as fast and the output is within a few 8-bit levels of float32's; other backends "
                    + "refuse it. Default: ${DEFAULT-VALUE}.")
    Precision precision = Precision.FLOAT32;

    @Option(names = "--max-pixels", paramLabel = "N", defaultValue = "" + StyleTransfer.DEFAULT_MAX_PIXELS,
            description = "Refuse any image with more than N pixels after resizing (protects memory). "
                    + "Default: ${DEFAULT-VALUE} (2048×2048).")
    long maxPixels;

    @Option(names = "--max-decode-pixels", paramLabel = "N",
            description = "Refuse any image file whose header claims more than N pixels, before decoding it "
                    + "(protects memory and time against small files that claim a huge image). Default: 16 × "
                    + "--max-pixels (8192×8192).")
    Long maxDecodePixels;

    @Option(names = "--tiling-threshold", paramLabel = "PIXELS", converter = TilingThreshold.class,
            defaultValue = "" + StyleTransfer.DEFAULT_TILING_THRESHOLD,
            description = "Encode and decode images (after resizing) of more than PIXELS pixels in overlapping "
                    + "tiles, which bounds memory; the result equals the untiled one up to float rounding. "
                    + "0 tiles every image, 'off' none. Default: ${DEFAULT-VALUE} (1024×1024).")
    long tilingThreshold;

    @Option(names = "--tile-size", paramLabel = "N", defaultValue = "" + StyleTransfer.DEFAULT_TILE_SIZE,
            description = "Side of a tile in pixels, 32-pixel overlaps included: a multiple of 8, at least 80. "
                    + "Larger tiles recompute less overlap but need more memory. Default: ${DEFAULT-VALUE}.")
    int tileSize;

    /** Values picocli cannot check by type alone. */
    void check(CommandLine cl) {
        long minPixels = (long) StyleTransfer.MIN_SIDE * StyleTransfer.MIN_SIDE;
        if (maxPixels < minPixels) {
            throw new ParameterException(cl, "--max-pixels must be at least " + minPixels + ", got " + maxPixels);
        }
        if (maxDecodePixels != null && (maxDecodePixels < 1 || maxDecodePixels > Images.MAX_DECODE_PIXELS)) {
            throw new ParameterException(cl, "--max-decode-pixels must be between 1 and " + Images.MAX_DECODE_PIXELS
                    + ", got " + maxDecodePixels);
        }
    }

    /** The header limit of every image file read: --max-decode-pixels, else 16 × --max-pixels. */
    long decodeLimit() {
        return maxDecodePixels != null ? maxDecodePixels : Images.decodeLimit(maxPixels);
    }

    /**
     * Without --encoder and --decoder, the verified models of the store ({@link ModelStore#pretrained()}); its error
     * says how to fetch them. Never downloads.
     */
    void usePretrainedUnlessGiven(CommandLine cl) {
        if (encoder != null || decoder != null) {
            if (encoder == null || decoder == null) {
                throw new ParameterException(cl, "Give both --encoder and --decoder, or neither to use the models "
                        + "'adain models fetch' downloaded");
            }
            if (modelsDir != null) {
                throw new ParameterException(cl, "--models-dir is where the fetched models are; it cannot be "
                        + "combined with --encoder/--decoder");
            }
            return;
        }
        ModelStore.Pretrained p = ModelsCommand.store(modelsDir).build().pretrained();
        encoder = p.encoder();
        decoder = p.decoder();
    }

    /**
     * Loads the model. The tiling options are checked by {@link StyleTransfer.Builder#build()} alone, which owns
     * their rules and checks settings before it reads any weights; it reports them as InvalidRequestException
     * (weights and backends fail otherwise), and here they are command-line mistakes.
     */
    StyleTransfer load(CommandLine cl) {
        return load(cl, Semantics.PYTORCH_PORT);
    }

    /** Loads the model computing with {@code semantics}; see {@link #load(CommandLine)}. */
    StyleTransfer load(CommandLine cl, Semantics semantics) {
        StyleTransfer.Builder builder = StyleTransfer.builder().encoder(encoder).decoder(decoder)
                .maxPixels(maxPixels).tilingThreshold(tilingThreshold).tileSize(tileSize).semantics(semantics)
                .precision(precision);
        if (backend != null) {
            builder.backend(backend);
        }
        try {
            return builder.build();
        } catch (InvalidRequestException e) {
            // The defaults are the API's own and valid, so the culprit is among the options typed; its message
            // says which of them when both were.
            ParseResult typed = cl.getParseResult();
            List<String> given = new ArrayList<>();
            if (typed.hasMatchedOption("--tiling-threshold")) {
                given.add("--tiling-threshold " + tilingThreshold);
            }
            if (typed.hasMatchedOption("--tile-size")) {
                given.add("--tile-size " + tileSize);
            }
            throw new ParameterException(cl, (given.isEmpty() ? "" : String.join(", ", given) + ": ")
                    + e.getMessage());
        }
    }

    /** Picocli's converter: the CLI names of {@link Precision}, any case. */
    static final class PrecisionConverter implements ITypeConverter<Precision> {
        @Override
        public Precision convert(String value) {
            try {
                return Precision.ofCliName(value);
            } catch (InvalidRequestException e) {
                throw new TypeConversionException("'" + value + "' is not float32 or bf16");
            }
        }
    }

    /**
     * A pixel count, or "off" for {@code Long.MAX_VALUE}, the API's "never tile". The range is left to the API.
     */
    static final class TilingThreshold implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            if (value.equalsIgnoreCase("off")) {
                return Long.MAX_VALUE;
            }
            try {
                return Long.parseLong(value);
            } catch (NumberFormatException e) {
                throw new TypeConversionException("'" + value + "' is neither a number of pixels nor 'off'");
            }
        }
    }
}
