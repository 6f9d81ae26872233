package org.adain.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.adain.ModelException;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Seeded mutants of the HDF5 feature fixtures (the structures Keras files do not use: dense links and
 * attributes, fractal heaps, v2 B-trees, chunk indexes, deflate, shuffle, fletcher32, superblocks 1–3), each read
 * in full. Every read ends in values or a {@link ModelException}, within 2 s of CPU and 100 MB allocated on the
 * reading thread. The Keras fixtures get the same treatment, 1000 mutants each, in adain-testkit's
 * KerasH5MutationTest. {@code -Dadain.mutants=N} sets the mutants per fixture here (default 300).
 */
class Hdf5MutationTest {
    static final int MUTANTS = Integer.getInteger("adain.mutants", 300);
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"earliest.h5", "sb1.h5", "v18.h5", "latest.h5", "early_alloc.h5", "small_offsets.h5",
        "userblock.h5"})
    void everyMutantEndsInValuesOrAModelException(String fixture) throws IOException {
        byte[] original = Files.readAllBytes(Hdf5Fixtures.copy(fixture, dir));
        Random r = new Random(fixture.hashCode() + 77L);
        THREADS.setThreadAllocatedMemoryEnabled(true);
        THREADS.setThreadCpuTimeEnabled(true);
        int refused = 0;
        for (int i = 0; i < MUTANTS; i++) {
            byte[] b = original.clone();
            String what;
            int kind = r.nextInt(4);
            int at = r.nextInt(b.length - 8);
            if (kind == 0) {
                b[at] ^= (byte) (1 + r.nextInt(255));
                what = "flipped byte " + at;
            } else if (kind == 1) {
                long[] lies = {0xffffffffL, Long.MAX_VALUE, -1L, b.length, 1L << 40, r.nextInt(b.length)};
                long lie = lies[r.nextInt(lies.length)];
                ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(at, lie);
                what = "wrote " + lie + " at byte " + at;
            } else if (kind == 2) {
                b = Arrays.copyOf(b, at);
                what = "truncated to " + at;
            } else {
                byte[] c = new byte[b.length - 8];
                System.arraycopy(b, 0, c, 0, at);
                System.arraycopy(b, at + 8, c, at, b.length - at - 8);
                b = c;
                what = "deleted 8 bytes at " + at;
            }
            Path f = Files.write(dir.resolve("m.h5"), b);
            long bytes0 = THREADS.getCurrentThreadAllocatedBytes();
            long cpu0 = THREADS.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            try {
                readEverything(f);
            } catch (ModelException e) {
                refused++;
                assertThat(e.getMessage()).startsWith("m.h5: ");
            } catch (Throwable t) {
                fail(fixture + " mutant " + i + " (" + what + ") ended in " + t + ", not a ModelException", t);
            }
            assertThat(THREADS.getCurrentThreadCpuTime() - cpu0).as("%s %s: CPU", fixture, what)
                    .isLessThan(2_000_000_000L);
            assertThat(System.nanoTime() - t0).as("%s %s: wall", fixture, what).isLessThan(30_000_000_000L);
            assertThat(THREADS.getCurrentThreadAllocatedBytes() - bytes0).as("%s %s: allocated", fixture, what)
                    .isLessThan(100L << 20);
        }
        assertThat(refused).isGreaterThan(MUTANTS / 10);
    }

    /** A mutant may rename a link; that is a refusal like any other here. */
    private static Hdf5Object present(Hdf5File h5, String path) {
        Hdf5Object o = h5.object(path);
        if (o == null) {
            throw new ModelException("m.h5: no '" + path + "' in this mutant");
        }
        return o;
    }

    /** Every attribute, member and dataset of the fixture's content. */
    private static void readEverything(Path f) {
        try (Hdf5File h5 = Hdf5File.open(f, "m.h5")) {
            h5.string("/", "fixed", 100);
            h5.string("/", "vlen", 100);
            h5.stringList("/", "names", 100);
            h5.stringList("/", "empty", 100);
            for (String name : present(h5, "g").links().keySet()) {
                present(h5, "g/" + name).attribute("index");
            }
            for (int i = 0; i < Hdf5Fixtures.ATTRS; i++) {
                present(h5, "attrs").attribute(String.format("a%02d", i));
            }
            for (String name : Hdf5Fixtures.DATASETS) {
                h5.readFloats("data/" + name);
            }
        }
    }
}
