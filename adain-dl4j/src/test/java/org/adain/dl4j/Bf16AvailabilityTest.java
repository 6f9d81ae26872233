package org.adain.dl4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.adain.dl4j.graph.Dnnl;
import org.junit.jupiter.api.Test;

/**
 * What a user gets on a CPU or platform without native bf16, shown on this machine by capping oneDNN's ISA
 * ({@code ONEDNN_MAX_CPU_ISA}, as docs/BENCHMARKS.md's capped runs did) or leaving its natives off the classpath (as
 * on macOS arm64), each in a JVM of its own ({@link Bf16AvailabilityProbe}).
 */
class Bf16AvailabilityTest {
    /** AVX2 only: no bf16 convolution; a bf16 model is refused naming the ISA, float32 runs. */
    @Test
    void avx2RefusesBf16AndKeepsFloat32() throws Exception {
        needsAvx512();
        Map<String, String> out = probe(Map.of("ONEDNN_MAX_CPU_ISA", "AVX2"), classPath());
        assertThat(out).containsEntry("probe.level", "UNAVAILABLE").containsEntry("probe.isa", "avx2");
        assertThat(out.get("probe.bf16")).startsWith("refused").contains("avx2");
        assertThat(out.get("probe.f32")).isEqualTo("ok [1, 3, 16, 16]");
    }

    /** AVX-512 without bf16 instructions: emulated, said so, and the model still builds and runs. */
    @Test
    void avx512WithoutBf16IsEmulated() throws Exception {
        needsAvx512();
        Map<String, String> out = probe(Map.of("ONEDNN_MAX_CPU_ISA", "AVX512_CORE"), classPath());
        assertThat(out).containsEntry("probe.level", "EMULATED").containsEntry("probe.isa", "avx512_core");
        assertThat(out.get("probe.message")).contains("slower than float32");
        assertThat(out.get("probe.bf16")).isEqualTo("built 4");
        assertThat(Double.parseDouble(out.get("probe.diff"))).isGreaterThan(0).isLessThanOrEqualTo(0.04);
    }

    /** No dnnl natives on the classpath (macOS arm64): no UnsatisfiedLinkError, a BackendException, float32 runs. */
    @Test
    void missingNativesRefuseBf16AndKeepFloat32() throws Exception {
        List<String> cp = classPath().stream()
                .filter(e -> !Path.of(e).getFileName().toString().matches("(dnnl|opencl)-.*-(linux|macosx|windows)-.*\\.jar"))
                .toList();
        // on x86-64 this drops the dnnl and opencl natives; on arm64 there are none to drop, which is the same case
        Map<String, String> out = probe(Map.of(), cp);
        assertThat(out).containsEntry("probe.level", "UNAVAILABLE").containsEntry("probe.isa", "none");
        assertThat(out.get("probe.bf16")).startsWith("refused").contains("could not be loaded")
                .contains("UnsatisfiedLinkError");
        assertThat(out.get("probe.f32")).isEqualTo("ok [1, 3, 16, 16]");
    }

    private static void needsAvx512() {
        Dnnl.Bf16Support s = Dnnl.bf16Support();
        assumeTrue(s.level() != Dnnl.Bf16Level.UNAVAILABLE, "capping needs an AVX-512 CPU: " + s.message());
    }

    private static List<String> classPath() {
        return Arrays.asList(System.getProperty("java.class.path").split(File.pathSeparator));
    }

    private static Map<String, String> probe(Map<String, String> env, List<String> cp)
            throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", String.join(File.pathSeparator, cp), Bf16AvailabilityProbe.class.getName());
        pb.environment().putAll(env);
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(text).isZero();
        return text.lines().filter(l -> l.startsWith("probe.")).collect(Collectors.toMap(
                l -> l.substring(0, l.indexOf('=')), l -> l.substring(l.indexOf('=') + 1)));
    }
}
