package org.adain.dl4j.modelimport;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.adain.BackendException;
import org.adain.ModelException;
import org.adain.dl4j.TestNets;
import org.adain.testkit.formats.BoundedReads;
import org.adain.testkit.formats.FuzzDuration;
import org.adain.testkit.formats.FuzzFindings;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Jazzer fuzz target of the {@code .fb} reader (ND4J's FlatBuffers import, native-backed). Surefire runs this
 * class alone in a JVM of its own (adain-dl4j's pom), so a native crash fails that run, not the build's other
 * tests; {@link SameDiffMutationTest} replays the committed corpus ({@code SameDiffFuzzTestInputs/fb/}) in a child
 * JVM per run as well. Seeds: a decoder written by {@link SameDiffWeightsWriter}, and a foreign SameDiff graph.
 */
class SameDiffFuzzTest {
    private static Path file;

    @BeforeAll
    static void setUp() throws IOException {
        FuzzDuration.apply();
        file = Files.createTempFile("adain-fuzz", ".fb");
        file.toFile().deleteOnExit();
    }

    @MethodSource("seeds")
    @FuzzTest
    void fb(byte[] data) throws IOException {
        Files.write(file, data);
        FuzzFindings.run("fb", data, () -> BoundedReads.check("fuzz.fb", file,
                new SameDiffWeightsReader()::readDecoder, ModelException.class, BackendException.class));
    }

    static Stream<Arguments> seeds() throws IOException {
        Path f = Files.createTempFile("adain-seed", ".fb");
        try {
            new SameDiffWeightsWriter().writeDecoder(TestNets.decoder(4, 6, 8, 10, 7), f);
            return Stream.of(Arguments.of((Object) Files.readAllBytes(f)));
        } finally {
            Files.deleteIfExists(f);
        }
    }
}
