package org.adain.dl4j;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The buffer pool's default size: a share of the machine's memory, not of the Java heap. */
class BufferPoolDefaultTest {
    private static final long MIB = 1L << 20;

    @AfterEach
    void clear() {
        System.clearProperty("org.bytedeco.javacpp.maxBytes");
        System.clearProperty("org.bytedeco.javacpp.maxbytes");
    }

    @Test
    void theDefaultIs512MiBOrAQuarterOfTheBoundWhenLess() {
        assertThat(Nd4jRuntime.defaultPoolBytes(24L << 30)).isEqualTo(512 * MIB);
        assertThat(Nd4jRuntime.defaultPoolBytes(2L << 30)).isEqualTo(512 * MIB);
        assertThat(Nd4jRuntime.defaultPoolBytes(1L << 30)).isEqualTo(256 * MIB);
        assertThat(Nd4jRuntime.defaultPoolBytes(0)).isZero();
    }

    @Test
    void theBoundIsTheMachinesMemoryNotTheHeap() {
        long total = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getTotalMemorySize();
        assertThat(Nd4jRuntime.memoryBound()).isEqualTo(total);
        // JavaCPP's default limit follows -Xmx, which a server bounds; the pool no longer shrinks with it
        assertThat(Nd4jRuntime.memoryBound()).isGreaterThanOrEqualTo(Runtime.getRuntime().maxMemory());
    }

    @Test
    void anExplicitJavaCppLimitIsHonoured() {
        System.setProperty("org.bytedeco.javacpp.maxBytes", "1g");
        assertThat(Nd4jRuntime.memoryBound()).isEqualTo(Pointer.maxBytes());
        System.clearProperty("org.bytedeco.javacpp.maxBytes");
        System.setProperty("org.bytedeco.javacpp.maxbytes", "1g");
        assertThat(Nd4jRuntime.memoryBound()).isEqualTo(Pointer.maxBytes());
    }
}
