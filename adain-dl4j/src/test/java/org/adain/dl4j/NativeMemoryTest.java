package org.adain.dl4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.Test;

/** glibc keeps what is freed below a chunk in use; {@link NativeMemory#release()} gives it back. */
class NativeMemoryTest {
    private static final long CHUNK = 64 << 10; // below glibc's mmap threshold: served from the heap, not mmap
    private static final int CHUNKS = 3200;     // 200 MiB

    @Test
    void freedHeapMemoryBelowALiveChunkGoesBackToTheSystem() throws IOException {
        assumeTrue(System.getProperty("os.name").startsWith("Linux") && NativeMemory.available(),
                "glibc's malloc_trim: Linux only");
        List<Pointer> chunks = new ArrayList<>();
        for (int i = 0; i < CHUNKS; i++) {
            Pointer p = Pointer.malloc(CHUNK);
            assertThat(p.isNull()).isFalse();
            Pointer.memset(p, 1, CHUNK); // resident
            chunks.add(p);
        }
        Pointer pin = Pointer.malloc(CHUNK); // above the others: the heap's top cannot shrink past it
        try {
            chunks.forEach(Pointer::free);
            long held = rssAnonKib();
            assertThat(NativeMemory.release()).isTrue();
            long after = rssAnonKib();
            assertThat(held - after).as("KiB returned of %d freed (RssAnon %d → %d)", CHUNKS * CHUNK >> 10, held,
                    after).isGreaterThan((CHUNKS * CHUNK >> 10) / 2);
        } finally {
            Pointer.free(pin);
        }
    }

    @Test
    void thePropertyTurnsItOff() {
        String old = System.getProperty(NativeMemory.PROPERTY);
        System.setProperty(NativeMemory.PROPERTY, "false");
        try {
            assertThat(NativeMemory.available()).isFalse();
            assertThat(NativeMemory.release()).isFalse();
        } finally {
            if (old == null) {
                System.clearProperty(NativeMemory.PROPERTY);
            } else {
                System.setProperty(NativeMemory.PROPERTY, old);
            }
        }
    }

    private static long rssAnonKib() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("RssAnon:")) {
                return Long.parseLong(line.substring(8).trim().split("\\s+")[0]);
            }
        }
        throw new IllegalStateException("no RssAnon in /proc/self/status");
    }
}
