package org.adain.train;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.adain.AdainException;
import org.adain.ImageTensor;
import org.adain.spi.Tensor;

/**
 * Prepares training batches on a background thread, a bounded number ahead of the training loop, so reading and
 * resizing images overlaps the backend's step. Images of one batch may be decoded by several threads, but which
 * file and which crop each sample gets is fixed by {@link TrainingData}'s cursor rule before any decoding
 * starts, so batches are identical whatever the timing or the number of threads.
 */
final class BatchLoader implements AutoCloseable {
    /** A file left out, reported when the batch that would have used it is consumed. */
    record Skip(Path file, String reason, int skippedSoFar) {
    }

    /**
     * Contents and styles ({@code N×3×crop×crop} in [0, 1]) and the cursors after them: the sampling state to
     * checkpoint once this batch has been trained on.
     */
    record Batch(Tensor contents, Tensor styles, long contentCursor, long styleCursor, List<Skip> skips) {
    }

    /** What the loader draws from and how. */
    record Plan(long seed, int batchSize, DecoderTrainer.Transform transform, int imageSize, int crop) {
    }

    private final TrainingData contents;
    private final TrainingData styles;
    private final Plan plan;
    private final BlockingQueue<Object> queue;
    private final ExecutorService pool;
    private final Thread thread;
    private final TrainingData.Permutations contentPerm = new TrainingData.Permutations();
    private final TrainingData.Permutations stylePerm = new TrainingData.Permutations();
    private long contentCursor;
    private long styleCursor;
    private volatile boolean closed;

    /**
     * @param prefetch batches prepared ahead (≥ 1)
     * @param threads  decoding threads (≥ 1; 1 decodes on the loader thread itself)
     */
    BatchLoader(TrainingData contents, TrainingData styles, Plan plan, long contentCursor, long styleCursor,
            int prefetch, int threads) {
        this.contents = contents;
        this.styles = styles;
        this.plan = plan;
        this.contentCursor = contentCursor;
        this.styleCursor = styleCursor;
        this.queue = new ArrayBlockingQueue<>(prefetch);
        this.pool = threads <= 1 ? null : Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "adain-image-decoder");
            t.setDaemon(true);
            return t;
        });
        this.thread = new Thread(this::loop, "adain-batch-loader");
        this.thread.setDaemon(true);
    }

    BatchLoader start() {
        thread.start();
        return this;
    }

    /** The next batch; rethrows what stopped the loader (e.g. a directory without a readable image). */
    Batch take() throws InterruptedException {
        Object o = queue.take();
        if (o instanceof Batch b) {
            return b;
        }
        queue.offer(o); // keep the failure for any later call
        Throwable t = (Throwable) o;
        if (t instanceof AdainException e) {
            throw e;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new IllegalStateException("Loading training images failed: " + t, t);
    }

    private void loop() {
        try {
            while (!closed) {
                Batch b = next();
                queue.put(b);
            }
        } catch (InterruptedException e) {
            // closed
        } catch (Throwable t) {
            if (!closed) {
                queue.clear();
                queue.offer(t);
            }
        }
    }

    /** Makes the next batch synchronously (the loader thread's body; also used by tests). */
    Batch next() throws InterruptedException {
        List<Skip> skips = new ArrayList<>();
        long[] cursor = {contentCursor};
        List<ImageTensor> c = fill(contents, TrainingData.CONTENT, cursor, contentPerm, skips);
        contentCursor = cursor[0];
        cursor[0] = styleCursor;
        List<ImageTensor> s = fill(styles, TrainingData.STYLE, cursor, stylePerm, skips);
        styleCursor = cursor[0];
        return new Batch(stack(c), stack(s), contentCursor, styleCursor, List.copyOf(skips));
    }

    private List<ImageTensor> fill(TrainingData data, int stream, long[] cursor, TrainingData.Permutations perm,
            List<Skip> skips) throws InterruptedException {
        List<ImageTensor> out = new ArrayList<>(plan.batchSize());
        long c = cursor[0];
        while (out.size() < plan.batchSize()) {
            data.checkSomeReadable();
            int need = plan.batchSize() - out.size();
            long[] candidates = new long[need];
            int[] fileIndex = new int[need];
            for (int k = 0; k < need; c++) {
                int f = data.fileAt(plan.seed(), stream, c, perm);
                if (!data.isBad(f)) {
                    candidates[k] = c;
                    fileIndex[k] = f;
                    k++;
                }
            }
            List<Object> results = decode(data, stream, candidates, fileIndex);
            for (int k = 0; k < need; k++) {
                Object r = results.get(k);
                if (r instanceof ImageTensor img) {
                    out.add(img);
                } else {
                    String reason = ((AdainException) r).getMessage();
                    if (data.markBad(fileIndex[k], reason)) {
                        skips.add(new Skip(data.files().get(fileIndex[k]), reason,
                                contents.badCount() + (styles == contents ? 0 : styles.badCount())));
                    }
                }
            }
        }
        cursor[0] = c;
        return out;
    }

    /** For each candidate, the transformed image or the {@link AdainException} that made it unusable. */
    private List<Object> decode(TrainingData data, int stream, long[] candidates, int[] fileIndex)
            throws InterruptedException {
        List<Object> results = new ArrayList<>(candidates.length);
        if (pool == null || candidates.length == 1) {
            for (int k = 0; k < candidates.length; k++) {
                results.add(load(data, stream, candidates[k], fileIndex[k]));
            }
            return results;
        }
        List<Future<Object>> futures = new ArrayList<>(candidates.length);
        for (int k = 0; k < candidates.length; k++) {
            long cand = candidates[k];
            int f = fileIndex[k];
            futures.add(pool.submit(() -> load(data, stream, cand, f)));
        }
        for (Future<Object> fu : futures) {
            try {
                results.add(fu.get());
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof RuntimeException re) {
                    throw re;
                }
                if (cause instanceof Error err) {
                    throw err;
                }
                throw new IllegalStateException(cause);
            }
        }
        return results;
    }

    private Object load(TrainingData data, int stream, long cursor, int file) {
        try {
            ImageTensor img = TrainingData.read(data.files().get(file));
            return TrainingData.transform(img, plan.transform(), plan.imageSize(), plan.crop(),
                    TrainingData.cropRandom(plan.seed(), stream, cursor));
        } catch (AdainException e) {
            return e;
        }
    }

    private Tensor stack(List<ImageTensor> images) {
        int crop = plan.crop();
        int per = 3 * crop * crop;
        float[] all = new float[images.size() * per];
        for (int i = 0; i < images.size(); i++) {
            System.arraycopy(images.get(i).toArray(), 0, all, i * per, per);
        }
        return Tensor.wrap(all, images.size(), 3, crop, crop);
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        if (pool != null) {
            pool.shutdownNow();
        }
        try {
            thread.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        queue.clear();
    }
}
