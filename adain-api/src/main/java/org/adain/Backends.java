package org.adain;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import org.adain.spi.BackendProvider;

/** ServiceLoader discovery of backends: the one place that decides which backend runs. */
final class Backends {
    /** System property that names the backend when the code does not. */
    static final String PROPERTY = "adain.backend";

    private Backends() {
    }

    static List<BackendProvider> available(ClassLoader loader) {
        List<BackendProvider> found = new ArrayList<>();
        try {
            for (BackendProvider p : ServiceLoader.load(BackendProvider.class, loader)) {
                found.add(p);
            }
        } catch (ServiceConfigurationError e) {
            throw new BackendException("A backend on the classpath failed to load: " + e.getMessage(), e);
        }
        found.sort(Comparator.comparingInt(BackendProvider::priority).reversed()
                .thenComparing(BackendProvider::name));
        return found;
    }

    /**
     * The backend named in code, else the one named by {@value #PROPERTY}, else the highest priority.
     */
    static BackendProvider select(String requested, ClassLoader loader) {
        List<BackendProvider> found = available(loader);
        String name = requested;
        String origin = "requested with StyleTransfer.builder().backend(...)";
        if (name == null) {
            name = System.getProperty(PROPERTY);
            origin = "requested by the system property " + PROPERTY;
        }
        if (found.isEmpty()) {
            throw new BackendException("No adain backend on the classpath. Add one, e.g. the Maven dependency "
                    + "org.adain:adain-dl4j (CPU by default)");
        }
        if (name == null || name.isBlank()) {
            return found.get(0);
        }
        for (BackendProvider p : found) {
            if (p.name().equalsIgnoreCase(name.trim())) {
                return p;
            }
        }
        throw new BackendException("Backend '" + name + "' (" + origin + ") is not on the classpath; available: "
                + found.stream().map(BackendProvider::name).toList());
    }
}
