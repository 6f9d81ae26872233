package org.adain.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The executable fat jar as users get it: merged service files, manifest, no stale signatures, and real runs
 * in a fresh JVM (native libraries load from inside the jar; stderr holds nothing but our own lines, which
 * in-process tests cannot see for natively printed text). Runs in the verify phase, after the shade step;
 * the jar's path comes from the system property adain.jar.
 */
class ShadedJarTest {
    static Path jar;

    @TempDir
    Path dir;

    @BeforeAll
    static void findJar() {
        String property = System.getProperty("adain.jar");
        assertThat(property).as("system property adain.jar (set by the pom)").isNotNull();
        jar = Path.of(property);
        assertThat(jar).isRegularFile();
    }

    @Test
    void sizeIsSane() throws IOException {
        // ND4J's natives for one platform are ~100 MB compressed; several platforms would be far more.
        assertThat(Files.size(jar)).isBetween(1L << 20, 300L << 20);
    }

    @Test
    void manifestNamesTheMainClassAndNoSignatureRemains() throws IOException {
        try (JarFile jf = new JarFile(jar.toFile())) {
            assertThat(jf.getManifest().getMainAttributes().getValue("Main-Class"))
                    .isEqualTo(AdainCli.class.getName());
            assertThat(Collections.list(jf.entries()).stream().map(ZipEntry::getName)
                    .filter(n -> n.startsWith("META-INF/") && n.matches("META-INF/[^/]+\\.(SF|DSA|RSA)")))
                    .isEmpty();
        }
    }

    @Test
    void serviceFilesAreMergedAndEveryListedClassIsInTheJar() throws IOException {
        try (JarFile jf = new JarFile(jar.toFile())) {
            List<String> services = Collections.list(jf.entries()).stream().map(ZipEntry::getName)
                    .filter(n -> n.startsWith("META-INF/services/") && !n.endsWith("/")).toList();
            assertThat(services).contains("META-INF/services/org.adain.spi.BackendProvider",
                    "META-INF/services/org.adain.spi.WeightsReader",
                    "META-INF/services/org.nd4j.linalg.factory.Nd4jBackend");
            for (String service : services) {
                List<String> providers = providers(jf, service);
                assertThat(providers).as(service).isNotEmpty();
                for (String provider : providers) {
                    assertThat(jf.getEntry(provider.replace('.', '/') + ".class"))
                            .as(provider + " listed in " + service).isNotNull();
                }
            }
            assertThat(providers(jf, "META-INF/services/org.nd4j.linalg.factory.Nd4jBackend"))
                    .contains("org.nd4j.linalg.cpu.nativecpu.CpuBackend");
            // .h5 is read and written in plain Java: no native HDF5 or DL4J Keras import in the product
            assertThat(providers(jf, "META-INF/services/org.adain.spi.WeightsWriter"))
                    .contains("org.adain.format.KerasHdf5WeightsWriter")
                    .doesNotContain("org.adain.dl4j.modelimport.KerasHdf5Writer");
            assertThat(providers(jf, "META-INF/services/org.adain.spi.WeightsReader"))
                    .contains("org.adain.format.KerasWeightsReader")
                    .doesNotContain("org.adain.dl4j.modelimport.KerasHdf5WeightsReader");
            assertThat(jf.stream().map(ZipEntry::getName)
                    .filter(n -> n.startsWith("org/bytedeco/hdf5/") || n.startsWith("org/deeplearning4j/nn/modelimport/")))
                    .as("native HDF5 or DL4J's Keras import in the fat jar").isEmpty();
            // The test-only providers of this module must not leak into the product.
            assertThat(providers(jf, "META-INF/services/org.adain.spi.BackendProvider"))
                    .doesNotContain(FaultyBackend.class.getName());
        }
    }

    private static List<String> providers(JarFile jf, String service) throws IOException {
        ZipEntry e = jf.getEntry(service);
        assertThat(e).as(service).isNotNull();
        List<String> names = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(jf.getInputStream(e),
                StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                String name = line.replaceAll("#.*", "").strip();
                if (!name.isEmpty()) {
                    names.add(name);
                }
            }
        }
        return names;
    }

    @Test
    void version() throws Exception {
        Result r = java("--version");
        assertThat(r.code).as(r.toString()).isZero();
        assertThat(r.out).startsWith("adain 0.");
    }

    @Test
    void envFindsTheBackend() throws Exception {
        Result r = java("env");
        assertThat(r.code).as(r.toString()).isZero();
        assertThat(r.out).contains("backend dl4j").doesNotContain("failed to start");
    }

    @Test
    void stylizesEndToEnd() throws Exception {
        Path out = dir.resolve("out.png");
        Result r = java("stylize", "--encoder", Fixtures.encoder(dir).toString(), "--decoder",
                Fixtures.decoder(dir).toString(), "--content", Fixtures.content(dir).toString(), "--style",
                Fixtures.style(dir, 0).toString(), "--content-size", "0", "--style-size", "0", "--output",
                out.toString());

        assertThat(r.code).as(r.toString()).isZero();
        assertThat(Fixtures.read(out).getWidth()).isEqualTo(64);
        assertThat(r.out).isEqualTo(out + System.lineSeparator());
        // Only our progress lines: no logging, no native library chatter.
        assertThat(r.err.lines()).as(r.toString()).allMatch(l -> l.startsWith("loading model ... ")
                || l.startsWith("encoding style ") || l.startsWith("[1/1] stylizing "));
    }

    @Test
    void convertToSameDiffPrintsNothingOnStderr() throws Exception {
        Path fb = dir.resolve("decoder.fb");
        Result r = java("convert", Fixtures.decoder(dir).toString(), fb.toString());

        assertThat(r.code).as(r.toString()).isZero();
        // SameDiff's start makes ND4J warn (ImportClassMapping); without --debug the log is off (CliLogsTest)
        assertThat(r.err).as(r.toString()).isEmpty();
        assertThat(fb).isRegularFile();
    }

    @Test
    void truncatedWeightsGiveOneLineEvenFromNativeCode() throws Exception {
        Path truncated = Fixtures.firstBytes(Fixtures.encoder(dir), 0.6, dir.resolve("cut.h5"));
        Result r = java("stylize", "-q", "--encoder", truncated.toString(), "--decoder",
                Fixtures.decoder(dir).toString(), "--content", Fixtures.content(dir).toString(), "--style",
                Fixtures.style(dir, 0).toString(), "--output", dir.resolve("out.png").toString());

        assertThat(r.code).as(r.toString()).isEqualTo(1);
        assertThat(r.err.lines()).as(r.toString()).hasSize(1);
        assertThat(r.err).startsWith("adain: error: ").contains("cut.h5");
    }

    /**
     * {@code train} in the fat jar, which draws {@code losses.png} with XChart: the PDF, SVG and GIF exporters XChart
     * depends on are excluded (the PNG path does not need them), and neither they nor what they pull are in the jar.
     */
    @Test
    void trainsAndDrawsTheLossPlotWithoutXchartsOtherExporters() throws Exception {
        Path contents = dir.resolve("content");
        Fixtures.content(contents);
        Fixtures.testkit(contents, "images/content_75x100.png");
        Path styles = dir.resolve("style");
        Fixtures.style(styles, 0);
        Fixtures.style(styles, 1);
        Path out = dir.resolve("run");
        Result r = java("train", "-q", "--encoder", Fixtures.encoder(dir).toString(), "--content-dir",
                contents.toString(), "--style-dir", styles.toString(), "--out", out.toString(), "--iterations", "4",
                "--batch", "1", "--image-size", "32", "--crop", "32", "--checkpoint-every", "2", "--sample-every", "0",
                "--seed", "3");

        assertThat(r.code).as(r.toString()).isZero();
        Path plot = out.resolve(LossChart.FILE_NAME);
        assertThat(r.out.lines()).as(r.toString()).contains(plot.toString(), out.resolve("losses.csv").toString());
        BufferedImage png = Fixtures.read(plot);
        assertThat(png.getWidth()).isEqualTo(LossChart.WIDTH);
        assertThat(png.getHeight()).isEqualTo(LossChart.HEIGHT);
        assertThat(r.err).as(r.toString()).doesNotContain("cannot draw").doesNotContain("Exception")
                .doesNotContain("Error").doesNotContain("adain: error");
        try (JarFile jf = new JarFile(jar.toFile())) {
            List<String> names = Collections.list(jf.entries()).stream().map(ZipEntry::getName).toList();
            assertThat(names).contains("org/knowm/xchart/XYChart.class", "org/knowm/xchart/BitmapEncoder.class");
            assertThat(names).noneMatch(n -> n.startsWith("de/erichseifert/") || n.startsWith("de/rototor/")
                    || n.startsWith("org/apache/pdfbox/") || n.startsWith("org/apache/fontbox/")
                    || n.startsWith("com/madgag/"));
        }
    }

    record Result(int code, String out, String err) {
    }

    private Result java(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xmx1g", "-jar", jar.toString()));
        command.addAll(List.of(args));
        Path stdout = dir.resolve("stdout.txt");
        Path stderr = dir.resolve("stderr.txt");
        Process p = new ProcessBuilder(command).redirectOutput(stdout.toFile()).redirectError(stderr.toFile())
                .start();
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("java -jar adain.jar timed out: " + command);
        }
        return new Result(p.exitValue(), Files.readString(stdout), Files.readString(stderr));
    }
}
