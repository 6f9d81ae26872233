package org.adain.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.adain.spi.BackendProvider;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kit in backend projects' own builds, as their authors will run it: generated Maven projects whose test class
 * extends the kit, built by the Maven running this build (same local repository, offline when this build is). It
 * proves what the kit promises about test runners: the maven-surefire-plugin 2.12.4 that Maven 3.8 uses by default
 * runs no JUnit 5 test, and with the kit it fails the build naming the Surefire needed instead of passing. The
 * projects are the modules of one reactor, built by one Maven run (--fail-at-end), each checked by its own test.
 */
class ConsumerBuildTest {
    private static final String SUREFIRE_2_12_4 = "2.12.4";
    private static final String GUARD = "testRunsOnTheJUnitPlatform";

    /** The projects: module name → its section of the build's output. */
    private static final Map<String, String> OUTPUT = new LinkedHashMap<>();
    /** The reactor summary: module name → SUCCESS or FAILURE. */
    private static final Map<String, String> RESULT = new LinkedHashMap<>();

    @TempDir
    static Path reactor;

    @BeforeAll
    static void buildTheProjects() throws Exception {
        String home = System.getProperty("adain.maven.home");
        // Set by this module's pom for Surefire; an IDE run has no Maven to hand.
        Assumptions.assumeTrue(home != null && !home.isBlank(), "needs the Maven of the build (adain.maven.home)");
        Path mvn = Path.of(home, "bin", "mvn");
        assertThat(mvn).as("the Maven running this build").isExecutable();

        Path lib = Files.createDirectories(reactor.resolve("lib"));
        jar(location(BackendConformanceKit.class), lib.resolve("adain-testkit.jar"));
        jar(location(BackendProvider.class), lib.resolve("adain-api.jar"));
        String current = property("adain.surefire.version");
        // Surefire 2.12.4 with JUnit 5 alone: its plain-method runner calls the kit's public test... method.
        module("junit5-only", SUREFIRE_2_12_4, true, false, "");
        // With JUnit 4 present it picks its JUnit 4 runner, which runs the guard's @org.junit.Test.
        module("junit4-present", SUREFIRE_2_12_4, true, true, "");
        // The false green the guard exists for: a package-private class is invisible to the old runner.
        module("package-private", SUREFIRE_2_12_4, false, false, "");
        // The Surefire of this build, with a filter that leaves out every case.
        module("current-filtered", current, true, false, "<test>ConsumerConformanceTest#" + GUARD + "</test>");
        Files.writeString(reactor.resolve("pom.xml"), """
                <project xmlns="http://maven.apache.org/POM/4.0.0">
                  <modelVersion>4.0.0</modelVersion>
                  <groupId>org.example</groupId>
                  <artifactId>consumers</artifactId>
                  <version>1</version>
                  <packaging>pom</packaging>
                  <modules>
                %s  </modules>
                </project>
                """.formatted(OUTPUT.keySet().stream().map(m -> "    <module>" + m + "</module>\n")
                .collect(Collectors.joining())));

        List<String> cmd = new ArrayList<>(List.of(mvn.toString(), "-B", "-ntp", "--fail-at-end",
                "-Dmaven.repo.local=" + property("adain.maven.repo")));
        if (property("adain.maven.offline").equals("offline=true")) {
            cmd.add("-o");
        }
        cmd.add("test");
        Path log = reactor.resolve("build.log");
        Process p = new ProcessBuilder(cmd).directory(reactor.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        if (!p.waitFor(10, TimeUnit.MINUTES)) { // a bound against hangs, not a timing assertion
            p.destroyForcibly();
            throw new AssertionError("mvn did not finish in 10 minutes:\n" + Files.readString(log));
        }
        split(Files.readString(log, StandardCharsets.UTF_8));
    }

    @Test
    void surefire2124WithJUnit5AloneFailsNamingTheSurefireNeeded() {
        assertThat(RESULT.get("junit5-only")).as(OUTPUT.get("junit5-only")).isEqualTo("FAILURE");
        assertThat(OUTPUT.get("junit5-only")).contains("maven-surefire-plugin:2.12.4", "Tests run: 1, Failures: 1",
                GUARD, "ConsumerConformanceTest runs under a test runner that does not run JUnit 5 tests",
                BackendConformanceKit.SUREFIRE_NEEDED, "<version>3.5.2</version>");
    }

    @Test
    void surefire2124WithJUnit4OnTheClasspathFailsNamingTheSurefireNeeded() {
        assertThat(RESULT.get("junit4-present")).as(OUTPUT.get("junit4-present")).isEqualTo("FAILURE");
        assertThat(OUTPUT.get("junit4-present")).contains("maven-surefire-plugin:2.12.4",
                "Tests run: 1, Failures: 1", GUARD + "(org.example.ConsumerConformanceTest)",
                BackendConformanceKit.SUREFIRE_NEEDED);
    }

    @Test
    void withoutTheKitsRequirementsSurefire2124PassesWithNoTestRun() {
        assertThat(RESULT.get("package-private")).as(OUTPUT.get("package-private")).isEqualTo("SUCCESS");
        assertThat(OUTPUT.get("package-private")).contains("maven-surefire-plugin:2.12.4",
                "Tests run: 0, Failures: 0");
    }

    @Test
    void theCurrentSurefirePassesTheGuardAndFailsWhenNoCaseRan() {
        String out = OUTPUT.get("current-filtered");
        assertThat(RESULT.get("current-filtered")).as(out).isEqualTo("FAILURE");
        // The guard passes; the kit then fails at the end because the filter left every case out.
        assertThat(out).contains("maven-surefire-plugin:" + property("adain.surefire.version"),
                "Tests run: 2, Failures: 1", "no reference case ran for backend consumer-stub")
                .doesNotContain("does not run JUnit 5 tests");
    }

    // ---- the generated projects -----------------------------------------------------------------------------

    /**
     * Writes one backend project: the kit and the API as jars built from this build's classes (system scope: the
     * shared local repository holds other builds' snapshots), JUnit Jupiter and AssertJ from the local repository,
     * and a test class extending the kit, public or not, with a provider that cannot load (no case runs here).
     */
    private static void module(String name, String surefire, boolean publicClass, boolean junit4,
            String surefireConfiguration) throws IOException {
        Path dir = Files.createDirectories(reactor.resolve(name));
        OUTPUT.put(name, "");
        String junit4Dependency = junit4 ? dependency("junit", "junit", property("adain.junit4.version")) : "";
        Files.writeString(dir.resolve("pom.xml"), """
                <project xmlns="http://maven.apache.org/POM/4.0.0">
                  <modelVersion>4.0.0</modelVersion>
                  <groupId>org.example</groupId>
                  <artifactId>%s</artifactId>
                  <version>1</version>
                  <properties>
                    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
                  </properties>
                  <dependencies>
                    <dependency>
                      <groupId>org.adain</groupId><artifactId>adain-api</artifactId><version>0</version>
                      <scope>system</scope><systemPath>${project.basedir}/../lib/adain-api.jar</systemPath>
                    </dependency>
                    <dependency>
                      <groupId>org.adain</groupId><artifactId>adain-testkit</artifactId><version>0</version>
                      <scope>system</scope><systemPath>${project.basedir}/../lib/adain-testkit.jar</systemPath>
                    </dependency>
                    %s%s%s
                  </dependencies>
                  <build>
                    <plugins>
                      <plugin><artifactId>maven-resources-plugin</artifactId><version>3.3.1</version></plugin>
                      <plugin>
                        <artifactId>maven-compiler-plugin</artifactId><version>3.13.0</version>
                        <configuration><release>17</release></configuration>
                      </plugin>
                      <plugin>
                        <artifactId>maven-surefire-plugin</artifactId><version>%s</version>
                        <configuration>%s</configuration>
                      </plugin>
                    </plugins>
                  </build>
                </project>
                """.formatted(name, dependency("org.junit.jupiter", "junit-jupiter", property("adain.junit.version")),
                dependency("org.assertj", "assertj-core", property("adain.assertj.version")), junit4Dependency,
                surefire, surefireConfiguration));
        Path source = Files.createDirectories(dir.resolve("src/test/java/org/example"));
        Files.writeString(source.resolve("ConsumerConformanceTest.java"), """
                package org.example;

                import org.adain.spi.BackendProvider;
                import org.adain.spi.DecoderWeights;
                import org.adain.spi.EncoderWeights;
                import org.adain.spi.StyleModel;
                import org.adain.testkit.BackendConformanceKit;

                %sclass ConsumerConformanceTest extends BackendConformanceKit {
                    @Override
                    protected BackendProvider provider() {
                        return new BackendProvider() {
                            public String name() {
                                return "consumer-stub";
                            }

                            public int priority() {
                                return 0;
                            }

                            public StyleModel load(EncoderWeights encoder, DecoderWeights decoder) {
                                throw new UnsupportedOperationException("a stub");
                            }
                        };
                    }
                }
                """.formatted(publicClass ? "public " : ""));
    }

    /**
     * Cuts the build's output into each module's section (from its "Building" header to the next) and reads the
     * reactor summary's result per module.
     */
    private static void split(String log) {
        String current = null;
        StringBuilder section = new StringBuilder();
        for (String line : log.split("\\R")) {
            Matcher building = Pattern.compile("\\[INFO\\] Building (\\S+) 1\\b.*").matcher(line);
            Matcher summary = Pattern.compile("\\[INFO\\] (\\S+) \\.+ (SUCCESS|FAILURE)\\b.*").matcher(line);
            if (building.matches() || line.startsWith("[INFO] Reactor Summary")) {
                if (current != null) {
                    OUTPUT.put(current, section.toString());
                }
                current = building.matches() && OUTPUT.containsKey(building.group(1)) ? building.group(1) : null;
                section.setLength(0);
            } else if (summary.matches()) {
                RESULT.put(summary.group(1), summary.group(2));
            }
            section.append(line).append('\n');
        }
        if (current != null) {
            OUTPUT.put(current, section.toString());
        }
        assertThat(RESULT).as("reactor summary of:\n%s", log).containsKeys(OUTPUT.keySet().toArray(String[]::new));
    }

    private static String dependency(String group, String artifact, String version) {
        return "<dependency><groupId>" + group + "</groupId><artifactId>" + artifact + "</artifactId><version>"
                + version + "</version><scope>test</scope></dependency>\n";
    }

    private static String property(String name) {
        String v = System.getProperty(name);
        assertThat(v).as("system property %s (set by this module's pom)", name).isNotBlank();
        return v;
    }

    /** Where a class was loaded from: this build's classes directory, or a jar. */
    private static Path location(Class<?> c) {
        try {
            return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A jar of a classes directory, or a copy of a jar. */
    private static void jar(Path classes, Path target) throws IOException {
        if (Files.isRegularFile(classes)) {
            Files.copy(classes, target);
            return;
        }
        try (OutputStream out = Files.newOutputStream(target); JarOutputStream jar = new JarOutputStream(out);
                Stream<Path> files = Files.walk(classes)) {
            files.filter(Files::isRegularFile).sorted().forEach(f -> {
                try {
                    jar.putNextEntry(new JarEntry(classes.relativize(f).toString().replace('\\', '/')));
                    Files.copy(f, jar);
                    jar.closeEntry();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
