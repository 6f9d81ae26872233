package org.adain.dl4j;

import org.adain.spi.BackendProvider;
import org.adain.testkit.BackendConformanceKit;

/**
 * The dl4j backend against adain-testkit's conformance kit: every group of reference cases from the float64
 * oracle, each within its tolerance, training included (gradients and two Adam steps with the schedule).
 */
public class Dl4jConformanceTest extends BackendConformanceKit {
    @Override
    protected BackendProvider provider() {
        return new Dl4jBackendProvider();
    }
}
