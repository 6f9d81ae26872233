package org.adain.testkit.formats;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.function.Consumer;
import org.adain.ModelException;
import org.adain.format.PyTorchWeightsReader;
import org.adain.format.Torch7WeightsReader;
import org.adain.spi.WeightsReader;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Seeded {@link Mutants} of the PyTorch (zip and legacy container) and Torch7 fixtures, each read by its reader:
 * every read keeps the {@link BoundedReads} contract (weights or a {@link ModelException}, never another exception
 * or an error, a message without control characters, at most 2 s of CPU and 100 MB allocated). Hot spots are the
 * zip records, the pickle's globals and persistent ids, and the Torch7 class names. {@code -Dadain.mutants=N}
 * changes the number of mutants per fixture (default 1000).
 */
class TorchFormatsMutationTest {
    static final int MUTANTS = Integer.getInteger("adain.mutants", 1000);

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        FormatFixtures.ZIP_DECODER + ", decoder",
        FormatFixtures.ZIP_ENCODER + ", encoder",
        FormatFixtures.LEGACY_DECODER + ", decoder",
        FormatFixtures.LEGACY_ENCODER + ", encoder",
        FormatFixtures.T7_DECODER + ", decoder",
        FormatFixtures.T7_ENCODER + ", encoder"})
    void everyMutantEndsInWeightsOrAModelExceptionQuickly(String fixture, String role) {
        byte[] original = FormatFixtures.bytes(fixture);
        boolean t7 = fixture.endsWith(".t7");
        WeightsReader reader = t7 ? new Torch7WeightsReader() : new PyTorchWeightsReader();
        Consumer<Path> read = role.equals("decoder") ? reader::readDecoder : reader::readEncoder;
        read.accept(FormatFixtures.copyTo(fixture, dir.resolve("src")));   // the fixture itself reads

        BoundedReads.Summary s = BoundedReads.mutants(original, t7
                ? Mutants.find(original, "torch.", "nn.", "V 1", "weight", "bias", "modules")
                : Mutants.find(original, "PK\u0003\u0004", "PK\u0001\u0002", "PK\u0005\u0006", "storage", "torch",
                        "collections", "_rebuild", "little_endian", "data.pkl"),
                fixture.hashCode() * 31L + 20261206L, MUTANTS, dir, "m" + (t7 ? ".t7" : ".pth"), read);
        System.out.println(fixture + ": " + s);
        assertThat(s.refused()).as("mutations that break the structure are refused").isGreaterThan(MUTANTS / 10);
    }
}
