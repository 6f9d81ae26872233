package org.adain.dl4j;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.adain.Precision;
import org.adain.dl4j.graph.Dnnl;
import org.adain.spi.BackendProvider;
import org.adain.testkit.BackendConformanceKit;
import org.adain.testkit.ReducedPrecisionTolerances;

/**
 * The dl4j backend at {@link Precision#BF16} against the conformance kit's reduced-precision mode, with the
 * tolerances stated below: the network groups within them, everything float32 (statistics, AdaIN, CORAL, 8-bit
 * rounding) at the float32 tolerances, training skipped. Skipped where this CPU has no native bf16.
 */
public class Dl4jBf16ConformanceTest extends BackendConformanceKit {
    @Override
    protected BackendProvider provider() {
        Dnnl.Bf16Support support = Dnnl.bf16Support();
        assumeTrue(support.level() == Dnnl.Bf16Level.NATIVE, support::message);
        return new Dl4jBackendProvider();
    }

    @Override
    protected Precision precision() {
        return Precision.BF16;
    }

    /**
     * Measured on the kit's cases (random small networks, the noisiest case for bf16): networks' arrays within 1.3–2.7%
     * of their largest value, the 8-bit images at most 11 levels and 1.84 on average from the reference; stated
     * with about 1.4× margin. The quality bar on real images is measured apart (docs/BENCHMARKS.md, "bf16 quality").
     */
    @Override
    protected ReducedPrecisionTolerances reducedPrecisionTolerances() {
        return new ReducedPrecisionTolerances(0.05, 16, 2.5);
    }
}
