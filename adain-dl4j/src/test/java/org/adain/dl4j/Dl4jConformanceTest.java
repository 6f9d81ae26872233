package org.adain.dl4j;

import org.adain.spi.BackendProvider;
import org.adain.testkit.BackendConformanceKit;

/**
 * The dl4j backend against adain-testkit's conformance kit: every group of reference cases from the float64
 * oracle, each within its tolerance. The model declares no TRAINING capability yet, so the kit skips its
 * gradient and Adam groups (saying so); the forward-only loss group runs.
 */
class Dl4jConformanceTest extends BackendConformanceKit {
    @Override
    protected BackendProvider provider() {
        return new Dl4jBackendProvider();
    }
}
