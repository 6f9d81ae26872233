package org.adain.onnxruntime;

import org.adain.spi.BackendProvider;
import org.adain.testkit.BackendConformanceKit;

/**
 * The onnxruntime backend against adain-testkit's conformance kit: every inference group of reference cases from
 * the float64 oracle, each within its tolerance; the training groups are skipped (no LOSSES, no TRAINING), the
 * kit reporting why.
 */
public class OnnxRuntimeConformanceTest extends BackendConformanceKit {
    @Override
    protected BackendProvider provider() {
        return new OnnxRuntimeBackendProvider();
    }
}
