package org.adain.spark;

import java.util.Locale;
import org.adain.BatchLayout;
import org.apache.spark.sql.SparkSession;

/**
 * The {@code spark-submit} entry point of {@link SparkBatch}, with {@code adain batch}'s options:
 *
 * <pre>{@code
 * spark-submit --class org.adain.spark.SparkBatchMain --files vgg_normalised.h5,decoder.h5 adain-spark-job.jar \
 *     --encoder vgg_normalised.h5 --decoder decoder.h5 \
 *     --content hdfs:///photos --style night=hdfs:///art/starry.jpg --output hdfs:///styled
 * }</pre>
 *
 * Exit code 0 when every content is done, 4 when some failed (listed in {@code OUTPUT/failures.csv}), 2 for a bad
 * command line; other errors propagate (Spark reports them).
 */
public final class SparkBatchMain {
    /** As {@code adain batch}: the job finished, but some contents failed. */
    public static final int EXIT_SOME_FAILED = 4;
    /** A bad command line. */
    public static final int EXIT_USAGE = 2;

    private SparkBatchMain() {
    }

    /**
     * Parses the options, runs the job in the session spark-submit made, prints the counts and exits.
     *
     * @param args the options, as printed on a bad command line
     */
    public static void main(String[] args) {
        SparkBatch job;
        try {
            job = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("adain-spark: error: " + e.getMessage());
            System.err.println(USAGE);
            System.exit(EXIT_USAGE);
            return;
        }
        SparkSession spark = SparkSession.builder().appName("adain batch").getOrCreate();
        int code;
        try {
            SparkBatch.Result r = job.run(spark);
            System.out.println(summary(r));
            code = r.failed() > 0 ? EXIT_SOME_FAILED : 0;
        } finally {
            spark.stop();
        }
        System.exit(code);
    }

    /** The summary line, as {@code adain batch} prints it. */
    static String summary(SparkBatch.Result r) {
        return String.format(Locale.ROOT, "%d stylized, %d skipped (done before), %d failed%s", r.stylized(),
                r.skipped(), r.failed(), r.failures() != null ? " (see " + r.failures() + ")" : "");
    }

    /** The options. */
    static final String USAGE = String.join("\n",
            "Usage: SparkBatchMain --encoder FILE --decoder FILE [--content PATH]... [--list FILE]...",
            "         --style [NAME=]IMAGE[:W][,IMAGE[:W]...]... --output DIR [--alpha A] [--preserve-color]",
            "         [--content-size N] [--style-size N] [--crop] [--max-pixels N]",
            "         [--tiling-threshold PIXELS|off] [--tile-size N] [--partitions N]",
            "Paths are Hadoop paths (hdfs://, s3a://, file:/, ...); weight files may also be names of files",
            "shipped with spark-submit --files. As 'adain batch --help' describes, outputs go to",
            "DIR/<relative path>/<name>__<style>.<ext> and failures to DIR/failures.csv.");

    static SparkBatch parse(String[] args) {
        SparkBatch.Builder b = SparkBatch.builder();
        for (int i = 0; i < args.length; i++) {
            String opt = args[i];
            if (opt.equals("--crop")) {
                b.crop(true);
                continue;
            }
            if (opt.equals("--preserve-color")) {
                b.preserveColor(true);
                continue;
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(opt.startsWith("--") ? opt + " needs a value" : "Unknown "
                        + "argument '" + opt + "'");
            }
            String v = args[++i];
            switch (opt) {
                case "--encoder" -> b.encoder(v);
                case "--decoder" -> b.decoder(v);
                case "--content" -> b.content(v);
                case "--list" -> b.list(v);
                case "--style" -> b.style(style(v));
                case "--output", "-o" -> b.output(v);
                case "--alpha" -> b.alpha(number(opt, v));
                case "--content-size" -> b.contentSize((int) integer(opt, v));
                case "--style-size" -> b.styleSize((int) integer(opt, v));
                case "--max-pixels" -> b.maxPixels(integer(opt, v));
                case "--tiling-threshold" -> b.tilingThreshold(v.equalsIgnoreCase("off") ? Long.MAX_VALUE
                        : integer(opt, v));
                case "--tile-size" -> b.tileSize((int) integer(opt, v));
                case "--partitions" -> b.partitions((int) integer(opt, v));
                default -> throw new IllegalArgumentException("Unknown option '" + opt + "'");
            }
        }
        return b.build();
    }

    /** {@code [NAME=]IMAGE[:WEIGHT][,IMAGE[:WEIGHT]...]}, as adain batch's --style ({@link BatchLayout#parseStyle}). */
    static SparkBatch.Style style(String value) {
        BatchLayout.StyleSpec spec;
        try {
            spec = BatchLayout.parseStyle(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--style " + e.getMessage(), e);
        }
        return new SparkBatch.Style(spec.name(), spec.images(), spec.weights());
    }

    private static double number(String opt, String v) {
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(opt + ": '" + v + "' is not a number");
        }
    }

    private static long integer(String opt, String v) {
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(opt + ": '" + v + "' is not a whole number");
        }
    }
}
