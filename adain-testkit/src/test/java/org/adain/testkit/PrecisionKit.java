package org.adain.testkit;

import org.adain.Precision;
import org.adain.spi.BackendProvider;

/**
 * The kit at whichever precision and stated tolerances a test sets before launching it with the JUnit Platform
 * ({@link ReducedPrecisionKitTest}), as {@link MistakeKit} does for backends. Its name does not match Surefire's
 * test patterns, so it only runs there. Public, as the kit requires of its subclasses.
 */
public class PrecisionKit extends BackendConformanceKit {
    static volatile BackendProvider backend = ReferenceBackend.bf16();
    static volatile Precision precision = Precision.BF16;
    static volatile ReducedPrecisionTolerances tolerances;
    /** The kit instance of the latest run, for its report. */
    static volatile PrecisionKit last;

    @Override
    protected BackendProvider provider() {
        last = this;
        return backend;
    }

    @Override
    protected Precision precision() {
        return precision;
    }

    @Override
    protected ReducedPrecisionTolerances reducedPrecisionTolerances() {
        return tolerances;
    }
}
