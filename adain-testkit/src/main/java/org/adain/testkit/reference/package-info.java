/**
 * The reference data of the independent float64 oracle ({@code adain-testkit/oracle/make_references.py}, "port"
 * semantics) and plain-Java readers for it: {@link org.adain.testkit.reference.ReferenceCases} (the
 * {@code cases.json} manifest), {@link org.adain.testkit.reference.ReferenceCase} (inputs, parameters and expected
 * arrays with their tolerances), {@link org.adain.testkit.reference.ReferenceWeights} (the small test models as SPI
 * weights, no HDF5 needed) and {@link org.adain.testkit.reference.Npy} (a strict {@code .npy} reader). Everything is
 * read from this jar's class path; nothing needs Python.
 *
 * <p>{@link org.adain.testkit.BackendConformanceKit} already runs every case, so a backend needs this package only
 * for checks of its own, e.g. of an internal op against one case's arrays:
 *
 * <pre>{@code
 * ReferenceCase c = ReferenceCases.load().get("adain_6ch");
 * Npy.Array content = c.inputArray("content_features");
 * Npy.Array want = c.load("output");
 * assertThat(myAdain(content, c.inputArray("style_features")).maxAbsDiff(want))
 *         .isLessThanOrEqualTo(c.expected("output").tolerance());
 * }</pre>
 *
 * The layout of the resources and the meaning of every case are described in {@code adain-testkit/README.md}.
 */
package org.adain.testkit.reference;
