package org.adain.dl4j.modelimport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.adain.BackendException;
import org.adain.ModelException;
import org.adain.testkit.formats.BoundedReads;
import org.adain.testkit.formats.Mutants;

/**
 * Reads {@code .fb} files in a child JVM, so that a native crash in ND4J's FlatBuffers import fails the test that
 * started it instead of killing the build's JVM. Each read keeps the {@link BoundedReads} contract (ModelException
 * or, when the native library cannot load, BackendException). Prints {@code reading <label>} before each read, so
 * the parent can name the input of a crash; exits 0 when every read kept the contract, 1 otherwise.
 *
 * <pre>
 * FbReads mutants FIXTURE SEED COUNT DIR    seeded mutants of FIXTURE, written to DIR/m.fb
 * FbReads files FILE...                     the given files (a corpus)
 * </pre>
 */
final class FbReads {
    private FbReads() {
    }

    /** Starts this class in a child JVM with the test class path; returns its exit code, output in {@code log}. */
    static int runChild(Path log, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xmx1g", "-XX:ErrorFile=" + log.getParent().resolve("hs_err_%p.log"), "-cp",
                System.getProperty("java.class.path"), FbReads.class.getName()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return p.waitFor();
    }

    /** The last input the child started to read, for the message of a crash. */
    static String lastInput(Path log) throws IOException {
        String last = "(none)";
        for (String line : Files.readAllLines(log)) {
            if (line.startsWith("reading ")) {
                last = line.substring(8);
            }
        }
        return last;
    }

    public static void main(String[] args) throws IOException {
        SameDiffWeightsReader reader = new SameDiffWeightsReader();
        try {
            if (args[0].equals("mutants")) {
                byte[] original = Files.readAllBytes(Path.of(args[1]));
                reader.readDecoder(Path.of(args[1]));   // the fixture reads, and ND4J is loaded before measuring
                long seed = Long.parseLong(args[2]);
                int count = Integer.parseInt(args[3]);
                Path f = Path.of(args[4]).resolve("m.fb");
                Random random = new Random(seed);
                List<Integer> hot = Mutants.find(original, "conv", "features", "image", "adain", "decoder");
                int refused = 0;
                long maxCpu = 0;
                long maxBytes = 0;
                for (int i = 0; i < count; i++) {
                    Mutants.Mutant m = Mutants.mutate(original, hot, random);
                    Files.write(f, m.bytes());
                    String label = "mutant " + i + " (seed " + seed + ", " + m.what() + ")";
                    System.out.println("reading " + label);
                    System.out.flush();
                    BoundedReads.Outcome o = BoundedReads.check(label, f, reader::readDecoder, ModelException.class,
                            BackendException.class);
                    refused += o.refused() ? 1 : 0;
                    maxCpu = Math.max(maxCpu, o.cpuNanos());
                    maxBytes = Math.max(maxBytes, o.allocatedBytes());
                }
                System.out.println("summary " + new BoundedReads.Summary(count, refused, maxCpu, maxBytes));
            } else {
                for (int i = 1; i < args.length; i++) {
                    System.out.println("reading " + args[i]);
                    System.out.flush();
                    BoundedReads.check(args[i], Path.of(args[i]), reader::readDecoder, ModelException.class,
                            BackendException.class);
                }
                System.out.println("summary " + (args.length - 1) + " files");
            }
        } catch (AssertionError e) {
            System.out.println("broken contract: " + e.getMessage());
            if (e.getCause() != null) {
                e.getCause().printStackTrace(System.out);
            }
            System.out.flush();
            System.exit(1);
        }
        System.out.flush();
        System.exit(0);
    }
}
