package org.adain.testkit;

import org.adain.spi.BackendProvider;

/**
 * The kit against whichever reference backend a test sets before launching it with the JUnit Platform
 * ({@link KitCatchesClassicMistakesTest}). Its name does not match Surefire's test patterns, so it only runs
 * there. Public, as the kit requires of its subclasses.
 */
public class MistakeKit extends BackendConformanceKit {
    static volatile ReferenceBackend backend = ReferenceBackend.correct();
    /** The kit instance of the latest run, for its report. */
    static volatile MistakeKit last;

    @Override
    protected BackendProvider provider() {
        last = this;
        return backend;
    }
}
