package org.adain.examples.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.adain.InvalidRequestException;
import org.adain.format.WeightConversion;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code adain convert IN OUT}: converts an encoder or decoder weight file to another format, e.g. the published
 * {@code vgg_normalised.pth} / {@code decoder.t7} to Keras HDF5. The input format is told by content, the output
 * format by OUT's extension; encoder or decoder is found by reading the file.
 */
@Command(name = "convert", mixinStandardHelpOptions = true, versionProvider = AdainCli.Version.class,
        description = {"Convert an encoder or decoder weight file to another format.", "",
                "Reads every format stylize reads: Keras HDF5 (.h5), PyTorch state dicts (.pth, zip or legacy "
                        + "container, float32/16/64), Torch7 (.t7), told by content, and adain's SameDiff decoders "
                        + "(.fb). Writes Keras HDF5 (OUT ending in .h5 or .hdf5) that stylize and Keras read back, "
                        + "or, for a decoder, DL4J's native SameDiff graph (OUT ending in .fb). Whether IN is an "
                        + "encoder or a decoder is found by reading it."},
        footer = {"",
                "OUT is written to a temporary file and renamed when complete: an existing",
                "OUT is replaced only by a finished conversion. OUT may not be IN.",
                "Prints one summary line to stdout.",
                "",
                "Examples:",
                "  adain convert vgg_normalised.pth vgg_normalised.h5",
                "  adain convert decoder.t7 decoder.h5",
                "  adain convert decoder.pth decoder.fb"})
final class ConvertCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "IN", description = "The weight file to convert (.pth, .t7, .h5, .fb).")
    Path in;

    @Parameters(index = "1", paramLabel = "OUT", description = "The file to write; its extension picks the format: "
            + "Keras HDF5 for .h5 or .hdf5, a DL4J SameDiff graph (decoders only) for .fb.")
    Path out;

    @Mixin
    DebugOption debug;

    @Override
    public Integer call() {
        String summary;
        try {
            summary = WeightConversion.convert(in, out);
        } catch (InvalidRequestException e) {
            // output is the input, a directory, in a missing directory, or of an unwritable format: the command line
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        PrintWriter o = spec.commandLine().getOut();
        o.println(summary);
        o.flush();
        return AdainCli.EXIT_OK;
    }
}
