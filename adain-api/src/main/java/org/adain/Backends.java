package org.adain;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import org.adain.spi.BackendProvider;

/**
 * ServiceLoader discovery of backends: the one place that decides which backend runs, for {@link StyleTransfer}
 * and {@code org.adain.train.DecoderTrainer} alike. Most code never calls it: the builders' {@code backend(..)}
 * settings come here.
 *
 * <pre>{@code
 * for (BackendProvider p : Backends.available(getClass().getClassLoader())) {
 *     System.out.println(p.name() + " (priority " + p.priority() + ")");
 * }
 * }</pre>
 */
public final class Backends {
    /** System property that names the backend when the code does not. */
    public static final String PROPERTY = "adain.backend";

    private Backends() {
    }

    /**
     * Every backend registered under {@code META-INF/services/org.adain.spi.BackendProvider}, highest priority
     * first (ties by name).
     *
     * @param loader the class loader whose service files are read
     * @return the backends found, possibly none
     * @throws BackendException a registered backend fails to load
     */
    public static List<BackendProvider> available(ClassLoader loader) {
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
     *
     * @param requested the backend's name (any case), or null to let the property or the priority decide
     * @param loader    the class loader whose service files are read
     * @return the chosen backend
     * @throws BackendException there is no backend, the named one is not on the classpath, or one fails to load
     */
    public static BackendProvider select(String requested, ClassLoader loader) {
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

    /**
     * Why {@link #select} chose a backend the code did not name, for messages that suggest naming another.
     *
     * @return "the system property adain.backend" or "the highest priority", or null when {@code requested} names
     *         one
     */
    static String unnamedChoice(String requested) {
        if (requested != null && !requested.isBlank()) {
            return null;
        }
        String property = System.getProperty(PROPERTY);
        return property != null && !property.isBlank() ? "the system property " + PROPERTY
                : "the highest priority on the classpath";
    }

    /** "[dl4j (priority 100), fake (priority 1)]", for the log. */
    private static String describe(List<BackendProvider> found) {
        return found.stream().map(p -> p.name() + " (priority " + p.priority() + ")").toList().toString();
    }
}
