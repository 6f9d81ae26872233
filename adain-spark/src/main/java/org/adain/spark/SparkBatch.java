package org.adain.spark;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.adain.BatchLayout;
import org.adain.Images;
import org.adain.StyleTransfer;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.CollectionAccumulator;
import org.apache.spark.util.LongAccumulator;

/**
 * {@code adain batch} on a Spark cluster: every content image under the input paths (any Hadoop file system),
 * in every style, into {@code <output>/<relative path>/<name>__<style>.<ext>} ({@link BatchLayout}), with the same
 * bytes as {@code adain batch}. Each executor JVM loads the model once and encodes each style once (the style
 * images go out by broadcast), shared by all its tasks. Outputs are written under a temporary name and renamed,
 * so a task retried or run twice by speculation leaves exactly one complete file per output; outputs that exist
 * are skipped, so running the job again resumes it. Images that cannot be read or stylised go to
 * {@code <output>/failures.csv} and the job still succeeds. Spark's UI shows the accumulators
 * {@code adain images done}, {@code adain images failed}, {@code adain images skipped} and {@code adain pixels}.
 *
 * <pre>{@code
 * SparkBatch.Result r = SparkBatch.builder()
 *         .encoder("hdfs:///models/vgg_normalised.h5").decoder("hdfs:///models/decoder.h5")
 *         .content("s3a://archive/photos").style("night", "s3a://art/starry.jpg")
 *         .output("s3a://archive/styled")
 *         .build().run(spark);
 * System.out.println(r.stylized() + " done, " + r.failed() + " failed");
 * }</pre>
 */
public final class SparkBatch implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Largest content or style file read, in bytes: the image decoder bounds pixels, this bounds the buffer. */
    public static final long MAX_FILE_BYTES = 512L << 20;

    /** Setting {@code encoder}, as given to the builder. */
    final String encoder;
    /** Setting {@code decoder}, as given to the builder. */
    final String decoder;
    /** Setting {@code contents}, as given to the builder. */
    final List<String> contents;
    /** Setting {@code lists}, as given to the builder. */
    final List<String> lists;
    /** Setting {@code styles}, as given to the builder. */
    final List<Style> styles;
    /** Setting {@code output}, as given to the builder. */
    final String output;
    /** Setting {@code alpha}, as given to the builder. */
    final double alpha;
    /** Setting {@code preserveColor}, as given to the builder. */
    final boolean preserveColor;
    /** Setting {@code contentSize}, as given to the builder. */
    final int contentSize;
    /** Setting {@code styleSize}, as given to the builder. */
    final int styleSize;
    /** Setting {@code crop}, as given to the builder. */
    final boolean crop;
    /** Setting {@code maxPixels}, as given to the builder. */
    final long maxPixels;
    /** Setting {@code tilingThreshold}, as given to the builder. */
    final long tilingThreshold;
    /** Setting {@code tileSize}, as given to the builder. */
    final int tileSize;
    /** Setting {@code partitions}, as given to the builder. */
    final int partitions;

    private SparkBatch(Builder b) {
        encoder = b.encoder;
        decoder = b.decoder;
        contents = List.copyOf(b.contents);
        lists = List.copyOf(b.lists);
        styles = List.copyOf(b.styles);
        output = b.output;
        alpha = b.alpha;
        preserveColor = b.preserveColor;
        contentSize = b.contentSize;
        styleSize = b.styleSize;
        crop = b.crop;
        maxPixels = b.maxPixels;
        tilingThreshold = b.tilingThreshold;
        tileSize = b.tileSize;
        partitions = b.partitions;
    }

    /**
     * Starts the settings of a job.
     *
     * @return an empty builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * One style: a name for the output names and one or more images (Hadoop paths) with their weights.
     *
     * @param name    a {@link BatchLayout#isStyleName style name}
     * @param images  the style images, interpolated when several
     * @param weights one per image, or null for equal weights
     * @serial exclude
     */
    public record Style(String name, List<String> images, List<Double> weights) implements Serializable {
        /** Serialised to the executors with the job. */
        private static final long serialVersionUID = 1L;

        /**
         * Checks and copies.
         *
         * @param name    the style's name
         * @param images  at least one image path
         * @param weights null, or one finite non-negative weight per image, not all 0
         */
        public Style {
            // One set of rules for adain batch and this job: BatchLayout.StyleSpec checks and copies.
            BatchLayout.StyleSpec spec = new BatchLayout.StyleSpec(name, images, weights);
            images = spec.images();
            weights = spec.weights();
        }
    }

    /**
     * What a run did.
     *
     * @param stylized contents stylised now
     * @param skipped  contents whose outputs all existed
     * @param failed   contents listed in the failures file
     * @param pixels   content pixels stylised (per style)
     * @param failures the failures file, or null when none failed
     */
    public record Result(long stylized, long skipped, long failed, long pixels, String failures) {
    }

    /**
     * Runs the job and waits for it.
     *
     * @param spark the session
     * @return the counts
     * @throws UncheckedIOException the inputs cannot be listed or the failures file cannot be written
     */
    public Result run(SparkSession spark) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Configuration conf = jsc.hadoopConfiguration();
        try {
            List<Item> items = list(conf);
            List<List<byte[]>> styleBytes = new ArrayList<>();
            for (Style s : styles) {
                List<byte[]> images = new ArrayList<>();
                for (String p : s.images()) {
                    byte[] data = read(new Path(p), conf);
                    Images.read(data, p); // a bad style stops the job before any task
                    images.add(data);
                }
                styleBytes.add(images);
            }
            Broadcast<List<List<byte[]>>> broadcast = jsc.broadcast(styleBytes);
            LongAccumulator done = jsc.sc().longAccumulator("adain images done");
            LongAccumulator failed = jsc.sc().longAccumulator("adain images failed");
            LongAccumulator skipped = jsc.sc().longAccumulator("adain images skipped");
            LongAccumulator pixels = jsc.sc().longAccumulator("adain pixels");
            CollectionAccumulator<String> failures = jsc.sc().collectionAccumulator("adain failures");
            int slices = partitions > 0 ? partitions : Math.max(1, Math.min(items.size(), jsc.defaultParallelism() * 4));
            JavaRDD<Item> rdd = jsc.parallelize(items, Math.max(1, slices));
            SerializableConfiguration hadoop = new SerializableConfiguration(conf);
            // An action, not a transformation: Spark counts accumulators of a successful task once even when the
            // task was retried or speculated.
            rdd.foreachPartition(part -> new ExecutorTask(this, broadcast, hadoop.get())
                    .run(part, done, failed, skipped, pixels, failures));
            FileSystem outFs = fileSystem(new Path(output), conf);
            deleteLeftovers(outFs, new Path(output));
            String failuresFile = writeFailures(outFs, failures.value());
            return new Result(done.value(), skipped.value(), failed.value(), pixels.value(), failuresFile);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One content: where to read it and its path relative to its input root ('/'-separated). */
    record Item(String path, String relative, String problem) implements Serializable {
    }

    /** The contents, in the order of the inputs, each directory's files in path order. */
    List<Item> list(Configuration conf) throws IOException {
        List<Item> items = new ArrayList<>();
        Path out = new Path(output);
        for (String c : contents) {
            Path root = new Path(c);
            FileSystem fs = fileSystem(root, conf);
            FileStatus status = fs.getFileStatus(root);
            if (!status.isDirectory()) {
                items.add(new Item(status.getPath().toString(), root.getName(), null));
                continue;
            }
            String rootUri = fs.makeQualified(root).toUri().getPath();
            String outUri = fs.makeQualified(out).toUri().getPath();
            List<Item> found = new ArrayList<>();
            RemoteIterator<LocatedFileStatus> it = fs.listFiles(root, true);
            while (it.hasNext()) {
                LocatedFileStatus f = it.next();
                String path = f.getPath().toUri().getPath();
                String rel = path.substring(rootUri.length()).replaceFirst("^/+", "");
                if (path.startsWith(outUri + "/") || hidden(rel) || !readable(rel)) {
                    continue;
                }
                found.add(new Item(f.getPath().toString(), rel, null));
            }
            found.sort(Comparator.comparing(Item::relative));
            items.addAll(found);
        }
        for (String l : lists) {
            Path lp = new Path(l);
            String text = new String(read(lp, conf), java.nio.charset.StandardCharsets.UTF_8);
            for (String line : text.split("\r?\n")) {
                String entry = line.strip();
                if (entry.isEmpty() || entry.startsWith("#")) {
                    continue;
                }
                String rel = new Path(entry).toUri().getPath().replaceFirst("^/+", "");
                boolean escapes = rel.isEmpty() || rel.equals("..") || rel.startsWith("../") || rel.contains("/../");
                items.add(new Item(entry, rel, escapes ? "is outside the current directory (..), so its outputs "
                        + "cannot be named after it; list it without '..'" : null));
            }
        }
        return items;
    }

    private static boolean hidden(String rel) {
        for (String part : rel.split("/")) {
            if (part.startsWith(".") || part.startsWith("_")) { // '_' too: Hadoop's _SUCCESS, _temporary
                return true;
            }
        }
        return false;
    }

    private static boolean readable(String rel) {
        String lower = rel.toLowerCase(Locale.ROOT);
        return Images.READABLE_EXTENSIONS.stream().anyMatch(lower::endsWith);
    }

    /** Reads a whole file, refusing one above {@link #MAX_FILE_BYTES}. */
    static byte[] read(Path p, Configuration conf) throws IOException {
        FileSystem fs = fileSystem(p, conf);
        long length = fs.getFileStatus(p).getLen();
        if (length > MAX_FILE_BYTES) {
            throw new IOException(p + " is " + length + " bytes, more than " + MAX_FILE_BYTES);
        }
        try (InputStream in = fs.open(p)) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream((int) length);
            in.transferTo(bytes);
            return bytes.toByteArray();
        }
    }

    /**
     * The file system of a path; for local paths the raw one, without Hadoop's {@code .crc} side files, so outputs
     * are exactly the files {@code adain batch} writes.
     */
    static FileSystem fileSystem(Path p, Configuration conf) throws IOException {
        FileSystem fs = p.getFileSystem(conf);
        return fs instanceof LocalFileSystem local ? local.getRawFileSystem() : fs;
    }

    /** Temporary files of attempts killed mid-write (speculation losers, lost executors). */
    static void deleteLeftovers(FileSystem fs, Path dir) throws IOException {
        if (!fs.exists(dir)) {
            return;
        }
        RemoteIterator<LocatedFileStatus> it = fs.listFiles(dir, true);
        List<Path> leftovers = new ArrayList<>();
        while (it.hasNext()) {
            Path p = it.next().getPath();
            if (p.getName().startsWith(Images.TEMPORARY_PREFIX) && p.getName().endsWith(Images.TEMPORARY_SUFFIX)) {
                leftovers.add(p);
            }
        }
        for (Path p : leftovers) {
            fs.delete(p, false);
        }
    }

    private String writeFailures(FileSystem fs, List<String> rows) throws IOException {
        Path file = new Path(output, BatchLayout.FAILURES_FILE);
        if (rows.isEmpty()) {
            fs.delete(file, false);
            return null;
        }
        // path,error rows; sorted so the file is the same whatever the task order.
        List<String> sorted = new ArrayList<>(rows);
        sorted.sort(Comparator.naturalOrder());
        Path tmp = new Path(output, Images.TEMPORARY_PREFIX + "failures" + Images.TEMPORARY_SUFFIX);
        try (FSDataOutputStream out = fs.create(tmp, true)) {
            StringBuilder sb = new StringBuilder(BatchLayout.FAILURES_HEADER).append("\r\n");
            sorted.forEach(r -> sb.append(r).append("\r\n"));
            out.write(sb.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        fs.delete(file, false);
        if (!fs.rename(tmp, file)) {
            throw new IOException("Cannot rename " + tmp + " to " + file);
        }
        return file.toString();
    }

    /** The settings of a job; {@link #build()} checks them. */
    public static final class Builder {
        private String encoder;
        private String decoder;
        private final List<String> contents = new ArrayList<>();
        private final List<String> lists = new ArrayList<>();
        private final List<Style> styles = new ArrayList<>();
        private String output;
        private double alpha = 1;
        private boolean preserveColor;
        private int contentSize = 512;
        private int styleSize = 512;
        private boolean crop;
        private long maxPixels = StyleTransfer.DEFAULT_MAX_PIXELS;
        private long tilingThreshold = StyleTransfer.DEFAULT_TILING_THRESHOLD;
        private int tileSize = StyleTransfer.DEFAULT_TILE_SIZE;
        private int partitions;

        private Builder() {
        }

        /**
         * The encoder weights: a Hadoop path (copied to each executor once), a local path every executor can
         * read, or the name of a file shipped with {@code spark-submit --files}.
         *
         * @param path the weight file
         * @return this builder
         */
        public Builder encoder(String path) {
            this.encoder = Objects.requireNonNull(path, "path");
            return this;
        }

        /**
         * The decoder weights, found as {@link #encoder}.
         *
         * @param path the weight file
         * @return this builder
         */
        public Builder decoder(String path) {
            this.decoder = Objects.requireNonNull(path, "path");
            return this;
        }

        /**
         * A content directory (searched recursively; hidden entries and names starting with '_' skipped) or image.
         *
         * @param path a Hadoop path
         * @return this builder
         */
        public Builder content(String path) {
            contents.add(Objects.requireNonNull(path, "path"));
            return this;
        }

        /**
         * A file listing content images, one path per line ('#' lines and blank lines ignored).
         *
         * @param path a Hadoop path
         * @return this builder
         */
        public Builder list(String path) {
            lists.add(Objects.requireNonNull(path, "path"));
            return this;
        }

        /**
         * A style of one image.
         *
         * @param name  its name in the output names
         * @param image the style image, a Hadoop path
         * @return this builder
         */
        public Builder style(String name, String image) {
            return style(new Style(name, List.of(image), null));
        }

        /**
         * A style.
         *
         * @param style name, images and weights
         * @return this builder
         */
        public Builder style(Style style) {
            styles.add(Objects.requireNonNull(style, "style"));
            return this;
        }

        /**
         * The output directory.
         *
         * @param path a Hadoop path
         * @return this builder
         */
        public Builder output(String path) {
            this.output = Objects.requireNonNull(path, "path");
            return this;
        }

        /**
         * Content/style trade-off in [0, 1]; default 1.
         *
         * @param alpha the weight of the style
         * @return this builder
         */
        public Builder alpha(double alpha) {
            this.alpha = alpha;
            return this;
        }

        /**
         * Keeps the content's colours.
         *
         * @param preserve whether to
         * @return this builder
         */
        public Builder preserveColor(boolean preserve) {
            this.preserveColor = preserve;
            return this;
        }

        /**
         * Shorter side of the contents after resizing, 0 for the original size; default 512.
         *
         * @param size pixels
         * @return this builder
         */
        public Builder contentSize(int size) {
            this.contentSize = size;
            return this;
        }

        /**
         * Shorter side of the styles after resizing, 0 for the original size; default 512.
         *
         * @param size pixels
         * @return this builder
         */
        public Builder styleSize(int size) {
            this.styleSize = size;
            return this;
        }

        /**
         * Keep the centre square after resizing.
         *
         * @param crop whether to
         * @return this builder
         */
        public Builder crop(boolean crop) {
            this.crop = crop;
            return this;
        }

        /**
         * As {@link StyleTransfer.Builder#maxPixels}.
         *
         * @param maxPixels the limit
         * @return this builder
         */
        public Builder maxPixels(long maxPixels) {
            this.maxPixels = maxPixels;
            return this;
        }

        /**
         * As {@link StyleTransfer.Builder#tilingThreshold}.
         *
         * @param pixels the threshold
         * @return this builder
         */
        public Builder tilingThreshold(long pixels) {
            this.tilingThreshold = pixels;
            return this;
        }

        /**
         * As {@link StyleTransfer.Builder#tileSize}.
         *
         * @param pixels the tile side
         * @return this builder
         */
        public Builder tileSize(int pixels) {
            this.tileSize = pixels;
            return this;
        }

        /**
         * Number of tasks; 0 (default) for four per default parallelism slot.
         *
         * @param partitions the number of partitions
         * @return this builder
         */
        public Builder partitions(int partitions) {
            this.partitions = partitions;
            return this;
        }

        /**
         * Checks the settings.
         *
         * @return the job
         * @throws IllegalArgumentException a setting is missing or out of range, naming it
         */
        public SparkBatch build() {
            if (encoder == null || decoder == null) {
                throw new IllegalArgumentException("Give the encoder and decoder weight files");
            }
            if (contents.isEmpty() && lists.isEmpty()) {
                throw new IllegalArgumentException("Give the contents: content(path) and/or list(path)");
            }
            if (styles.isEmpty()) {
                throw new IllegalArgumentException("Give at least one style");
            }
            if (output == null) {
                throw new IllegalArgumentException("Give the output directory");
            }
            Map<String, Style> names = new HashMap<>();
            for (Style s : styles) {
                if (names.putIfAbsent(s.name().toLowerCase(Locale.ROOT), s) != null) {
                    throw new IllegalArgumentException("Two styles are named '" + s.name() + "'");
                }
            }
            if (!(alpha >= 0 && alpha <= 1)) {
                throw new IllegalArgumentException("alpha must be in [0, 1], got " + alpha);
            }
            if (contentSize < 0 || styleSize < 0) {
                throw new IllegalArgumentException("Sizes must be ≥ 0, got content " + contentSize + ", style "
                        + styleSize);
            }
            if (partitions < 0) {
                throw new IllegalArgumentException("partitions must be ≥ 0, got " + partitions);
            }
            return new SparkBatch(this);
        }
    }
}
