package org.adain.examples.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The soak benchmark's memory classes and the JVM's own malloc, from texts shaped like Linux's and JDK 17's. */
class MemoryMapTest {
    private static final String NMT = """
            Native Memory Tracking:

            (Omitting categories weighting less than 1KB)

            Total: reserved=7842532KB, committed=484748KB
                   malloc: 10140KB #61173
                   mmap:   reserved=7832392KB, committed=474608KB

            -                 Java Heap (reserved=6172672KB, committed=397312KB)
                                        (mmap: reserved=6172672KB, committed=397312KB)

            -                     Class (reserved=1048785KB, committed=1361KB)
                                        (malloc=209KB #3963) (at peak)

            Virtual memory map:

            [0x0000000680000000 - 0x0000000800000000] reserved 6291456KB for Java Heap from
            """;

    @Test
    void theJvmsMallocIsTheTotalOfTheSummaryNotACategory() {
        assertThat(MemoryMap.nmtMallocKib(NMT)).isEqualTo(10140);
        assertThat(MemoryMap.nmtMallocKib("")).isEqualTo(-1);
    }

    @Test
    void mappingsGoToTheirClassesAndAddUpToTheResidentSet() {
        String smaps = """
                680000000-681000000 rw-p 00000000 00:00 0
                Rss:               16384 kB
                7f0000000000-7f0004000000 rw-p 00000000 00:00 0
                Rss:                8192 kB
                7f1000000000-7f1000200000 r-xp 00000000 08:01 42   /root/.javacpp/cache/x.jar/libnd4jcpu.so
                Rss:                2048 kB
                7f2000001000-7f2000002000 rw-p 00000000 00:00 0
                Rss:                   4 kB
                """;
        Map<String, Long> kib = MemoryMap.classify(smaps, NMT);
        assertThat(kib).containsEntry("java_heap", 16384L).containsEntry("malloc_arenas", 8192L)
                .containsEntry("so_javacpp", 2048L).containsEntry("anon_other", 4L).containsEntry("arena_count", 1L);
        long sum = kib.entrySet().stream().filter(e -> !e.getKey().endsWith("_count"))
                .mapToLong(Map.Entry::getValue).sum();
        assertThat(sum).isEqualTo(16384 + 8192 + 2048 + 4);
    }
}
