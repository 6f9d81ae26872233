package org.adain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackendsTest {
    @AfterEach
    void clearProperty() {
        System.clearProperty(Backends.PROPERTY);
    }

    /** A class loader that sees no service files at all: an application without any backend jar. */
    static ClassLoader empty(Path dir) throws Exception {
        return new URLClassLoader(new URL[] {dir.toUri().toURL()}, null);
    }

    @Test
    void noBackendSaysWhatToAdd(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> Backends.select(null, empty(dir))).isInstanceOf(BackendException.class)
                .hasMessageContaining("No adain backend").hasMessageContaining("org.adain:adain-dl4j");
    }

    @Test
    void picksTheHighestPriorityOrTheNamedOne() {
        ClassLoader cl = getClass().getClassLoader();
        assertThat(Backends.select(null, cl).name()).isEqualTo("fake");
        assertThat(Backends.select("FAKE", cl).name()).isEqualTo("fake");
        assertThatThrownBy(() -> Backends.select("cuda", cl)).isInstanceOf(BackendException.class)
                .hasMessageContaining("'cuda'").hasMessageContaining("available: [fake]");
    }

    @Test
    void systemPropertyOverridesTheAutomaticChoice() {
        System.setProperty(Backends.PROPERTY, "tensorflow");
        assertThatThrownBy(() -> Backends.select(null, getClass().getClassLoader()))
                .isInstanceOf(BackendException.class).hasMessageContaining("system property adain.backend");
        System.setProperty(Backends.PROPERTY, "fake");
        assertThat(Backends.select(null, getClass().getClassLoader()).name()).isEqualTo("fake");
    }

    @Test
    void brokenProviderIsReportedNotThrownRaw(@TempDir Path dir) throws Exception {
        Path services = Files.createDirectories(dir.resolve("META-INF/services"));
        Files.writeString(services.resolve("org.adain.spi.BackendProvider"), "com.example.Missing\n");
        ClassLoader cl = new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader());
        assertThatThrownBy(() -> Backends.select(null, cl)).isInstanceOf(BackendException.class)
                .hasMessageContaining("com.example.Missing");
    }

    @Test
    void debugEnvironmentListsBackendsAndReaders() {
        String env = StyleTransfer.debugEnvironment();
        assertThat(env).contains("backend fake (priority 1) [default]").contains("fake backend, pure Java")
                .contains("weight format: Fake test weights").contains("java:");
    }
}
