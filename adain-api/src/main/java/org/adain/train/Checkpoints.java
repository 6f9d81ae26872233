package org.adain.train;

import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32;
import java.util.zip.CheckedOutputStream;
import org.adain.AdainException;
import org.adain.spi.ConvLayer;
import org.adain.spi.DecoderWeights;
import org.adain.spi.Tensor;
import org.adain.spi.TrainingState;

/**
 * Training checkpoints: one self-contained binary file per saved iteration,
 * {@code checkpoint-<iteration, 9 digits>.adain}, written to a temporary file in the same directory, forced to
 * disk and renamed over the final name, so a crash at any moment leaves either the previous checkpoint or the
 * complete new one. The newest {@code keep} are kept.
 *
 * <p>Format (version 1, big-endian, as {@link DataOutputStream} writes it; floats as their raw IEEE-754 bits, so
 * a restore is bit-exact):
 * <pre>
 * bytes[8]  "ADAINCKP"
 * int       format version (1)
 * long      iteration (steps done)
 * long      seed
 * long      content cursor, long style cursor    (the sampling state: see TrainingData)
 * double    elapsed seconds of the run
 * int n, then n × (UTF key, UTF value)          settings the run was made with (sorted by key)
 * int 9, then per decoder conv: UTF name, int out, int in, int kh, int kw,
 *           float[out·in·kh·kw] kernel (OIHW), float[out] bias
 * Adam first moments, then second moments: per conv, for kernel and bias each:
 *           int rank, int[rank] shape, float[product] values
 * long      CRC-32 of every byte before it
 * </pre>
 */
final class Checkpoints {
    static final byte[] MAGIC = "ADAINCKP".getBytes(StandardCharsets.US_ASCII);
    static final int VERSION = 1;
    static final String EXTENSION = ".adain";
    private static final Pattern NAME = Pattern.compile("checkpoint-(\\d+)\\" + EXTENSION);

    private Checkpoints() {
    }

    /** Everything a resumed run needs. */
    record Checkpoint(TrainingState state, long seed, long contentCursor, long styleCursor, double elapsedSeconds,
            SortedMap<String, String> settings) {
        Checkpoint {
            settings = Collections.unmodifiableSortedMap(new TreeMap<>(settings));
        }

        long iteration() {
            return state.iteration();
        }
    }

    static String fileName(long iteration) {
        return String.format("checkpoint-%09d%s", iteration, EXTENSION);
    }

    /** The iteration in a checkpoint file name, or -1 when it is not one. */
    static long iterationOf(Path file) {
        Matcher m = NAME.matcher(file.getFileName().toString());
        return m.matches() ? Long.parseLong(m.group(1)) : -1;
    }

    /** Checkpoint files in {@code dir}, oldest first; empty when the directory does not exist. */
    static List<Path> list(Path dir) {
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                if (iterationOf(p) >= 0 && Files.isRegularFile(p)) {
                    out.add(p);
                }
            }
        } catch (IOException e) {
            throw new AdainException("Cannot list the checkpoint directory " + dir + ": " + e.getMessage(), e);
        }
        out.sort((a, b) -> Long.compare(iterationOf(a), iterationOf(b)));
        return out;
    }

    /**
     * Writes atomically, then deletes all but the newest {@code keep} checkpoints and any temporary file a crash
     * left behind.
     *
     * @return the checkpoint file
     */
    static Path write(Path dir, Checkpoint c, int keep) {
        Path target = dir.resolve(fileName(c.iteration()));
        Path tmp = null;
        try {
            Files.createDirectories(dir);
            tmp = Files.createTempFile(dir, ".checkpoint-", ".tmp");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                OutputStream raw = Channels.newOutputStream(ch);
                CRC32 crc = new CRC32();
                DataOutputStream out = new DataOutputStream(new BufferedOutputStream(
                        new CheckedOutputStream(raw, crc), 1 << 16));
                writeBody(out, c);
                out.flush();
                new DataOutputStream(raw).writeLong(crc.getValue());
                ch.force(true);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            tmp = null;
            syncDirectory(dir);
        } catch (IOException e) {
            throw new AdainException("Cannot write checkpoint " + target + ": " + e, e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // a hidden leftover; removed by the next write
                }
            }
        }
        prune(dir, keep, target);
        return target;
    }

    private static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | RuntimeException ignored) {
            // not possible on every platform; the rename itself is atomic either way
        }
    }

    private static void prune(Path dir, int keep, Path justWritten) {
        List<Path> all = list(dir);
        for (int i = 0; i < all.size() - keep; i++) {
            Path p = all.get(i);
            if (!p.equals(justWritten)) {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // kept one too many; harmless
                }
            }
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, ".checkpoint-*.tmp")) {
            for (Path p : ds) {
                Files.deleteIfExists(p);
            }
        } catch (IOException ignored) {
            // leftovers of a crash are hidden and harmless
        }
    }

    private static void writeBody(DataOutputStream out, Checkpoint c) throws IOException {
        out.write(MAGIC);
        out.writeInt(VERSION);
        TrainingState s = c.state();
        out.writeLong(s.iteration());
        out.writeLong(c.seed());
        out.writeLong(c.contentCursor());
        out.writeLong(c.styleCursor());
        out.writeDouble(c.elapsedSeconds());
        out.writeInt(c.settings().size());
        for (Map.Entry<String, String> e : c.settings().entrySet()) {
            out.writeUTF(e.getKey());
            out.writeUTF(e.getValue());
        }
        List<ConvLayer> convs = s.weights().convs();
        out.writeInt(convs.size());
        for (ConvLayer l : convs) {
            out.writeUTF(l.name());
            out.writeInt(l.outChannels());
            out.writeInt(l.inChannels());
            out.writeInt(l.kernelHeight());
            out.writeInt(l.kernelWidth());
            writeFloats(out, l.kernelOihw());
            writeFloats(out, l.bias());
        }
        for (List<Tensor[]> moments : List.of(s.firstMoments(), s.secondMoments())) {
            for (Tensor[] pair : moments) {
                if (pair.length != 2) {
                    throw new IllegalArgumentException("Adam moments must come as [kernel, bias], got "
                            + pair.length + " tensors");
                }
                for (Tensor t : pair) {
                    int[] shape = t.shape();
                    out.writeInt(shape.length);
                    for (int d : shape) {
                        out.writeInt(d);
                    }
                    writeFloats(out, t.toArray());
                }
            }
        }
    }

    private static void writeFloats(DataOutputStream out, float[] v) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(4 * Math.min(v.length, 1 << 16)); // big-endian
        for (int i = 0; i < v.length; i += 1 << 16) {
            int n = Math.min(v.length - i, 1 << 16);
            buf.clear();
            buf.asFloatBuffer().put(v, i, n); // raw IEEE-754 bits
            out.write(buf.array(), 0, 4 * n);
        }
    }

    /** Reads and verifies one checkpoint; a damaged file gives an {@link AdainException} naming it. */
    static Checkpoint read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new AdainException("Checkpoint " + file + (Files.exists(file) ? " is not a regular file"
                    : " does not exist"));
        }
        byte[] all;
        try {
            all = Files.readAllBytes(file);
        } catch (IOException | OutOfMemoryError e) {
            throw new AdainException("Cannot read checkpoint " + file + ": " + e, e);
        }
        long size = all.length;
        if (size < MAGIC.length + 8) {
            throw damaged(file, "it ends early (truncated)");
        }
        CRC32 crc = new CRC32();
        crc.update(all, 0, all.length - 8);
        long stored = ByteBuffer.wrap(all, all.length - 8, 8).getLong();
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(all, 0, all.length - 8))) {
            byte[] magic = in.readNBytes(MAGIC.length);
            if (!java.util.Arrays.equals(magic, MAGIC)) {
                throw damaged(file, "it is not an adain checkpoint (wrong magic bytes)");
            }
            if (stored != crc.getValue()) {
                throw damaged(file, "checksum mismatch (the file is truncated or corrupt)");
            }
            int version = in.readInt();
            if (version != VERSION) {
                throw damaged(file, "format version " + version + ", this library reads version " + VERSION);
            }
            long iteration = in.readLong();
            long seed = in.readLong();
            long contentCursor = in.readLong();
            long styleCursor = in.readLong();
            double elapsed = in.readDouble();
            int n = count(in.readInt(), 10_000, file, "settings");
            SortedMap<String, String> settings = new TreeMap<>();
            for (int i = 0; i < n; i++) {
                settings.put(in.readUTF(), in.readUTF());
            }
            int convCount = count(in.readInt(), 1000, file, "layers");
            List<ConvLayer> convs = new ArrayList<>(convCount);
            long budget = size;
            for (int i = 0; i < convCount; i++) {
                String name = in.readUTF();
                int o = in.readInt();
                int ci = in.readInt();
                int kh = in.readInt();
                int kw = in.readInt();
                long k = (long) o * ci * kh * kw;
                if (o <= 0 || ci <= 0 || kh <= 0 || kw <= 0 || 4 * (k + o) > budget) {
                    throw damaged(file, "layer " + i + " has an impossible shape [" + o + ", " + ci + ", " + kh
                            + ", " + kw + "]");
                }
                convs.add(new ConvLayer(name, o, ci, kh, kw, readFloats(in, (int) k), readFloats(in, o)));
            }
            DecoderWeights weights = new DecoderWeights(convs, file.toString());
            List<List<Tensor[]>> moments = new ArrayList<>();
            for (int m = 0; m < 2; m++) {
                List<Tensor[]> list = new ArrayList<>(convCount);
                for (int i = 0; i < convCount; i++) {
                    list.add(new Tensor[] {readTensor(in, file, budget), readTensor(in, file, budget)});
                }
                moments.add(list);
            }
            if (in.read() != -1) {
                throw damaged(file, "unexpected bytes before the checksum");
            }
            TrainingState state = new TrainingState(iteration, weights, moments.get(0), moments.get(1));
            return new Checkpoint(state, seed, contentCursor, styleCursor, elapsed, settings);
        } catch (EOFException e) {
            throw damaged(file, "it ends early (truncated)");
        } catch (AdainException e) {
            if (e.getMessage().startsWith("Checkpoint ")) {
                throw e;
            }
            throw damaged(file, e.getMessage());
        } catch (IOException | IllegalArgumentException e) {
            throw damaged(file, e.toString());
        }
    }

    private static int count(int n, int max, Path file, String what) {
        if (n < 0 || n > max) {
            throw damaged(file, "implausible number of " + what + ": " + n);
        }
        return n;
    }

    private static Tensor readTensor(DataInputStream in, Path file, long budget) throws IOException {
        int rank = count(in.readInt(), 8, file, "tensor dimensions");
        int[] shape = new int[rank];
        long n = 1;
        for (int i = 0; i < rank; i++) {
            shape[i] = in.readInt();
            if (shape[i] < 0) {
                throw damaged(file, "negative tensor dimension");
            }
            n *= shape[i];
        }
        if (4 * n > budget) {
            throw damaged(file, "a tensor larger than the file");
        }
        return Tensor.wrap(readFloats(in, (int) n), shape);
    }

    private static float[] readFloats(DataInputStream in, int n) throws IOException {
        byte[] bytes = new byte[4 * n];
        in.readFully(bytes);
        float[] v = new float[n];
        ByteBuffer.wrap(bytes).asFloatBuffer().get(v);
        return v;
    }

    private static AdainException damaged(Path file, String why) {
        return new AdainException("Checkpoint " + file + " is unusable: " + why);
    }

    /**
     * The newest checkpoint in {@code dir} that reads back intact; damaged newer ones are reported to
     * {@code warn} and passed over. Null when there is none at all; an exception when all are damaged.
     */
    static Checkpoint latest(Path dir, Consumer<String> warn, Path[] fileOut) {
        List<Path> all = list(dir);
        AdainException last = null;
        for (int i = all.size() - 1; i >= 0; i--) {
            try {
                Checkpoint c = read(all.get(i));
                if (fileOut != null) {
                    fileOut[0] = all.get(i);
                }
                return c;
            } catch (AdainException e) {
                warn.accept(e.getMessage() + "; trying an older checkpoint");
                last = e;
            }
        }
        if (last != null) {
            throw new AdainException("No usable checkpoint in " + dir + ": " + last.getMessage(), last);
        }
        return null;
    }
}
