package org.adain.examples.bench;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.adain.AdainException;
import org.adain.Images;
import org.adain.Precision;
import org.adain.StyleRequest;
import org.adain.StyleTransfer;

/**
 * How much a reduced precision changes the output: loads the same weights on the same backend at float32 and at
 * {@code --precision}, stylises every content with every style of an image directory with both, and prints per pair
 * and overall the largest and mean 8-bit level difference and the PSNR ({@link LevelDifference}), and whether the
 * bar of issue 13 holds (at most {@value LevelDifference#BAR_MAX_LEVELS} levels, mean at most
 * {@value LevelDifference#BAR_MEAN_LEVELS}). Quality only: it times nothing.
 *
 * <pre>{@code
 * java -cp adain-examples/target/adain.jar org.adain.examples.bench.PrecisionQuality \
 *     --encoder /tmp/adain-bench/encoder_tf2.h5 --decoder /tmp/adain-bench/decoder_tf2.h5 \
 *     --images ../shared/images --size 512 --precision bf16 --backend dl4j
 * }</pre>
 *
 * {@code --images DIR} holds {@code content/} and {@code style/} (every regular file not starting with a dot in
 * each, in name order); contents and styles are resized to {@code --size} on the shorter side (default 512).
 * Without {@code --backend} the backend is the one {@link StyleTransfer} chooses. {@code --precision float32}
 * compares float32 with itself: a check of the tool and of the backend's determinism (expect 0 levels).
 *
 * <p>Output: {@code quality.info}, one {@code quality.pair} line per pair and a {@code quality.result} line.
 * Exit code 0 when the bar holds overall, 1 when it does not, 2 for bad arguments, 3 when the weights, images or
 * backend fail (e.g. a backend that does not implement the precision: its message is printed).
 */
public final class PrecisionQuality {
    private static final String USAGE = "usage: PrecisionQuality --encoder FILE --decoder FILE --images DIR "
            + "[--size N] [--precision float32|bf16] [--backend NAME]";

    private PrecisionQuality() {
    }

    /**
     * Runs the comparison and exits with its code.
     *
     * @param args as in the class description
     */
    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /**
     * The comparison, printing to {@code out} and {@code err}.
     *
     * @param args as in the class description
     * @param out  where the records go
     * @param err  where errors go
     * @return the exit code: 0 bar met, 1 missed, 2 bad arguments, 3 a failure of the weights, images or backend
     */
    static int run(String[] args, PrintStream out, PrintStream err) {
        Path encoder = null;
        Path decoder = null;
        Path images = null;
        int size = 512;
        Precision precision = Precision.BF16;
        String backend = null;
        try {
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "--encoder" -> encoder = Path.of(Args.value(args, ++i, a));
                    case "--decoder" -> decoder = Path.of(Args.value(args, ++i, a));
                    case "--images" -> images = Path.of(Args.value(args, ++i, a));
                    case "--size" -> size = Args.intValue(args, ++i, a, StyleTransfer.MIN_SIDE);
                    case "--precision" -> precision = Args.precision(args, ++i, a);
                    case "--backend" -> backend = Args.value(args, ++i, a);
                    default -> throw new IllegalArgumentException("unknown argument " + a);
                }
            }
            if (encoder == null || decoder == null || images == null) {
                throw new IllegalArgumentException("--encoder, --decoder and --images are required");
            }
        } catch (IllegalArgumentException e) {
            err.println("PrecisionQuality: " + e.getMessage());
            err.println(USAGE);
            return 2;
        }
        try {
            List<Path> contents = files(images.resolve("content"));
            List<Path> styles = files(images.resolve("style"));
            // the reduced precision first: a backend that refuses it says so before the float32 load
            try (StyleTransfer reduced = load(encoder, decoder, backend, precision);
                    StyleTransfer float32 = load(encoder, decoder, reduced.backendName(), Precision.FLOAT32)) {
                out.println("quality.info backend=" + reduced.backendName() + " precision=" + precision.cliName()
                        + " size=" + size + " contents=" + contents.size() + " styles=" + styles.size());
                out.println("quality.info reduced: " + reduced.describe());
                out.println("quality.info float32: " + float32.describe());
                LevelDifference all = LevelDifference.NONE;
                for (Path c : contents) {
                    BufferedImage content = Images.read(c);
                    for (Path s : styles) {
                        StyleRequest request = StyleRequest.builder().content(content).style(Images.read(s))
                                .contentSize(size).styleSize(size).build();
                        LevelDifference d = LevelDifference.of(float32.stylize(request), reduced.stylize(request));
                        all = all.plus(d);
                        out.println("quality.pair content=" + c.getFileName() + " style=" + s.getFileName() + " "
                                + d);
                    }
                }
                out.println("quality.result backend=" + reduced.backendName() + " precision=" + precision.cliName()
                        + " pairs=" + contents.size() * styles.size() + " " + all + " (bar: max <= "
                        + LevelDifference.BAR_MAX_LEVELS + " levels, mean <= " + LevelDifference.BAR_MEAN_LEVELS + ")");
                return all.meetsBar() ? 0 : 1;
            }
        } catch (AdainException | IOException e) {
            err.println("PrecisionQuality: " + e.getMessage());
            return 3;
        }
    }

    private static StyleTransfer load(Path encoder, Path decoder, String backend, Precision precision) {
        StyleTransfer.Builder b = StyleTransfer.builder().encoder(encoder).decoder(decoder).precision(precision);
        if (backend != null) {
            b.backend(backend);
        }
        return b.build();
    }

    /** The regular files of a directory not starting with a dot, in name order; at least one. */
    private static List<Path> files(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IOException("No directory " + dir + " (--images DIR must hold content/ and style/)");
        }
        List<Path> found;
        try (Stream<Path> s = Files.list(dir)) {
            found = s.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().startsWith("."))
                    .sorted().toList();
        }
        if (found.isEmpty()) {
            throw new IOException("No image in " + dir);
        }
        return found;
    }
}
