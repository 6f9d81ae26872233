package org.adain.dl4j;

import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import java.lang.System.Logger.Level;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Gives the native memory that ND4J has freed back to the operating system, on Linux with glibc, by calling glibc's
 * {@code malloc_trim(0)} (through JNA, which ND4J already brings).
 *
 * <p>Why: ND4J allocates every array's buffer, and oneDNN its scratch memory, with {@code malloc} from the calling
 * thread and from its OpenMP workers. glibc serves them from per-thread arenas of 64 MiB and keeps what is freed
 * there for later; a chunk in use near the top of an arena pins everything below it. Measured with the soak benchmark
 * ({@code bench/soak.sh}, docs/BENCHMARKS.md "Running in a server"): 8 such arenas, each fully resident, held about
 * 520 MiB after 300 stylisations at 256 px with the small test model, whose live arrays are a few MiB.
 * {@code malloc_trim} returns every free page of every arena ({@code madvise}), which glibc itself only does at the
 * top of the main heap. Elsewhere (macOS, Windows, musl) this does nothing: those allocators return memory their own
 * way.
 *
 * <p>Called after {@link Dl4jStyleModel#trimMemory()} and {@link Dl4jStyleModel#close()}, and after a decode at most
 * once per {@value #INTERVAL_MILLIS} ms, so a busy model keeps a steady footprint without paying for a trim (a walk
 * over every arena) on every call. {@code -Dadain.dl4j.mallocTrim=false} turns it off.
 */
final class NativeMemory {
    /** System property: {@code false} never calls {@code malloc_trim}. */
    static final String PROPERTY = "adain.dl4j.mallocTrim";
    /** The least time between two trims after decodes. */
    static final long INTERVAL_MILLIS = 1000;

    private static final Function MALLOC_TRIM = lookUp();
    private static final AtomicLong LAST_TRIM_NANOS = new AtomicLong(System.nanoTime());
    private static final AtomicLong TRIMS = new AtomicLong();

    private NativeMemory() {
    }

    /** Whether trims run here: Linux with glibc, and not turned off by {@value #PROPERTY}. */
    static boolean available() {
        return MALLOC_TRIM != null && !"false".equalsIgnoreCase(System.getProperty(PROPERTY, "").strip());
    }

    /**
     * Returns the freed native memory now.
     *
     * @return whether a trim ran (false where it is not {@link #available()} or failed)
     */
    static boolean release() {
        if (!available()) {
            return false;
        }
        try {
            // not logged: a line per trim would flood a busy server's log at any level it is enabled
            MALLOC_TRIM.invokeInt(new Object[] {0});
            LAST_TRIM_NANOS.set(System.nanoTime());
            TRIMS.incrementAndGet();
            return true;
        } catch (RuntimeException | LinkageError e) {
            // never worth failing a request over: the memory stays with the allocator, as without this class
            Dl4jLog.LOGGER.log(Level.DEBUG, () -> "malloc_trim failed: " + e);
            return false;
        }
    }

    /** How many trims have run in this JVM (for tests: that a path trims is checked by this count, not by RSS). */
    static long trims() {
        return TRIMS.get();
    }

    /** {@link #release()} when the last trim is at least {@value #INTERVAL_MILLIS} ms ago. */
    static void releaseNowAndThen() {
        long last = LAST_TRIM_NANOS.get();
        if (System.nanoTime() - last >= INTERVAL_MILLIS * 1_000_000L
                && LAST_TRIM_NANOS.compareAndSet(last, System.nanoTime())) {
            release();
        }
    }

    private static Function lookUp() {
        if (!Platform.isLinux()) {
            return null;
        }
        try {
            return NativeLibrary.getInstance(Platform.C_LIBRARY_NAME).getFunction("malloc_trim");
        } catch (RuntimeException | LinkageError e) {
            // musl and other C libraries without malloc_trim
            Dl4jLog.LOGGER.log(Level.DEBUG, () -> "No malloc_trim in this C library; freed native memory stays with"
                    + " the allocator: " + e);
            return null;
        }
    }
}
