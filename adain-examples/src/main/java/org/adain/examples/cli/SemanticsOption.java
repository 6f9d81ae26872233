package org.adain.examples.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import org.adain.Semantics;
import org.adain.format.Torch7WeightsReader;
import org.adain.format.WeightFormats;
import picocli.CommandLine.Option;

/**
 * {@code --semantics port|torch7} of {@code stylize} and {@code train}, and the one-line notice for Torch7
 * weights: the CLI says which numerics are in force and how to switch, and never switches by itself.
 */
final class SemanticsOption {
    @Option(names = "--semantics", paramLabel = "port|torch7", defaultValue = "port",
            converter = Converter.class,
            description = "Whose numerics to reproduce: port (the PyTorch port, which the released .pth weights come "
                    + "with) or torch7 (the authors' Torch7 code: its AdaIN statistics, crop before resize with "
                    + "torch/image's bilinear filter, 8-bit output by floor; in training its style loss and Adam). "
                    + "The weights' format never chooses it. Default: ${DEFAULT-VALUE}.")
    Semantics semantics = Semantics.PYTORCH_PORT;

    /** Picocli's converter: the CLI names of {@link Semantics}. */
    static final class Converter implements picocli.CommandLine.ITypeConverter<Semantics> {
        @Override
        public Semantics convert(String value) {
            try {
                return Semantics.ofCliName(value);
            } catch (org.adain.InvalidRequestException e) {
                throw new picocli.CommandLine.TypeConversionException("'" + value + "' is not port or torch7");
            }
        }
    }

    /**
     * Prints one line on {@code err} when any of the files is Torch7 weights (told by content, as the library reads
     * them): the semantics in force and the option that switches.
     *
     * @param files the weight files of the run; null entries are skipped
     */
    void noticeForTorch7Weights(PrintWriter err, Path... files) {
        for (Path f : files) {
            if (f != null && isTorch7(f)) {
                err.println(notice(f, semantics));
                err.flush();
                return;
            }
        }
    }

    /** The notice for Torch7 weights {@code file} under {@code s}. */
    static String notice(Path file, Semantics s) {
        String name = file.getFileName() == null ? file.toString() : file.getFileName().toString();
        return s == Semantics.TORCH7
                ? "adain: " + name + " is a Torch7 model; computing with Torch7 semantics (--semantics torch7); "
                        + "--semantics port for the PyTorch port's numerics"
                : "adain: " + name + " is a Torch7 model; computing with PyTorch-port semantics (the default); add "
                        + "--semantics torch7 to reproduce the authors' Torch7 results";
    }

    private static boolean isTorch7(Path file) {
        try {
            return WeightFormats.readerFor(file, null, SemanticsOption.class.getClassLoader())
                    instanceof Torch7WeightsReader;
        } catch (RuntimeException e) {
            return false; // unreadable: loading the weights reports it properly
        }
    }
}
