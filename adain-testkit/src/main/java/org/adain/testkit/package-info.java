/**
 * The conformance kit for adain backends: {@link org.adain.testkit.BackendConformanceKit}, an abstract JUnit 5
 * class that a backend's test extends with one method returning its {@link org.adain.spi.BackendProvider}. The kit
 * runs every reference case of the independent float64 oracle through the SPI and the public API and compares the
 * results within the tolerance recorded for each case.
 *
 * <pre>{@code
 * public class MyBackendConformanceTest extends BackendConformanceKit {
 *     @Override
 *     protected BackendProvider provider() {
 *         return new MyBackendProvider();
 *     }
 * }
 * }</pre>
 *
 * <p>A backend that implements a reduced {@link org.adain.Precision} adds a second subclass that overrides
 * {@code precision()} and {@code reducedPrecisionTolerances()} ({@link org.adain.testkit.ReducedPrecisionTolerances}):
 * the kit then runs at that precision with the stated tolerances where the networks run and the float32 ones
 * everywhere else, and skips training. The float32 tolerances are never loosened.
 *
 * <p>Depend on {@code org.adain:adain-testkit} at test scope and run the subclass with maven-surefire-plugin 3.0.0
 * or later (or 2.22.x). The reference data itself is in {@link org.adain.testkit.reference}, for checks of your
 * own; {@link org.adain.testkit.formats} holds weight-file fixtures.
 */
package org.adain.testkit;
