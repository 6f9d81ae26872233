package org.adain.dl4j;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.adain.spi.DecoderWeights;
import org.adain.spi.EncoderKind;
import org.adain.spi.EncoderWeights;
import org.adain.spi.TrainingConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The decisions the dl4j backend logs through System.Logger "org.adain.dl4j", at INFO: the native library ND4J
 * started with (once per JVM, so seen in a fresh one) and the buffer reuse of each model and training session.
 */
class Dl4jDecisionLogTest {
    private static final EncoderWeights ENCODER = TestNets.encoder(EncoderKind.NORMALISED_VGG19, 4, 5, 6, 8, 31);
    private static final DecoderWeights DECODER = TestNets.decoder(4, 5, 6, 8, 32);

    @TempDir
    Path dir;

    @AfterEach
    void clearProperty() {
        System.clearProperty(Nd4jRuntime.BUFFER_POOL_PROPERTY);
    }

    private static List<String> logOfLoading() {
        try (LogCapture log = new LogCapture(Dl4jLog.NAME)) {
            new Dl4jBackendProvider().load(ENCODER, DECODER).close();
            return bufferLines(log);
        }
    }

    /** The buffer-reuse lines (the first test to start ND4J in this JVM also sees its start line). */
    private static List<String> bufferLines(LogCapture log) {
        return log.lines().stream().filter(l -> !l.startsWith("INFO Started ND4J ")).toList();
    }

    @Test
    void eachModelLogsItsBufferReuseAndWhere() {
        assertThat(logOfLoading()).singleElement().asString().matches("INFO Buffer reuse for this model: up to \\d+ "
                + "MiB \\(default: the lesser of 512 MiB and a quarter of the machine's memory, \\d+\\.\\d GiB\\)");
        System.setProperty(Nd4jRuntime.BUFFER_POOL_PROPERTY, " 64 ");
        assertThat(logOfLoading()).containsExactly(
                "INFO Buffer reuse for this model: up to 64 MiB (-Dadain.dl4j.bufferPoolMiB=64)");
        System.setProperty(Nd4jRuntime.BUFFER_POOL_PROPERTY, "0");
        assertThat(logOfLoading()).containsExactly(
                "INFO Buffer reuse for this model: off (-Dadain.dl4j.bufferPoolMiB=0)");
    }

    @Test
    void aTrainingSessionLogsItsBufferReuse() {
        System.setProperty(Nd4jRuntime.BUFFER_POOL_PROPERTY, "32");
        try (LogCapture log = new LogCapture(Dl4jLog.NAME)) {
            new Dl4jBackendProvider().train(ENCODER, DECODER, TrainingConfig.portDefaults()).close();
            assertThat(bufferLines(log)).containsExactly(
                    "INFO Buffer reuse for this training session: up to 32 MiB (-Dadain.dl4j.bufferPoolMiB=32)");
        }
    }

    @Test
    void theNativeLibraryIsLoggedOnceWhenNd4jStarts() throws Exception {
        Path out = dir.resolve("out.txt");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
                "-cp", System.getProperty("java.class.path"),
                "-Djava.util.logging.SimpleFormatter.format=%4$s %3$s - %5$s%n", Start.class.getName())
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        if (!p.waitFor(3, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("the child JVM hung: " + Files.readString(out));
        }
        String output = Files.readString(out);
        assertThat(p.exitValue()).as(output).isZero();
        List<String> ours = output.lines().filter(l -> l.contains(" org.adain.dl4j - ")).toList();
        assertThat(ours).as(output).singleElement().asString()
                .startsWith("INFO org.adain.dl4j - Started ND4J 1.0.0-M2.1 CpuBackend, native linux-x86_64-onednn "
                        + "(oneDNN), ")
                .contains(" OMP threads, off-heap max ").contains("; natives from /");
    }

    /** The child JVM: starts ND4J twice. */
    public static final class Start {
        private Start() {
        }

        /**
         * Starts the runtime.
         *
         * @param args none
         */
        public static void main(String[] args) {
            Nd4jRuntime.start();
            Nd4jRuntime.start();
        }
    }
}
