package org.adain;

import java.lang.System.Logger.Level;
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
            BackendProvider best = found.get(0);
            AdainLog.LOGGER.log(Level.INFO, () -> "Backend '" + best.name() + "' chosen: the highest priority ("
                    + best.priority() + ") of " + describe(found) + "; name another with "
                    + "StyleTransfer.builder().backend(...) or -D" + PROPERTY);
            return best;
        }
        for (BackendProvider p : found) {
            if (p.name().equalsIgnoreCase(name.trim())) {
                String why = origin;
                AdainLog.LOGGER.log(Level.INFO, () -> "Backend '" + p.name() + "' chosen: " + why + " (available: "
                        + describe(found) + ")");
                return p;
            }
        }
        throw new BackendException("Backend '" + name + "' (" + origin + ") is not on the classpath; available: "
                + found.stream().map(BackendProvider::name).toList());
    }

    /** "[dl4j (priority 100), fake (priority 1)]", for the log. */
    private static String describe(List<BackendProvider> found) {
        return found.stream().map(p -> p.name() + " (priority " + p.priority() + ")").toList().toString();
    }
}
