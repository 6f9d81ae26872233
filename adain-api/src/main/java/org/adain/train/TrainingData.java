package org.adain.train;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.adain.AdainException;
import org.adain.ImageException;
import org.adain.ImageTensor;
import org.adain.Images;
import org.adain.InvalidRequestException;

/**
 * One training image directory (contents or styles): the files found in it, the per-image transform and the
 * infinite, seeded sampling order.
 *
 * <p><b>Files:</b> every regular file below the directory (subdirectories included, links followed) whose name
 * ends in .png, .jpg, .jpeg, .bmp or .gif (any case) and does not start with a dot, sorted by relative path.
 *
 * <p><b>Order:</b> a stream of cursors 0, 1, 2, … over the files: cursor {@code c} is position {@code c mod n} of
 * pass {@code c / n}, each pass a fresh permutation drawn from {@code (seed, stream, pass)}. A sample takes the
 * next cursor whose file is readable. Its random crop is drawn from {@code (seed, stream, cursor)}. Every draw is
 * thus a pure function of the seed and the cursor: the order does not depend on thread timing, and the cursor
 * (one number per stream) is the whole sampling state a checkpoint needs.
 *
 * <p><b>Transforms</b> (SEMANTICS §9): {@code PORT} resizes to {@code size×size} ignoring the aspect ratio (the
 * PyTorch port's {@code Resize((512, 512))}), {@code PAPER} scales the shorter side to {@code size} keeping it (the
 * paper and the Lua code), {@code TORCH7} does the same with torch/image's bilinear filter as the Lua loader; all
 * then take a random {@code crop×crop} window ({@code RandomCrop}: top, then left,
 * each uniform over the valid offsets). Resampling is PIL's antialiased bilinear (torch/image's for TORCH7). Grey, RGBA,
 * palette and 16-bit files become RGB through {@link ImageTensor#fromImage} (alpha dropped).
 */
final class TrainingData {
    /** Stream ids that keep the content and style draws apart. */
    static final int CONTENT = 0;
    static final int STYLE = 1;

    private final Path dir;
    private final String role;
    private final List<Path> files;
    private final List<String> scanWarnings;
    /** File index → why it cannot be used; grows as the loader finds bad files. */
    private final Map<Integer, String> bad = Collections.synchronizedMap(new LinkedHashMap<>());

    private TrainingData(Path dir, String role, List<Path> files, List<String> scanWarnings) {
        this.dir = dir;
        this.role = role;
        this.files = files;
        this.scanWarnings = scanWarnings;
    }

    /**
     * Scans {@code dir}; fails with a message naming the directory when it is missing, not a directory,
     * unreadable or holds no image file.
     *
     * @param role "content" or "style", for messages
     */
    static TrainingData scan(Path dir, String role) {
        if (dir == null) {
            throw new InvalidRequestException("No " + role + " directory given");
        }
        String what = "The " + role + " directory " + dir;
        if (!Files.exists(dir)) {
            throw new InvalidRequestException(what + " does not exist");
        }
        if (!Files.isDirectory(dir)) {
            throw new InvalidRequestException(what + " is not a directory");
        }
        if (!Files.isReadable(dir) || !Files.isExecutable(dir)) {
            throw new InvalidRequestException(what + " cannot be read (permission denied)");
        }
        List<Path> found = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        try {
            Files.walkFileTree(dir, EnumSet.of(FileVisitOption.FOLLOW_LINKS), Integer.MAX_VALUE,
                    new SimpleFileVisitor<>() {
                        @Override
                        public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) {
                            Path name = d.getFileName();
                            if (!d.equals(dir) && name != null && name.toString().startsWith(".")) {
                                return FileVisitResult.SKIP_SUBTREE;
                            }
                            return FileVisitResult.CONTINUE;
                        }

                        @Override
                        public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) {
                            if (attrs.isRegularFile() && isImageName(f)) {
                                found.add(f);
                            }
                            return FileVisitResult.CONTINUE;
                        }

                        @Override
                        public FileVisitResult visitFileFailed(Path f, IOException e) throws IOException {
                            if (f.equals(dir)) {
                                throw e;
                            }
                            warnings.add("cannot read " + f + " (" + describe(e) + "); left out");
                            return FileVisitResult.CONTINUE;
                        }
                    });
        } catch (AccessDeniedException e) {
            throw new InvalidRequestException(what + " cannot be read (permission denied)", e);
        } catch (IOException e) {
            throw new InvalidRequestException(what + " cannot be read: " + describe(e), e);
        }
        if (found.isEmpty()) {
            throw new InvalidRequestException(what + " holds no images (looked for "
                    + String.join(", ", Images.READABLE_EXTENSIONS) + " files, subdirectories included)");
        }
        Collections.sort(found);
        return new TrainingData(dir, role, List.copyOf(found), List.copyOf(warnings));
    }

    private static String describe(IOException e) {
        return e instanceof AccessDeniedException ? "permission denied" : e.toString();
    }

    static boolean isImageName(Path f) {
        Path name = f.getFileName();
        return name != null && !name.toString().startsWith(".") && Images.hasReadableExtension(f);
    }

    Path dir() {
        return dir;
    }

    String role() {
        return role;
    }

    List<Path> files() {
        return files;
    }

    int size() {
        return files.size();
    }

    /** Entries (e.g. unreadable subdirectories) the scan left out. */
    List<String> scanWarnings() {
        return scanWarnings;
    }

    /** SHA-256 over the relative paths and sizes: tells a resumed run whether the data changed. */
    String fingerprint() {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (Path f : files) {
                md.update(dir.relativize(f).toString().getBytes(StandardCharsets.UTF_8));
                md.update((byte) 0);
                long size;
                try {
                    size = Files.size(f);
                } catch (IOException e) {
                    size = -1;
                }
                md.update(Long.toString(size).getBytes(StandardCharsets.US_ASCII));
                md.update((byte) '\n');
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    boolean isBad(int index) {
        return bad.containsKey(index);
    }

    /** Marks a file unusable; true when it was not known yet. */
    boolean markBad(int index, String reason) {
        synchronized (bad) {
            return bad.putIfAbsent(index, reason) == null;
        }
    }

    int badCount() {
        return bad.size();
    }

    /** Fails when no file of the directory is usable. */
    void checkSomeReadable() {
        synchronized (bad) {
            if (bad.size() < files.size()) {
                return;
            }
            Map.Entry<Integer, String> first = bad.entrySet().iterator().next();
            throw new InvalidRequestException("None of the " + files.size() + " image files in the " + role
                    + " directory " + dir + " can be read (e.g. " + files.get(first.getKey()).getFileName() + ": "
                    + first.getValue() + ")");
        }
    }

    /** Reads a file as RGB; throws {@link AdainException} (an {@link ImageException} mostly) when unusable. */
    static ImageTensor read(Path file) {
        return ImageTensor.fromImage(Images.read(file));
    }

    /** Resizes by the transform, then takes a random {@code crop×crop} window (top drawn first, then left). */
    static ImageTensor transform(ImageTensor image, DecoderTrainer.Transform transform, int size, int crop,
            SplittableRandom rng) {
        ImageTensor resized = switch (transform) {
            case PORT -> image.resizeTo(size, size);
            case PAPER -> image.resize(size, false);
            case TORCH7 -> image.resize(size, false, org.adain.Semantics.TORCH7);
        };
        int top = rng.nextInt(resized.height() - crop + 1);
        int left = rng.nextInt(resized.width() - crop + 1);
        return resized.crop(top, left, crop, crop);
    }

    /** The centre {@code crop×crop} after scaling the shorter side to {@code crop}: how validation images look. */
    static ImageTensor validationView(ImageTensor image, int crop) {
        return image.resize(crop, true);
    }

    /** Index of the file at a cursor of stream {@code stream}. */
    int fileAt(long seed, int stream, long cursor, Permutations cache) {
        int n = files.size();
        long pass = cursor / n;
        return cache.get(seed, stream, pass, n)[(int) (cursor % n)];
    }

    /** The RNG for the crop of the sample at {@code cursor}. */
    static SplittableRandom cropRandom(long seed, int stream, long cursor) {
        return new SplittableRandom(mix(seed, 2 * stream, cursor));
    }

    /** Caches the current pass's permutation (one per stream and thread). */
    static final class Permutations {
        private long pass = -1;
        private int[] perm;

        int[] get(long seed, int stream, long p, int n) {
            if (p != pass || perm == null || perm.length != n) {
                perm = permutation(seed, stream, p, n);
                pass = p;
            }
            return perm;
        }
    }

    /** Fisher–Yates shuffle of 0..n-1 from {@code (seed, stream, pass)}. */
    static int[] permutation(long seed, int stream, long pass, int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        SplittableRandom r = new SplittableRandom(mix(seed, 2 * stream + 1, pass));
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    /** A 64-bit seed from three numbers (SplitMix64 finaliser over a running combination). */
    static long mix(long seed, long a, long b) {
        long h = splitmix(seed);
        h = splitmix(h ^ splitmix(a + 0x632BE59BD9B4E019L));
        h = splitmix(h ^ splitmix(b + 0x9E3779B97F4A7C15L));
        return h;
    }

    private static long splitmix(long z) {
        z += 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Names of the stream ids, for messages. */
    static String streamName(int stream) {
        return stream == CONTENT ? "content" : "style";
    }

    /** Unused-file-set view, for tests. */
    Set<Integer> badIndices() {
        synchronized (bad) {
            return Set.copyOf(bad.keySet());
        }
    }
}
