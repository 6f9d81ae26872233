package org.adain.testkit.formats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.function.Consumer;
import org.adain.ModelException;

/**
 * The contract of a reader of untrusted files, checked on one file or on many seeded {@link Mutants}: every read
 * ends in a value or in one of the documented exception types (never another exception, never an {@link Error}
 * such as {@code OutOfMemoryError}), its message names the file and holds no control character, and it costs at
 * most {@link #CPU_NANOS} of the reading thread's CPU time and {@link #ALLOCATED_BYTES} allocated on that thread
 * (the limits for any model file under 1 MB). CPU time rather than wall time, so that a loaded machine cannot fail
 * the check; wall time is only held under {@link #WALL_NANOS} to catch a hang.
 *
 * <pre>{@code
 * BoundedReads.Summary s = BoundedReads.mutants(good, Mutants.find(good, "PK"), 42L, 1000, dir, "m.pth",
 *         f -> new PyTorchWeightsReader().readDecoder(f), ModelException.class);
 * assertThat(s.refused()).isGreaterThan(100);
 * }</pre>
 */
public final class BoundedReads {
    /** Most CPU time one read may use on its thread: 2 s. */
    public static final long CPU_NANOS = 2_000_000_000L;
    /** Most wall time one read may take (a hang, not a slow machine): 30 s. */
    public static final long WALL_NANOS = 30_000_000_000L;
    /** Most bytes one read may allocate on its thread: 100 MB. */
    public static final long ALLOCATED_BYTES = 100L << 20;

    /**
     * Factor on the CPU and allocation bounds, from {@code -Dadain.bounds.scale} (default 1). Jazzer's coverage
     * instrumentation in fuzzing mode allocates and computes on the reading thread itself (a read of 3 MB measured
     * 171 MB there), so the {@code fuzz} profile sets it to 100; regression mode and the mutation tests use 1.
     */
    public static final double SCALE = Double.parseDouble(System.getProperty("adain.bounds.scale", "1"));

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private BoundedReads() {
    }

    /**
     * What one read cost and how it ended.
     *
     * @param refused        true when it ended in an allowed exception
     * @param cpuNanos       CPU time of the reading thread
     * @param allocatedBytes bytes allocated on the reading thread
     */
    public record Outcome(boolean refused, long cpuNanos, long allocatedBytes) {
    }

    /**
     * What a run of mutants cost.
     *
     * @param mutants           how many were read
     * @param refused           how many were refused with an allowed exception
     * @param maxCpuNanos       the most CPU time one read took
     * @param maxAllocatedBytes the most bytes one read allocated
     */
    public record Summary(int mutants, int refused, long maxCpuNanos, long maxAllocatedBytes) {
        @Override
        public String toString() {
            return String.format("%d mutants, %d refused, most CPU %.1f ms, most allocated %.1f MB", mutants, refused,
                    maxCpuNanos / 1e6, maxAllocatedBytes / 1e6);
        }
    }

    /**
     * Reads {@code file} once and checks the contract; the message of a refusal must contain the file's name.
     *
     * @param label   names the input in failure messages
     * @param file    the file to read
     * @param read    the read, e.g. {@code reader::readDecoder}
     * @param allowed the documented exception types; none given means {@link ModelException}
     * @return how it ended and what it cost
     * @throws AssertionError when the read ends otherwise or exceeds a bound
     */
    @SafeVarargs
    public static Outcome check(String label, Path file, Consumer<Path> read,
            Class<? extends RuntimeException>... allowed) {
        List<Class<? extends RuntimeException>> types = allowed.length == 0 ? List.of(ModelException.class)
                : List.of(allowed);
        THREADS.setThreadAllocatedMemoryEnabled(true);
        THREADS.setThreadCpuTimeEnabled(true);
        String name = String.valueOf(file.getFileName());
        boolean refused = false;
        long bytes0 = THREADS.getCurrentThreadAllocatedBytes();
        long cpu0 = THREADS.getCurrentThreadCpuTime();
        long t0 = System.nanoTime();
        try {
            read.accept(file);
        } catch (RuntimeException e) {
            if (types.stream().noneMatch(t -> t.isInstance(e))) {
                fail(label + " ended in " + e + ", not one of " + types, e);
            }
            refused = true;
            String message = String.valueOf(e.getMessage());
            assertThat(message).as("%s: the message names the file", label).contains(name);
            assertThat(message.chars().filter(c -> c < 0x20 || c >= 0x7f && c < 0xa0).findFirst())
                    .as("%s: the message holds no control character: %s", label, message).isEmpty();
        } catch (Error e) {
            fail(label + " ended in " + e + ", an Error escaped the reader", e);
        }
        long wall = System.nanoTime() - t0;
        long cpu = THREADS.getCurrentThreadCpuTime() - cpu0;
        long allocated = THREADS.getCurrentThreadAllocatedBytes() - bytes0;
        assertThat(cpu).as("%s: CPU time", label).isLessThan((long) (CPU_NANOS * SCALE));
        assertThat(wall).as("%s: wall time", label).isLessThan((long) (WALL_NANOS * SCALE));
        assertThat(allocated).as("%s: bytes allocated", label).isLessThan((long) (ALLOCATED_BYTES * SCALE));
        return new Outcome(refused, cpu, allocated);
    }

    /**
     * Writes {@code count} seeded mutants of {@code original} to {@code dir/fileName} one after the other and
     * {@link #check}s the read of each.
     *
     * @param original the well-formed file's bytes
     * @param hotSpots positions for {@link Mutants#mutate}, e.g. from {@link Mutants#find}
     * @param seed     the seed of the mutants
     * @param count    how many mutants
     * @param dir      where the mutant is written
     * @param fileName the mutant's file name (readers may go by its extension)
     * @param read     the read
     * @param allowed  the documented exception types; none given means {@link ModelException}
     * @return the counts and the largest costs
     * @throws AssertionError when a read breaks the contract; the message names the mutant
     */
    @SafeVarargs
    public static Summary mutants(byte[] original, List<Integer> hotSpots, long seed, int count, Path dir,
            String fileName, Consumer<Path> read, Class<? extends RuntimeException>... allowed) {
        Objects.requireNonNull(read, "read");
        Random random = new Random(seed);
        int refused = 0;
        long maxCpu = 0;
        long maxBytes = 0;
        Path f = dir.resolve(fileName);
        for (int i = 0; i < count; i++) {
            Mutants.Mutant m = Mutants.mutate(original, hotSpots, random);
            try {
                Files.write(f, m.bytes());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Outcome o = check(fileName + " mutant " + i + " (seed " + seed + ", " + m.what() + ")", f, read,
                    allowed);
            refused += o.refused() ? 1 : 0;
            maxCpu = Math.max(maxCpu, o.cpuNanos());
            maxBytes = Math.max(maxBytes, o.allocatedBytes());
        }
        return new Summary(count, refused, maxCpu, maxBytes);
    }
}
