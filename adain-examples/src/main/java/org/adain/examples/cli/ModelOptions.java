package org.adain.examples.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.adain.InvalidRequestException;
import org.adain.ModelStore;
import org.adain.StyleTransfer;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.TypeConversionException;

/**
 * The options that make a {@link StyleTransfer}: weights (given, or the fetched pretrained models), backend and
 * the memory limits. Shared by {@code adain stylize} and {@code adain batch} as a picocli mixin, so both spell,
 * default and check them alike.
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

    @Option(names = "--max-pixels", paramLabel = "N", defaultValue = "" + StyleTransfer.DEFAULT_MAX_PIXELS,
            description = "Refuse any image with more than N pixels after resizing (protects memory). "
                    + "Default: ${DEFAULT-VALUE} (2048×2048).")
    long maxPixels;

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

    /** Values picocli cannot check by type alone, named after the option. */
    void check(CommandSpec spec) {
        long minPixels = (long) StyleTransfer.MIN_SIDE * StyleTransfer.MIN_SIDE;
        if (maxPixels < minPixels) {
            throw new ParameterException(spec.commandLine(), "--max-pixels must be at least " + minPixels + ", got "
                    + maxPixels);
        }
    }

    /**
     * Without --encoder and --decoder, the verified models of the store ({@link ModelStore#pretrained()}); its error
     * says how to fetch them. Never downloads.
     */
    void usePretrainedUnlessGiven(CommandSpec spec) {
        if (encoder != null || decoder != null) {
            if (encoder == null || decoder == null) {
                throw new ParameterException(spec.commandLine(), "Give both --encoder and --decoder, or neither to "
                        + "use the models 'adain models fetch' downloaded");
            }
            if (modelsDir != null) {
                throw new ParameterException(spec.commandLine(), "--models-dir is where the fetched models are; it "
                        + "cannot be combined with --encoder/--decoder");
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
    StyleTransfer build(CommandSpec spec) {
        StyleTransfer.Builder builder = StyleTransfer.builder().encoder(encoder).decoder(decoder)
                .maxPixels(maxPixels).tilingThreshold(tilingThreshold).tileSize(tileSize);
        if (backend != null) {
            builder.backend(backend);
        }
        try {
            return builder.build();
        } catch (InvalidRequestException e) {
            // The defaults are the API's own and valid, so the culprit is among the options typed; its message
            // says which of them when both were.
            ParseResult typed = spec.commandLine().getParseResult();
            List<String> given = new ArrayList<>();
            if (typed.hasMatchedOption("--tiling-threshold")) {
                given.add("--tiling-threshold " + tilingThreshold);
            }
            if (typed.hasMatchedOption("--tile-size")) {
                given.add("--tile-size " + tileSize);
            }
            throw new ParameterException(spec.commandLine(),
                    (given.isEmpty() ? "" : String.join(", ", given) + ": ") + e.getMessage());
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
