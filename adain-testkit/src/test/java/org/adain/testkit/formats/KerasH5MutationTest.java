package org.adain.testkit.formats;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.adain.ModelException;
import org.adain.format.KerasWeightsReader;
import org.adain.testkit.reference.ReferenceCases;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Seeded {@link Mutants} of every Keras fixture, read by the pure-Java {@link KerasWeightsReader}: flipped bytes,
 * lying lengths and addresses written over fields (near the HDF5 structure signatures), truncations, inserted and
 * deleted bytes. Each read must keep the {@link BoundedReads} contract: weights or a {@link ModelException}, at
 * most 2 s of CPU and 100 MB allocated (the limits for any .h5 under 1 MB). A read takes a few
 * milliseconds. {@code -Dadain.mutants=N} changes the number of mutants per fixture (default 1000).
 */
class KerasH5MutationTest {
    static final int MUTANTS = Integer.getInteger("adain.mutants", 1000);

    private final KerasWeightsReader reader = new KerasWeightsReader();

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"encoder_tf2.h5", "encoder_keras23.h5", "decoder_tf2.h5", "decoder_keras23.h5",
        "vgg19_notop.h5", "vgg19_notop_keras2.h5"})
    void everyMutantEndsInWeightsOrAModelExceptionQuickly(String fixture) throws IOException {
        byte[] original = Files.readAllBytes(ReferenceCases.copyTo("models/" + fixture, dir.resolve("src")));
        assertThat(original.length).as("the limits are for files under 1 MB").isLessThan(1 << 20);
        Consumer<Path> read = fixture.startsWith("decoder") ? reader::readDecoder : reader::readEncoder;
        // the unmutated file reads, so a refusal of a mutant is the mutation's doing
        read.accept(Files.write(dir.resolve(fixture), original));

        BoundedReads.Summary s = BoundedReads.mutants(original,
                Mutants.find(original, "TREE", "SNOD", "HEAP", "GCOL", "OHDR", "OCHK", "FRHP", "BTHD"),
                fixture.hashCode() * 31L + 20240611L, MUTANTS, dir, "m_" + fixture, read);
        System.out.println(fixture + ": " + s);
        assertThat(s.refused()).as("mutations that break the structure are refused").isGreaterThan(MUTANTS / 10);
    }
}
