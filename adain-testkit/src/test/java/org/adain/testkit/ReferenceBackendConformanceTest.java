package org.adain.testkit;

import org.adain.spi.BackendProvider;

/** The plain-Java reference backend, written from SEMANTICS, passes the whole kit (training included). */
public class ReferenceBackendConformanceTest extends BackendConformanceKit {
    @Override
    protected BackendProvider provider() {
        return ReferenceBackend.correct();
    }
}
