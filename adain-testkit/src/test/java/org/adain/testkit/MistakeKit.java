package org.adain.testkit;

import org.adain.spi.BackendProvider;

/**
 * The kit against whichever reference backend a test sets before launching it with the JUnit Platform
 * ({@link KitCatchesClassicMistakesTest}). Its name does not match Surefire's test patterns, so it only runs
 * there.
 */
class MistakeKit extends BackendConformanceKit {
    static volatile ReferenceBackend backend = ReferenceBackend.correct();

    @Override
    protected BackendProvider provider() {
        return backend;
    }
}
