package org.adain.spark;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.adain.BatchLayout;
import org.adain.ImageException;
import org.adain.Images;
import org.adain.InvalidRequestException;
import org.adain.ModelException;
import org.adain.StyleFeatures;
import org.adain.StyleRequest;
import org.adain.StyleTransfer;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkFiles;
import org.apache.spark.TaskContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.util.CollectionAccumulator;
import org.apache.spark.util.LongAccumulator;

/**
 * One task's work on an executor: for each content, skip it if its outputs exist, else read, stylise with the
 * executor's shared model and encoded styles ({@link Shared}), and write each output under a temporary name, then
 * rename it into place.
 */
final class ExecutorTask {
    /**
     * Test hook, called with each output path just before its rename (local mode runs tasks in the test's JVM);
     * null in production.
     */
    static volatile Consumer<String> beforeRename;

    private final SparkBatch job;
    private final Broadcast<List<List<byte[]>>> styles;
    private final Configuration conf;

    ExecutorTask(SparkBatch job, Broadcast<List<List<byte[]>>> styles, Configuration conf) {
        this.job = job;
        this.styles = styles;
        this.conf = conf;
    }

    void run(Iterator<SparkBatch.Item> items, LongAccumulator done, LongAccumulator failed,
            LongAccumulator skipped, LongAccumulator pixels, CollectionAccumulator<String> failures)
            throws IOException {
        Shared shared = null;
        Path out = new Path(job.output);
        FileSystem fs = SparkBatch.fileSystem(out, conf);
        while (items.hasNext()) {
            SparkBatch.Item item = items.next();
            if (item.problem() != null) {
                failed.add(1);
                failures.add(BatchLayout.failureRow(item.path(), item.path() + " " + item.problem()));
                continue;
            }
            List<Path> targets = new ArrayList<>();
            boolean all = true;
            for (SparkBatch.Style s : job.styles) {
                Path t = new Path(out, BatchLayout.outputPath(item.relative(), s.name()));
                targets.add(t);
                all &= fs.exists(t);
            }
            if (all) {
                skipped.add(1);
                continue;
            }
            if (shared == null) {
                shared = Shared.get(job, styles, conf);
            }
            String error = stylize(shared, fs, item, targets, pixels);
            if (error == null) {
                done.add(1);
            } else {
                failed.add(1);
                failures.add(BatchLayout.failureRow(item.path(), error));
            }
        }
    }

    private String stylize(Shared shared, FileSystem fs, SparkBatch.Item item, List<Path> targets,
            LongAccumulator pixels) throws IOException {
        BufferedImage content;
        try {
            Path p = new Path(item.path());
            content = Images.read(SparkBatch.read(p, conf), item.path());
        } catch (ImageException e) {
            return e.getMessage();
        } catch (IOException e) {
            return "Cannot read " + item.path() + ": " + e.getMessage();
        }
        for (int s = 0; s < job.styles.size(); s++) {
            Path target = targets.get(s);
            if (fs.exists(target)) {
                continue;
            }
            StyleRequest.Builder b = StyleRequest.builder().content(content).alpha(job.alpha)
                    .preserveColor(job.preserveColor).contentSize(job.contentSize).styleSize(job.styleSize)
                    .crop(job.crop);
            shared.addStyles(b, s);
            BufferedImage result;
            try {
                result = shared.transfer.stylize(b.build());
            } catch (InvalidRequestException e) {
                return "content " + item.path() + ": " + e.getMessage();
            }
            pixels.add((long) result.getWidth() * result.getHeight());
            write(fs, target, Images.encode(result, target.getName()));
        }
        return null;
    }

    /**
     * Writes under a name unique to this task attempt, then renames into place. Two attempts of one task (a retry
     * after a lost executor, a speculative copy) write the same bytes; whichever renames second finds the output
     * there and drops its copy, so there is one complete file either way.
     */
    private static void write(FileSystem fs, Path target, byte[] bytes) throws IOException {
        TaskContext tc = TaskContext.get();
        String attempt = tc == null ? "driver" : tc.stageId() + "-" + tc.partitionId() + "-" + tc.taskAttemptId();
        Path tmp = new Path(target.getParent(), Images.TEMPORARY_PREFIX + target.getName() + "-" + attempt
                + Images.TEMPORARY_SUFFIX);
        try (FSDataOutputStream o = fs.create(tmp, true)) {
            o.write(bytes);
        }
        Consumer<String> hook = beforeRename;
        if (hook != null) {
            hook.accept(target.toString());
        }
        if (!fs.rename(tmp, target)) {
            boolean there = fs.exists(target);
            fs.delete(tmp, false);
            if (!there) {
                throw new IOException("Cannot rename " + tmp + " to " + target);
            }
        }
    }

    /**
     * The model and encoded styles of one executor JVM, built by its first task and shared by all later ones
     * (StyleTransfer is thread-safe). Keyed by the job's settings and the style broadcast, so two jobs in one
     * application do not share the wrong model. Never closed: it lives as long as the executor.
     */
    static final class Shared {
        private static final Map<String, Shared> BY_JOB = new ConcurrentHashMap<>();

        final StyleTransfer transfer;
        final List<List<Object>> styles; // StyleFeatures, or BufferedImage with preserveColor
        final List<SparkBatch.Style> specs;

        private Shared(StyleTransfer transfer, List<List<Object>> styles, List<SparkBatch.Style> specs) {
            this.transfer = transfer;
            this.styles = styles;
            this.specs = specs;
        }

        static Shared get(SparkBatch job, Broadcast<List<List<byte[]>>> styleBytes, Configuration conf) {
            String key = job.encoder + "|" + job.decoder + "|" + job.maxPixels + "|" + job.tilingThreshold + "|"
                    + job.tileSize + "|" + job.styleSize + "|" + job.crop + "|" + job.preserveColor + "|"
                    + styleBytes.id();
            return BY_JOB.computeIfAbsent(key, k -> load(job, styleBytes.value(), conf));
        }

        private static Shared load(SparkBatch job, List<List<byte[]>> styleBytes, Configuration conf) {
            StyleTransfer transfer = StyleTransfer.builder().encoder(localCopy(job.encoder, conf))
                    .decoder(localCopy(job.decoder, conf)).maxPixels(job.maxPixels)
                    .tilingThreshold(job.tilingThreshold).tileSize(job.tileSize).build();
            List<List<Object>> styles = new ArrayList<>();
            for (int s = 0; s < job.styles.size(); s++) {
                List<Object> encoded = new ArrayList<>();
                for (int j = 0; j < styleBytes.get(s).size(); j++) {
                    String name = job.styles.get(s).images().get(j);
                    BufferedImage image = Images.read(styleBytes.get(s).get(j), name);
                    if (job.preserveColor) {
                        // Recoloured per content, so encoding ahead would not save the pass (as adain batch).
                        encoded.add(image);
                    } else {
                        encoded.add(transfer.encodeStyle(image, job.styleSize, job.crop));
                    }
                }
                styles.add(encoded);
            }
            return new Shared(transfer, styles, job.styles);
        }

        void addStyles(StyleRequest.Builder b, int s) {
            SparkBatch.Style spec = specs.get(s);
            List<Object> encoded = styles.get(s);
            for (int j = 0; j < encoded.size(); j++) {
                Object style = encoded.get(j);
                boolean weighted = spec.weights() != null;
                double w = weighted ? spec.weights().get(j) : 1;
                if (style instanceof StyleFeatures f) {
                    if (weighted) {
                        b.style(f, w);
                    } else {
                        b.style(f);
                    }
                } else if (weighted) {
                    b.style((BufferedImage) style, w);
                } else {
                    b.style((BufferedImage) style);
                }
            }
        }

        /**
         * A weight file as a local path: a local file as is; a file shipped with {@code --files} from the task's
         * SparkFiles directory; any other Hadoop path copied once into a temporary file of this executor.
         */
        static java.nio.file.Path localCopy(String path, Configuration conf) {
            try {
                Path p = new Path(path);
                String scheme = p.toUri().getScheme();
                if (scheme == null || scheme.equals("file")) {
                    java.nio.file.Path local = java.nio.file.Path.of(p.toUri().getPath());
                    if (Files.isRegularFile(local)) {
                        return local;
                    }
                    java.nio.file.Path shipped = java.nio.file.Path.of(SparkFiles.get(p.getName()));
                    if (Files.isRegularFile(shipped)) {
                        return shipped;
                    }
                    throw new ModelException("Weight file " + path + " is neither a local file of this executor nor "
                            + "shipped with --files");
                }
                String name = p.getName();
                java.nio.file.Path dir = Files.createTempDirectory("adain-weights");
                java.nio.file.Path local = dir.resolve(name);
                try (InputStream in = SparkBatch.fileSystem(p, conf).open(p)) {
                    Files.copy(in, local, StandardCopyOption.REPLACE_EXISTING);
                }
                local.toFile().deleteOnExit();
                dir.toFile().deleteOnExit();
                return local;
            } catch (IOException e) {
                throw new ModelException("Cannot copy weight file " + path + " to the executor: " + e, e);
            }
        }
    }
}
