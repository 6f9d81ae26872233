package org.adain.dl4j.modelimport;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.adain.dl4j.TestNets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded mutants of a SameDiff decoder ({@code .fb}) and the committed fuzz corpus, read by
 * {@link SameDiffWeightsReader} in a child JVM ({@link FbReads}): ND4J parses the file natively, and a native crash
 * must fail this test, naming the input, not end the build. Every read keeps the {@code BoundedReads} contract.
 * {@code -Dadain.mutants=N} changes the number of mutants (default 1000).
 */
class SameDiffMutationTest {
    static final int MUTANTS = Integer.getInteger("adain.mutants", 1000);

    @TempDir
    Path dir;

    @Test
    void everyMutantEndsInWeightsOrAModelExceptionInAChildJvm() throws Exception {
        Path fixture = dir.resolve("decoder.fb");
        new SameDiffWeightsWriter().writeDecoder(TestNets.decoder(4, 6, 8, 10, 7), fixture);
        Path log = dir.resolve("mutants.log");
        int exit = FbReads.runChild(log, "mutants", fixture.toString(), "20261206", String.valueOf(MUTANTS),
                dir.toString());
        String out = Files.readString(log);
        assertThat(exit).as("child JVM exit (%s); last input %s; output:%n%s", exit > 128 ? "killed by signal "
                + (exit - 128) : "", FbReads.lastInput(log), tail(out)).isZero();
        String summary = out.lines().filter(l -> l.startsWith("summary ")).findFirst().orElseThrow();
        System.out.println("decoder.fb: " + summary.substring(8));
    }

    @Test
    void theFuzzCorpusReadsInAChildJvm() throws Exception {
        Path corpus = Path.of("src/test/resources/org/adain/dl4j/modelimport/SameDiffFuzzTestInputs/fb");
        List<String> args = new ArrayList<>(List.of("files"));
        try (Stream<Path> files = Files.list(corpus)) {
            files.sorted().forEach(f -> args.add(f.toAbsolutePath().toString()));
        }
        assertThat(args).hasSizeGreaterThan(1);
        Path log = dir.resolve("corpus.log");
        int exit = FbReads.runChild(log, args.toArray(String[]::new));
        assertThat(exit).as("child JVM exit; last input %s; output:%n%s", FbReads.lastInput(log),
                tail(Files.readString(log))).isZero();
    }

    private static String tail(String out) {
        List<String> lines = out.lines().filter(l -> !l.startsWith("reading ")).toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }
}
