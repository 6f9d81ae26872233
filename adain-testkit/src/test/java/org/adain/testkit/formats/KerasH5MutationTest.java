package org.adain.testkit.formats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import org.adain.ModelException;
import org.adain.format.KerasWeightsReader;
import org.adain.testkit.reference.ReferenceCases;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Seeded mutants of every Keras fixture, read by the pure-Java {@link KerasWeightsReader}: flipped bytes, lying
 * lengths and addresses written over fields, truncations, inserted and deleted bytes. Each read must end in
 * weights or a {@link ModelException} (never another exception, never an error), using at most
 * {@link #TIME_BOUND_NANOS} of the reading thread's CPU time and allocating at most {@link #ALLOCATION_BOUND}
 * bytes on it (the limits for any .h5 under 1 MB: 2 s and 100 MB). CPU time, not wall time, so that a
 * loaded machine cannot fail the test; wall time is only held under {@link #WALL_BOUND_NANOS} to catch a hang. A
 * read takes a few milliseconds. {@code -Dadain.mutants=N} changes the number of mutants per fixture (default
 * 1000).
 */
class KerasH5MutationTest {
    static final long TIME_BOUND_NANOS = 2_000_000_000L;
    static final long WALL_BOUND_NANOS = 30_000_000_000L;
    static final long ALLOCATION_BOUND = 100L << 20;
    static final int MUTANTS = Integer.getInteger("adain.mutants", 1000);

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private final KerasWeightsReader reader = new KerasWeightsReader();

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"encoder_tf2.h5", "encoder_keras23.h5", "decoder_tf2.h5", "decoder_keras23.h5",
        "vgg19_notop.h5", "vgg19_notop_keras2.h5"})
    void everyMutantEndsInWeightsOrAModelExceptionQuickly(String fixture) throws IOException {
        byte[] original = Files.readAllBytes(ReferenceCases.copyTo("models/" + fixture, dir.resolve("src")));
        assertThat(original.length).as("the limits are for files under 1 MB").isLessThan(1 << 20);
        boolean decoder = fixture.startsWith("decoder");
        Function<Path, Object> read = decoder ? reader::readDecoder : reader::readEncoder;
        // the unmutated file reads, so a refusal of a mutant is the mutation's doing
        Path clean = Files.write(dir.resolve(fixture), original);
        read.apply(clean);

        Random random = new Random(fixture.hashCode() * 31L + 20240611L);
        List<Integer> signatures = signatures(original);
        int refused = 0;
        long maxNanos = 0;
        long maxBytes = 0;
        THREADS.setThreadAllocatedMemoryEnabled(true);
        THREADS.setThreadCpuTimeEnabled(true);
        for (int i = 0; i < MUTANTS; i++) {
            Mutant m = mutate(original, signatures, random);
            Path f = Files.write(dir.resolve("m_" + fixture), m.bytes());
            long bytes0 = THREADS.getCurrentThreadAllocatedBytes();
            long cpu0 = THREADS.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            try {
                read.apply(f);
            } catch (ModelException e) {
                refused++;
                assertThat(e.getMessage()).as("mutant %d (%s)", i, m.what()).contains("m_" + fixture);
            } catch (Throwable t) {
                fail(fixture + " mutant " + i + " (" + m.what() + ") ended in " + t + ", not a ModelException", t);
            }
            long wall = System.nanoTime() - t0;
            long nanos = THREADS.getCurrentThreadCpuTime() - cpu0;
            long allocated = THREADS.getCurrentThreadAllocatedBytes() - bytes0;
            assertThat(nanos).as("%s mutant %d (%s): CPU time", fixture, i, m.what()).isLessThan(TIME_BOUND_NANOS);
            assertThat(wall).as("%s mutant %d (%s): wall time", fixture, i, m.what()).isLessThan(WALL_BOUND_NANOS);
            assertThat(allocated).as("%s mutant %d (%s): bytes allocated", fixture, i, m.what())
                    .isLessThan(ALLOCATION_BOUND);
            maxNanos = Math.max(maxNanos, nanos);
            maxBytes = Math.max(maxBytes, allocated);
        }
        System.out.printf("%s: %d mutants, %d refused, most CPU %.1f ms, most allocated %.1f MB%n", fixture, MUTANTS,
                refused, maxNanos / 1e6, maxBytes / 1e6);
        assertThat(refused).as("mutations that break the structure are refused").isGreaterThan(MUTANTS / 10);
    }

    /** A mutated file and what was done to it, for failure messages. */
    record Mutant(byte[] bytes, String what) {
    }

    /** Positions of HDF5 structure signatures, where lying fields do the most harm. */
    private static List<Integer> signatures(byte[] b) {
        List<Integer> out = new ArrayList<>();
        for (String sig : List.of("TREE", "SNOD", "HEAP", "GCOL", "OHDR", "OCHK", "FRHP", "BTHD")) {
            byte[] s = sig.getBytes(StandardCharsets.US_ASCII);
            for (int i = 0; i + 4 <= b.length; i++) {
                if (b[i] == s[0] && b[i + 1] == s[1] && b[i + 2] == s[2] && b[i + 3] == s[3]) {
                    out.add(i);
                }
            }
        }
        return out;
    }

    static Mutant mutate(byte[] original, List<Integer> signatures, Random r) {
        int kind = r.nextInt(100);
        int n = original.length;
        if (kind < 35) {
            byte[] b = original.clone();
            int flips = 1 + r.nextInt(4);
            StringBuilder what = new StringBuilder("flipped");
            for (int k = 0; k < flips; k++) {
                int at = position(n, signatures, r);
                int mask = 1 + r.nextInt(255);
                b[at] ^= (byte) mask;
                what.append(" byte ").append(at).append(" ^0x").append(Integer.toHexString(mask));
            }
            return new Mutant(b, what.toString());
        }
        if (kind < 70) {
            byte[] b = original.clone();
            long[] lies = {0xffffL, 0xffffffffL, 0x7fffffffL, Long.MAX_VALUE, -1L, n, 2L * n, n - 8, 1L << 40,
                r.nextInt(n), r.nextLong()};
            long lie = lies[r.nextInt(lies.length)];
            int width = new int[] {2, 4, 8}[r.nextInt(3)];
            int at = Math.min(position(n, signatures, r), n - width);
            ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
            if (width == 2) {
                bb.putShort(at, (short) lie);
            } else if (width == 4) {
                bb.putInt(at, (int) lie);
            } else {
                bb.putLong(at, lie);
            }
            return new Mutant(b, "wrote the " + width + "-byte value " + lie + " at byte " + at);
        }
        if (kind < 85) {
            int length = r.nextInt(n);
            return new Mutant(Arrays.copyOf(original, length), "truncated to " + length + " bytes");
        }
        int at = position(n, signatures, r);
        int count = 1 + r.nextInt(64);
        if (r.nextBoolean()) {
            byte[] b = new byte[n + count];
            System.arraycopy(original, 0, b, 0, at);
            byte[] junk = new byte[count];
            r.nextBytes(junk);
            System.arraycopy(junk, 0, b, at, count);
            System.arraycopy(original, at, b, at + count, n - at);
            return new Mutant(b, "inserted " + count + " random bytes at byte " + at);
        }
        count = Math.min(count, n - at);
        byte[] b = new byte[n - count];
        System.arraycopy(original, 0, b, 0, at);
        System.arraycopy(original, at + count, b, at, n - at - count);
        return new Mutant(b, "deleted " + count + " bytes at byte " + at);
    }

    /** Half uniform, half within 64 bytes after a structure signature (or in the superblock). */
    private static int position(int n, List<Integer> signatures, Random r) {
        if (r.nextBoolean() || signatures.isEmpty()) {
            return r.nextInt(n);
        }
        int base = r.nextInt(8) == 0 ? 0 : signatures.get(r.nextInt(signatures.size()));
        return Math.min(n - 1, base + r.nextInt(64));
    }
}
