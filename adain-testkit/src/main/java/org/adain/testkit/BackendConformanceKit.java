package org.adain.testkit;

import java.awt.image.BufferedImage;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.adain.ImageTensor;
import org.adain.InvalidRequestException;
import org.adain.Precision;
import org.adain.Semantics;
import org.adain.SpatialMask;
import org.adain.StyleRequest;
import org.adain.StyleTransfer;
import org.adain.spi.BackendProvider;
import org.adain.spi.DecoderTraining;
import org.adain.spi.DecoderWeights;
import org.adain.spi.EncoderWeights;
import org.adain.spi.FeatureMap;
import org.adain.spi.LossTerms;
import org.adain.spi.StyleModel;
import org.adain.spi.Tensor;
import org.adain.spi.TrainingConfig;
import org.adain.spi.TransferPlan;
import org.adain.testkit.reference.ExpectedArray;
import org.adain.testkit.reference.Npy;
import org.adain.testkit.reference.ReferenceCase;
import org.adain.testkit.reference.ReferenceCases;
import org.adain.testkit.reference.ReferenceWeights;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.ClassOrderer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestClassOrder;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.opentest4j.AssertionFailedError;

/**
 * The conformance kit every backend runs: the same reference cases, computed by the independent float64 oracle
 * ({@code adain-testkit/oracle}), checked against whatever {@link BackendProvider} a subclass returns, each case
 * within the tolerance the oracle recorded for it. A backend's test is a subclass of a few lines:
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
 * <p>The cases are grouped in {@link Nested} classes, one per piece of the algorithm (statistics, AdaIN, encoder,
 * decoder, transfer, interpolation, colour preservation, spatial control, quantisation, losses, gradients, Adam, and
 * the authors' Torch7 numerics),
 * and every group runs each reference case of its kind as a dynamic test named after the case. A failure names
 * the case, the array, the flat and N-d index of the worst value, actual, expected, |error| and the tolerance.
 *
 * <p>Groups that need a capability the backend's {@link StyleModel#capabilities()} does not declare
 * ({@link StyleModel.Capability#LOSSES} for the losses, {@link StyleModel.Capability#TRAINING} for gradients and
 * Adam, which go through {@link BackendProvider#train}; {@link StyleModel.Capability#TORCH7_SEMANTICS} for the Torch7
 * group) are skipped as a whole, with the reason, printed once; single cases are never skipped. An inference-only
 * backend declares none of them. The Torch7 group checks {@link org.adain.Semantics#TORCH7} through the same SPI
 * calls with the semantics set (statistics, AdaIN with constant and 1×1 maps, transfers, interpolation, spatial
 * control, floor quantisation, losses, gradients, Adam) and the API's crop-then-resize; its training cases run only when the
 * backend also declares LOSSES and TRAINING.
 *
 * <p>The kit fails loudly rather than pass with nothing checked: when no reference case ran (its groups filtered
 * out, its resources missing), and when the test runner does not run JUnit 5 tests at all, as the
 * maven-surefire-plugin before 2.22.0 (Maven 3.8's default is 2.12.4) would otherwise report "Tests run: 0" and
 * success ({@link #testRunsOnTheJUnitPlatform()}). It needs Surefire {@value #SUREFIRE_NEEDED}, and the subclass
 * public with a public no-argument constructor.
 *
 * <p>A backend with a reduced {@link Precision} runs the kit a second time at that precision, with tolerances it
 * states: a subclass overrides {@link #precision()} and {@link #reducedPrecisionTolerances()}.
 *
 * <pre>{@code
 * public class MyBackendBf16ConformanceTest extends BackendConformanceKit {
 *     @Override
 *     protected BackendProvider provider() {
 *         return new MyBackendProvider();
 *     }
 *
 *     @Override
 *     protected Precision precision() {
 *         return Precision.BF16;
 *     }
 *
 *     @Override
 *     protected ReducedPrecisionTolerances reducedPrecisionTolerances() {
 *         return new ReducedPrecisionTolerances(0.03, 3, 0.3);   // relative, max levels, mean levels
 *     }
 * }
 * }</pre>
 *
 * The kit then loads every model with {@link BackendProvider#load(EncoderWeights, DecoderWeights, Precision)},
 * checks that {@link StyleModel#precision()} says so, and builds its {@link StyleTransfer}s with that precision.
 * The stated tolerances apply where the networks run: the encoder, decoder, full transfer, interpolation, colour
 * preservation in a transfer, spatial control and Torch7 transfer cases (the larger of the case's float32 tolerance
 * and {@link ReducedPrecisionTolerances#relative()} of the expected array's largest value), and the 8-bit levels of
 * the quantisation cases ({@link ReducedPrecisionTolerances#maxLevels()}, {@link
 * ReducedPrecisionTolerances#meanLevels()}). What stays float32 at any precision keeps the float32 tolerances:
 * statistics, AdaIN on given features, CORAL alone, the Torch7 resize, and the rounding of the backend's own output
 * to 8 bits, which each quantisation case checks as well. The training groups (losses, gradients, Adam, and the
 * Torch7 group's training cases) are skipped with the reason: training runs at float32. At {@link Precision#FLOAT32}
 * (the default) only the float32 tolerances exist: a subclass that states reduced-precision tolerances for FLOAT32
 * fails the kit with an {@link IllegalStateException} naming them. The kit fails a reduced precision whose stated
 * tolerances are too tight, as it fails a float32 backend: the mode cannot pass with nothing checked.
 *
 * <p>Weights come from the testkit's reference weights ({@link ReferenceWeights}), images and features from its
 * resources; full transfers go through the public API ({@link StyleTransfer}, no resizing) with this backend.
 * When the kit finishes it prints a table of the cases per group and the worst error against its tolerance.
 * The kit runs its groups one after another on one thread (a model need not be thread-safe).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestClassOrder(ClassOrderer.OrderAnnotation.class)
@Execution(ExecutionMode.SAME_THREAD)
public abstract class BackendConformanceKit {
    /** System property: {@code false} stops the line per comparison (the summary table is always printed). */
    public static final String VERBOSE_PROPERTY = "adain.kit.verbose";

    /** The test runners the kit runs on, for messages. */
    public static final String SUREFIRE_NEEDED = "maven-surefire-plugin 3.0.0 or later (e.g. 3.5.2), or 2.22.x, "
            + "which run JUnit 5 tests on the JUnit Platform";

    /** The name of {@link #testRunsOnTheJUnitPlatform()}, for messages. */
    private static final String GUARD_TEST = "testRunsOnTheJUnitPlatform";

    /** The share of 8-bit values that may be one level off the quantised reference (rounding boundaries). */
    private static final double MAX_LEVEL_MISMATCH = 0.01;

    private final ReferenceCases refs = ReferenceCases.load();
    private final Map<String, StyleModel> models = new LinkedHashMap<>();
    private final Map<String, StyleTransfer> transfers = new LinkedHashMap<>();
    private BackendProvider provider;
    private Precision precision;
    /** The stated tolerances at a reduced precision; null at float32. */
    private ReducedPrecisionTolerances reduced;
    private KitReport report;

    /**
     * The backend under test. Called once per run of the kit.
     *
     * @return the provider whose models and training sessions the kit checks
     */
    protected abstract BackendProvider provider();

    /**
     * The precision the kit runs the backend at. A backend with a reduced precision has a second subclass that
     * returns it, and states its tolerances in {@link #reducedPrecisionTolerances()}.
     *
     * @return {@link Precision#FLOAT32} in this default
     */
    protected Precision precision() {
        return Precision.FLOAT32;
    }

    /**
     * The tolerances the backend states for its reduced {@link #precision()}; see the class description for where
     * they apply. At {@link Precision#FLOAT32} there are none: the float32 tolerances are never loosened.
     *
     * @return the stated tolerances, or null (this default) at float32
     */
    protected ReducedPrecisionTolerances reducedPrecisionTolerances() {
        return null;
    }

    @BeforeAll
    final void startKit() {
        provider = provider();
        if (provider == null) {
            throw new IllegalStateException(getClass().getName() + ".provider() returned null");
        }
        precision = precision();
        if (precision == null) {
            throw new IllegalStateException(getClass().getName() + ".precision() returned null");
        }
        ReducedPrecisionTolerances stated = reducedPrecisionTolerances();
        if (precision == Precision.FLOAT32 && stated != null) {
            throw new IllegalStateException(getClass().getName() + " states reduced-precision tolerances (" + stated
                    + ") for Precision.FLOAT32: the kit's float32 tolerances are never loosened. Remove "
                    + "reducedPrecisionTolerances(), or return the reduced precision the backend runs from "
                    + "precision()");
        }
        if (precision != Precision.FLOAT32 && stated == null) {
            throw new IllegalStateException(getClass().getName() + " runs the kit at Precision." + precision
                    + " but states no tolerances for it: override reducedPrecisionTolerances()");
        }
        reduced = stated;
        report = new KitReport(provider.name() + " (" + provider.getClass().getName() + ")"
                + (reduced == null ? "" : " at " + precision + ", stated tolerances: " + reduced));
    }

    @AfterAll
    final void finishKit() {
        if (report != null) {
            System.out.print(report.table());
        }
        transfers.values().forEach(StyleTransfer::close);
        models.values().forEach(StyleModel::close);
        transfers.clear();
        models.clear();
        if (report != null && report.cases() == 0) {
            throw new AssertionFailedError("adain conformance kit: no reference case ran for backend "
                    + provider.name() + ", so nothing was checked. The cases are in the kit's @Nested groups: a test "
                    + "filter left them all out (e.g. -Dtest=" + getClass().getSimpleName() + "#" + GUARD_TEST
                    + ", or tags), or the testkit's reference resources are missing from the test classpath");
        }
    }

    /**
     * Stands for the whole kit where a test runner cannot run it, so that the build fails instead of passing with no
     * test run. A JUnit 5 test like the rest of the kit, it is also a JUnit 4 test and a public {@code test...}
     * method: what runners that do not run JUnit 5 tests still call. The maven-surefire-plugin before 2.22.0 (Maven
     * 3.8 and older default to 2.12.4) runs it as a JUnit 4 test when JUnit 4 is on the test classpath, as a plain
     * test method otherwise; there it fails, naming the Surefire the kit needs. On the JUnit Platform it checks that
     * the subclass is public with a public no-argument constructor, without which those runners skip the class
     * silently.
     *
     * @throws AssertionError the test runner is not the JUnit Platform, or the subclass is hidden from old runners
     */
    @Test
    @org.junit.Test
    @DisplayName("the kit runs on the JUnit Platform")
    public final void testRunsOnTheJUnitPlatform() {
        String name = getClass().getName();
        boolean platform = StackWalker.getInstance().walk(frames -> frames
                .anyMatch(f -> f.getClassName().startsWith("org.junit.platform.")));
        if (!platform) {
            throw new AssertionError("adain conformance kit: " + name + " runs under a test runner that does not "
                    + "run JUnit 5 tests, so none of the kit's reference cases ran (an old Surefire reports "
                    + "'Tests run: 0' and success). Use " + SUREFIRE_NEEDED + "; Maven 3.8 and older default to "
                    + "maven-surefire-plugin 2.12.4, so set the version in your pom.xml: <plugin><artifactId>"
                    + "maven-surefire-plugin</artifactId><version>3.5.2</version></plugin>");
        }
        boolean hasPublicConstructor;
        try {
            getClass().getConstructor();
            hasPublicConstructor = true;
        } catch (NoSuchMethodException e) {
            hasPublicConstructor = false;
        }
        if (!Modifier.isPublic(getClass().getModifiers()) || !hasPublicConstructor) {
            throw new AssertionFailedError("adain conformance kit: declare " + name + " public, with a public "
                    + "no-argument constructor: only then can a test runner that does not run JUnit 5 tests (Surefire "
                    + "before 2.22.0) find it and fail naming the Surefire the kit needs; otherwise it skips the "
                    + "class and reports success with no test run");
        }
    }

    /** This run's tally (for the kit's own tests). */
    KitReport report() {
        return report;
    }

    // ---- groups ---------------------------------------------------------------------------------------------

    /** Per-channel mean and std ({@link StyleModel#mean}, {@link StyleModel#std}). */
    @Nested
    @Order(1)
    @DisplayName("statistics: mean and std")
    class Statistics {
        @TestFactory
        Stream<DynamicTest> meanAndStd() {
            return run("Statistics", cases(ReferenceCase.Kind.STATISTICS), BackendConformanceKit.this::statisticsCase);
        }
    }

    /** AdaIN at relu4_1 ({@link StyleModel#transfer} of uploaded features). */
    @Nested
    @Order(2)
    @DisplayName("AdaIN")
    class Adain {
        @TestFactory
        Stream<DynamicTest> adain() {
            return run("Adain", cases(ReferenceCase.Kind.ADAIN), BackendConformanceKit.this::adainCase);
        }
    }

    /** relu1_1 … relu4_1 of images ({@link StyleModel#encodeLayers}, {@link StyleModel#encode}). */
    @Nested
    @Order(3)
    @DisplayName("encoder features")
    class Encoder {
        @TestFactory
        Stream<DynamicTest> features() {
            return run("Encoder", cases(ReferenceCase.Kind.FEATURES), BackendConformanceKit.this::featuresCase);
        }
    }

    /** The decoder alone on given features ({@link StyleModel#upload}, {@link StyleModel#decode}). */
    @Nested
    @Order(4)
    @DisplayName("decoder")
    class Decoder {
        @TestFactory
        Stream<DynamicTest> decoder() {
            return run("Decoder", cases(ReferenceCase.Kind.DECODE), BackendConformanceKit.this::decodeCase);
        }
    }

    /** Full single-style transfers: alpha 1, 0.6, 0; square, non-square, non-multiple-of-8 contents. */
    @Nested
    @Order(5)
    @DisplayName("full transfer")
    class Transfer {
        @TestFactory
        Stream<DynamicTest> transfer() {
            return run("Transfer", cases(ReferenceCase.Kind.TRANSFER, c -> c.styles().size() == 1
                    && !c.preserveColor() && c.mask().isEmpty()), BackendConformanceKit.this::transferCase);
        }
    }

    /** Several styles with unequal weights (a weighted sum of AdaIN outputs). */
    @Nested
    @Order(6)
    @DisplayName("style interpolation")
    class Interpolation {
        @TestFactory
        Stream<DynamicTest> interpolation() {
            return run("Interpolation", cases(ReferenceCase.Kind.TRANSFER, c -> c.styles().size() > 1
                    && c.mask().isEmpty() && !c.preserveColor()), BackendConformanceKit.this::transferCase);
        }
    }

    /** CORAL on its own ({@link StyleModel#coral}) and inside a transfer. */
    @Nested
    @Order(7)
    @DisplayName("colour preservation")
    class ColourPreservation {
        @TestFactory
        Stream<DynamicTest> coralAlone() {
            return run("ColourPreservation", cases(ReferenceCase.Kind.TRANSFER, c -> c.preserveColor()
                    && c.expected().stream().anyMatch(e -> e.name().equals("coral_style"))),
                    c -> "CORAL alone: " + c.name(), BackendConformanceKit.this::coralCase);
        }

        @TestFactory
        Stream<DynamicTest> inATransfer() {
            return run("ColourPreservation", cases(ReferenceCase.Kind.TRANSFER, ReferenceCase::preserveColor),
                    c -> "in a transfer: " + c.name(), BackendConformanceKit.this::transferCase);
        }
    }

    /** A mask giving each region its own style. */
    @Nested
    @Order(8)
    @DisplayName("spatial control")
    class SpatialControl {
        @TestFactory
        Stream<DynamicTest> masks() {
            return run("SpatialControl", cases(ReferenceCase.Kind.TRANSFER, c -> c.mask().isPresent()),
                    BackendConformanceKit.this::transferCase);
        }
    }

    /** The 8-bit image of a transfer ({@link StyleTransfer#stylize}). */
    @Nested
    @Order(9)
    @DisplayName("8-bit quantisation of the output")
    class Quantisation {
        @TestFactory
        Stream<DynamicTest> eightBit() {
            return run("Quantisation", cases(ReferenceCase.Kind.QUANTISE), BackendConformanceKit.this::quantiseCase);
        }
    }

    /** The content and style losses of a batch of pairs ({@link StyleModel#losses}), forward only (LOSSES). */
    @Nested
    @Order(10)
    @DisplayName("training: losses")
    class Losses {
        @BeforeEach
        void needsLosses() {
            requireFloat32("Losses");
            requireCapability("Losses", StyleModel.Capability.LOSSES);
        }

        /** Stands for the group in test reports: skipped, with the reason, when the backend lacks LOSSES. */
        @Test
        @DisplayName("the backend declares LOSSES")
        void lossesCapability() {
            // requireCapability() has checked it
        }

        @TestFactory
        Stream<DynamicTest> losses() {
            return run("Losses", cases(ReferenceCase.Kind.LOSSES), BackendConformanceKit.this::lossesCase);
        }
    }

    /** Gradient of the total loss w.r.t. decoder convolutions (backends with TRAINING). */
    @Nested
    @Order(11)
    @DisplayName("training: gradients")
    class Gradients {
        @BeforeEach
        void needsTraining() {
            requireFloat32("Gradients");
            requireCapability("Gradients", StyleModel.Capability.TRAINING);
        }

        /** Stands for the group in test reports: skipped, with the reason, when the backend lacks TRAINING. */
        @Test
        @DisplayName("the backend declares TRAINING")
        void trainingCapability() {
            // requireCapability() has checked it
        }

        @TestFactory
        Stream<DynamicTest> gradients() {
            return run("Gradients", cases(ReferenceCase.Kind.GRADIENTS), BackendConformanceKit.this::gradientsCase);
        }
    }

    /** Adam steps with the learning-rate schedule (backends with TRAINING). */
    @Nested
    @Order(12)
    @DisplayName("training: Adam")
    class Adam {
        @BeforeEach
        void needsTraining() {
            requireFloat32("Adam");
            requireCapability("Adam", StyleModel.Capability.TRAINING);
        }

        /** Stands for the group in test reports: skipped, with the reason, when the backend lacks TRAINING. */
        @Test
        @DisplayName("the backend declares TRAINING")
        void trainingCapability() {
            // requireCapability() has checked it
        }

        @TestFactory
        Stream<DynamicTest> adam() {
            return run("Adam", cases(ReferenceCase.Kind.ADAM), BackendConformanceKit.this::adamCase);
        }
    }

    /**
     * The authors' Torch7 numerics ({@link org.adain.Semantics#TORCH7}, SEMANTICS §2.2, §5.1, §5.4, §9.2): every
     * kind of case again with the semantics set, for backends declaring
     * {@link StyleModel.Capability#TORCH7_SEMANTICS}.
     */
    @Nested
    @Order(13)
    @DisplayName("Torch7 semantics")
    class Torch7 {
        @BeforeEach
        void needsTorch7() {
            requireCapability(TORCH7_GROUP, StyleModel.Capability.TORCH7_SEMANTICS);
        }

        /** Stands for the group in test reports: skipped, with the reason, when the backend lacks TORCH7_SEMANTICS. */
        @Test
        @DisplayName("the backend declares TORCH7_SEMANTICS")
        void torch7Capability() {
            // requireCapability() has checked it
        }

        @TestFactory
        Stream<DynamicTest> statistics() {
            return run(TORCH7_GROUP, torch7(ReferenceCase.Kind.STATISTICS), BackendConformanceKit.this::statisticsCase);
        }

        @TestFactory
        Stream<DynamicTest> adain() {
            return run(TORCH7_GROUP, torch7(ReferenceCase.Kind.ADAIN), BackendConformanceKit.this::adainCase);
        }

        @TestFactory
        Stream<DynamicTest> transferAndInterpolation() {
            return run(TORCH7_GROUP, torch7(ReferenceCase.Kind.TRANSFER), BackendConformanceKit.this::transferCase);
        }

        @TestFactory
        Stream<DynamicTest> quantisation() {
            return run(TORCH7_GROUP, torch7(ReferenceCase.Kind.QUANTISE), BackendConformanceKit.this::quantiseCase);
        }

        @TestFactory
        Stream<DynamicTest> cropThenResize() {
            return run(TORCH7_GROUP, torch7(ReferenceCase.Kind.RESIZE), BackendConformanceKit.this::torch7ResizeCase);
        }

        @TestFactory
        Stream<DynamicTest> losses() {
            float32Training();
            also(StyleModel.Capability.LOSSES);
            return run(TORCH7_GROUP, torch7(ReferenceCase.Kind.LOSSES), BackendConformanceKit.this::lossesCase);
        }

        @TestFactory
        Stream<DynamicTest> gradients() {
            float32Training();
            also(StyleModel.Capability.TRAINING);
            return run(TORCH7_GROUP, torch7(ReferenceCase.Kind.GRADIENTS), BackendConformanceKit.this::gradientsCase);
        }

        @TestFactory
        Stream<DynamicTest> adam() {
            float32Training();
            also(StyleModel.Capability.TRAINING);
            return run(TORCH7_GROUP, torch7(ReferenceCase.Kind.ADAM), BackendConformanceKit.this::adamCase);
        }

        /** Skips one training factory of the group at a reduced precision: training is checked at float32. */
        private void float32Training() {
            Assumptions.assumeTrue(reduced == null, () -> trainingAtFloat32Only() + ": its Torch7 cases skipped");
        }

        /** Skips one training factory of the group when the backend lacks what it needs besides Torch7. */
        private void also(StyleModel.Capability needed) {
            Set<StyleModel.Capability> declared = model(ReferenceWeights.NORMALISED, ReferenceWeights.DECODER)
                    .capabilities();
            Assumptions.assumeTrue(declared.contains(needed), () -> "backend '" + provider.name()
                    + "' does not declare Capability." + needed + ": its Torch7 cases skipped");
        }
    }

    /** The name of the Torch7 group in the report. */
    private static final String TORCH7_GROUP = "Torch7";

    // ---- group plumbing -------------------------------------------------------------------------------------

    /** A case's body: compares through {@code check}; {@link #run} verifies it afterwards. */
    @FunctionalInterface
    interface CaseBody {
        void run(ReferenceCase c, CaseCheck check) throws Throwable;
    }

    private Stream<DynamicTest> run(String group, List<ReferenceCase> cases, CaseBody body) {
        return run(group, cases, ReferenceCase::name, body);
    }

    private Stream<DynamicTest> run(String group, List<ReferenceCase> cases,
            Function<ReferenceCase, String> name, CaseBody body) {
        KitReport.Group g = report.group(group);
        if (cases.isEmpty()) {
            throw new IllegalStateException("The testkit holds no reference case for group " + group
                    + "; its resources are incomplete");
        }
        return cases.stream().map(c -> DynamicTest.dynamicTest(name.apply(c), (Executable) () -> {
            g.noteCase();
            CaseCheck check = new CaseCheck(g, c.name());
            try {
                body.run(c, check);
            } catch (Throwable t) {
                g.noteFailedCase();
                g.noteFailureWithoutValue(c.name(), "threw " + t.getClass().getSimpleName());
                throw t;
            }
            check.verify();
        }));
    }

    /**
     * Skips the calling group (each of its tests), with the reason, unless the backend declares {@code needed}; the
     * reason is printed once per group. A backend that declares TRAINING without LOSSES, which training implies,
     * fails the training groups.
     */
    private void requireCapability(String group, StyleModel.Capability needed) {
        Set<StyleModel.Capability> declared = model(ReferenceWeights.NORMALISED, ReferenceWeights.DECODER)
                .capabilities();
        if (!declared.contains(needed)) {
            String reason = "backend '" + provider.name() + "' does not declare Capability." + needed + ": group "
                    + group + " skipped";
            if (report.group(group).noteSkipped(reason)) {
                System.out.println("adain-kit " + reason);
            }
            Assumptions.abort(reason);
        }
        if (needed == StyleModel.Capability.TRAINING && !declared.contains(StyleModel.Capability.LOSSES)) {
            report.group(group).noteFailureWithoutValue("capabilities", "TRAINING without LOSSES");
            throw new AssertionFailedError("backend '" + provider.name() + "' declares Capability.TRAINING but not "
                    + "Capability.LOSSES, which training implies (see StyleModel.Capability.TRAINING): the kit checks "
                    + "training through StyleModel.losses");
        }
    }

    /**
     * Skips the calling training group (each of its tests), with the reason printed once, when the kit runs a reduced
     * precision: a backend trains in float32, and its float32 run of the kit checks that.
     */
    private void requireFloat32(String group) {
        if (reduced != null) {
            String reason = trainingAtFloat32Only() + ": group " + group + " skipped";
            if (report.group(group).noteSkipped(reason)) {
                System.out.println("adain-kit " + reason);
            }
            Assumptions.abort(reason);
        }
    }

    private String trainingAtFloat32Only() {
        return "backend '" + provider.name() + "' runs the kit at Precision." + precision + ", and training is "
                + "checked at FLOAT32 only (by the backend's float32 run of the kit)";
    }

    /**
     * The tolerance of an array the networks compute: the case's float32 tolerance, or at a reduced precision the
     * larger of it and the stated relative tolerance of the array's largest value.
     */
    private double network(ExpectedArray e) {
        return reduced == null ? e.tolerance() : reduced.tolerance(e.tolerance(), e.maxAbs());
    }

    /** The port-semantics cases of a kind (the Torch7 ones have their own group). */
    private List<ReferenceCase> cases(ReferenceCase.Kind kind) {
        return refs.ofKind(kind, Semantics.PYTORCH_PORT);
    }

    private List<ReferenceCase> cases(ReferenceCase.Kind kind, Predicate<ReferenceCase> which) {
        return cases(kind).stream().filter(which).toList();
    }

    private List<ReferenceCase> torch7(ReferenceCase.Kind kind) {
        return refs.ofKind(kind, Semantics.TORCH7);
    }

    // ---- models ---------------------------------------------------------------------------------------------

    /** The reference weight set ({@link ReferenceWeights} id) of a case's encoder or decoder. */
    private String weightsOf(ReferenceCase c, String role) {
        if (c.has(role + "_weights")) {
            return c.stringParameter(role + "_weights");
        }
        if (!c.has(role)) {
            return role.equals("encoder") ? ReferenceWeights.NORMALISED : ReferenceWeights.DECODER;
        }
        String model = refs.model(c.stringParameter(role)).id();
        return ReferenceWeights.ids().stream().filter(id -> ReferenceWeights.models(id).contains(model)).findFirst()
                .orElseThrow(() -> new IllegalStateException("case " + c.name() + ": no reference weights hold model "
                        + model));
    }

    private StyleModel model(ReferenceCase c) {
        return model(weightsOf(c, "encoder"), weightsOf(c, "decoder"));
    }

    private EncoderWeights encoderWeights(ReferenceCase c) {
        return ReferenceWeights.encoder(weightsOf(c, "encoder"));
    }

    private DecoderWeights decoderWeights(ReferenceCase c) {
        return ReferenceWeights.decoder(weightsOf(c, "decoder"));
    }

    /**
     * The backend's model for a pair of reference weight sets at the kit's precision, loaded once per run of the
     * kit; a model that runs another precision than asked fails every case that uses it.
     */
    private StyleModel model(String encoder, String decoder) {
        return models.computeIfAbsent(encoder + "|" + decoder, k -> {
            StyleModel m = provider.load(ReferenceWeights.encoder(encoder), ReferenceWeights.decoder(decoder),
                    precision);
            Precision runs = m.precision();
            if (runs != precision) {
                m.close();
                throw new AssertionFailedError("backend '" + provider.name() + "' loaded at Precision." + precision
                        + " returned a model that runs " + runs + " (StyleModel.precision()): BackendProvider.load("
                        + "encoder, decoder, precision) must honour the precision or refuse it");
            }
            return m;
        });
    }

    /** The public API on this backend for a case's weights and semantics, built once per run of the kit. */
    private StyleTransfer transfer(ReferenceCase c) {
        String encoder = weightsOf(c, "encoder");
        String decoder = weightsOf(c, "decoder");
        Semantics semantics = c.semantics();
        return transfers.computeIfAbsent(encoder + "|" + decoder + "|" + semantics, k -> StyleTransfer.builder()
                .weights(ReferenceWeights.encoder(encoder), ReferenceWeights.decoder(decoder)).backend(provider)
                .semantics(semantics).precision(precision).build());
    }

    // ---- inputs ---------------------------------------------------------------------------------------------

    /** An .npy array (float64) as a backend tensor (float32). */
    static Tensor tensor(Npy.Array a) {
        double[] d = a.data();
        float[] f = new float[d.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) d[i];
        }
        return Tensor.wrap(f, a.shape());
    }

    private static Tensor image(String resource) {
        return tensor(ReferenceCases.imageTensor(resource));
    }

    private static ImageTensor imageTensor(String resource) {
        Npy.Array a = ReferenceCases.imageTensor(resource);
        return ImageTensor.fromTensor(tensor(a));
    }

    private static Tensor tensorOf(ImageTensor img) {
        return Tensor.wrap(img.toArray(), 1, 3, img.height(), img.width());
    }

    /**
     * The mask of a case as one style index per feature position (SEMANTICS §8): nearest sampling
     * {@code min(trunc(i · (float) in / (float) out), in − 1)} per axis; mask value 1 → style 0, 0 → style 1.
     */
    static int[] regions(Npy.Array mask, int h, int w) {
        int hm = mask.shape()[0];
        int wm = mask.shape()[1];
        int[] r = new int[h * w];
        for (int y = 0; y < h; y++) {
            int sy = Math.min((int) (y * ((float) hm / (float) h)), hm - 1);
            for (int x = 0; x < w; x++) {
                int sx = Math.min((int) (x * ((float) wm / (float) w)), wm - 1);
                r[y * w + x] = mask.get(sy, sx) == 1.0 ? 0 : 1;
            }
        }
        return r;
    }

    private static SpatialMask spatialMask(Npy.Array mask) {
        int h = mask.shape()[0];
        int w = mask.shape()[1];
        int[] idx = new int[h * w];
        for (int i = 0; i < idx.length; i++) {
            double v = mask.data()[i];
            if (v != 0.0 && v != 1.0) {
                throw new IllegalStateException("Reference mask value " + v + " at flat index " + i);
            }
            idx[i] = v == 1.0 ? 0 : 1;
        }
        return SpatialMask.ofStyleIndices(w, h, idx);
    }

    private static double[] doubles(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).toArray();
    }

    // ---- case bodies ----------------------------------------------------------------------------------------

    /**
     * Mean and std of a raw feature tensor; an error case (a single position) must make {@link StyleModel#std}
     * throw {@link InvalidRequestException}, never return NaN.
     */
    private void statisticsCase(ReferenceCase c, CaseCheck check) {
        StyleModel m = model(c);
        Tensor x = tensor(c.inputArray("features"));
        if (c.expectError()) {
            for (String op : operations(c)) {
                if (!op.equals("std")) {
                    throw new IllegalStateException("case " + c.name() + ": unknown operation " + op);
                }
                expectInvalidRequest(check, "std of " + Arrays.toString(x.shape()), () -> m.std(x));
            }
            return;
        }
        Semantics semantics = c.semantics();
        for (String stat : List.of("mean", "std")) {
            ExpectedArray e = c.expected(stat);
            check.close(stat, stat.equals("mean") ? m.mean(x) : m.std(x, semantics), e.load(), e.tolerance());
        }
    }

    /**
     * AdaIN of given content and style features, which may differ in H×W: the four statistics through
     * {@link StyleModel#mean}/{@link StyleModel#std}, and the output through {@link StyleModel#transfer} of
     * uploaded features (alpha 1, one style). The SPI transfers batch-1 maps with the model's channel count, so
     * each sample is sent on its own and its channels are repeated to fill the model's channels (AdaIN works
     * per channel, so this changes nothing for a correct backend). An error case (a 1×1 style) must be rejected.
     */
    private void adainCase(ReferenceCase c, CaseCheck check) {
        StyleModel m = model(c);
        Npy.Array content = c.inputArray("content_features");
        Npy.Array style = c.inputArray("style_features");
        int channels = encoderWeights(c).featureChannels();
        if (c.expectError()) {
            for (String op : operations(c)) {
                switch (op) {
                    case "std" -> expectInvalidRequest(check, "std of the style " + Arrays.toString(
                            style.shape()), () -> m.std(tensor(style)));
                    case "adain" -> expectInvalidRequest(check, "adain (StyleModel.transfer)",
                            () -> adain(m, content, style, channels, c.semantics()));
                    default -> throw new IllegalStateException("case " + c.name() + ": unknown operation " + op);
                }
            }
            return;
        }
        Semantics semantics = c.semantics();
        for (String role : List.of("content", "style")) {
            Tensor x = tensor(role.equals("content") ? content : style);
            ExpectedArray mean = c.expected(role + "_mean");
            check.close(mean.name(), m.mean(x), mean.load(), mean.tolerance());
            // Torch7 normalises the content inside AdaIN (sqrt(biased var + eps)), a statistic the SPI does not
            // expose: the output checks it
            if (semantics == Semantics.PYTORCH_PORT || role.equals("style")) {
                ExpectedArray std = c.expected(role + "_std");
                check.close(std.name(), m.std(x, semantics), std.load(), std.tolerance());
            }
        }
        ExpectedArray out = c.output();
        check.close("output (StyleModel.transfer)", adain(m, content, style, channels, semantics), content.shape(),
                out.load(), out.tolerance());
    }

    /** AdaIN through the SPI, sample by sample, channels repeated to the model's count; result shaped as content. */
    private static double[] adain(StyleModel m, Npy.Array content, Npy.Array style, int modelChannels,
            Semantics semantics) {
        int[] cs = content.shape();
        int[] ss = style.shape();
        if (cs[0] != ss[0] || cs[1] != ss[1]) {
            throw new IllegalStateException("content " + Arrays.toString(cs) + " and style "
                    + Arrays.toString(ss) + " differ in batch or channels");
        }
        if (cs[1] > modelChannels) {
            throw new IllegalStateException("the case has " + cs[1] + " channels, the model only " + modelChannels);
        }
        int plane = cs[2] * cs[3];
        double[] out = new double[content.size()];
        for (int n = 0; n < cs[0]; n++) {
            try (FeatureMap fc = m.upload(repeatChannels(content, n, modelChannels));
                    FeatureMap fs = m.upload(repeatChannels(style, n, modelChannels));
                    FeatureMap t = m.transfer(new TransferPlan(fc, List.of(fs), new double[] {1.0}, 1.0, null,
                            semantics))) {
                float[] v = t.toTensor().toArray();
                if (v.length != modelChannels * plane) {
                    throw new IllegalStateException("StyleModel.transfer returned " + v.length + " values for a 1×"
                            + modelChannels + "×" + cs[2] + "×" + cs[3] + " content");
                }
                for (int i = 0; i < cs[1] * plane; i++) {
                    out[n * cs[1] * plane + i] = v[i];
                }
            }
        }
        return out;
    }

    /** Sample {@code n} of an N×C×H×W array as a 1×channels×H×W tensor, channel j holding channel j mod C. */
    private static Tensor repeatChannels(Npy.Array a, int n, int channels) {
        int[] s = a.shape();
        int plane = s[2] * s[3];
        float[] f = new float[channels * plane];
        for (int j = 0; j < channels; j++) {
            int src = (n * s[1] + j % s[1]) * plane;
            for (int i = 0; i < plane; i++) {
                f[j * plane + i] = (float) a.data()[src + i];
            }
        }
        return Tensor.wrap(f, 1, channels, s[2], s[3]);
    }

    private static List<String> operations(ReferenceCase c) {
        Object ops = c.parameters().get("operations");
        if (!(ops instanceof List<?> l) || l.isEmpty()) {
            throw new IllegalStateException("error case " + c.name() + " names no operations");
        }
        return l.stream().map(String::valueOf).toList();
    }

    private void featuresCase(ReferenceCase c, CaseCheck check) {
        StyleModel m = model(c);
        Tensor img = image(c.content());
        List<Tensor> taps = m.encodeLayers(img);
        if (taps.size() != EncoderWeights.TAP_NAMES.size()) {
            check.fail("encodeLayers", "returned " + taps.size() + " tensors, expected "
                    + EncoderWeights.TAP_NAMES.size() + " (" + EncoderWeights.TAP_NAMES + ")");
            return;
        }
        for (int i = 0; i < taps.size(); i++) {
            ExpectedArray e = c.expected(EncoderWeights.TAP_NAMES.get(i));
            check.close(e.name(), taps.get(i), e.load(), network(e));
        }
        ExpectedArray last = c.expected("relu4_1");
        try (FeatureMap f = m.encode(img)) {
            check.close("encode() = relu4_1", f.toTensor(), last.load(), network(last));
        }
    }

    private void decodeCase(ReferenceCase c, CaseCheck check) {
        StyleModel m = model(c);
        ExpectedArray e = c.output();
        try (FeatureMap f = m.upload(tensor(ReferenceCases.array(c.input("features"))))) {
            check.close(e.name(), m.decode(f), e.load(), network(e));
        }
    }

    /**
     * A transfer case twice: the relu4_1 target through the SPI ({@link StyleModel#transfer}, which localises a
     * failure before the decoder), and the output through the public API on this backend.
     */
    private void transferCase(ReferenceCase c, CaseCheck check) {
        StyleModel m = model(c);
        Tensor content = image(c.content());
        List<FeatureMap> owned = new ArrayList<>();
        try {
            FeatureMap fc = m.encode(content);
            owned.add(fc);
            List<FeatureMap> styles = new ArrayList<>();
            for (String s : c.styles()) {
                Tensor style = image(s);
                if (c.preserveColor()) {
                    style = m.coral(style, content);
                }
                FeatureMap fs = m.encode(style);
                owned.add(fs);
                styles.add(fs);
            }
            int[] regions = c.mask().map(mask -> regions(ReferenceCases.maskArray(mask), fc.height(), fc.width()))
                    .orElse(null);
            FeatureMap t = m.transfer(new TransferPlan(fc, styles, doubles(c.normalisedStyleWeights()), c.alpha(),
                    regions, c.semantics()));
            owned.add(t);
            ExpectedArray target = c.expected("target");
            check.close("target (StyleModel.transfer)", t.toTensor(), target.load(), network(target));
        } finally {
            owned.forEach(FeatureMap::close);
        }
        ExpectedArray out = c.output();
        ImageTensor result = transfer(c).stylizeTensor(request(c));
        check.close("output (StyleTransfer)", tensorOf(result), out.load(), network(out));
    }

    /** The request of a transfer case, with no resizing. */
    private static StyleRequest request(ReferenceCase c) {
        StyleRequest.Builder b = StyleRequest.builder().content(imageTensor(c.content())).alpha(c.alpha())
                .preserveColor(c.preserveColor()).contentSize(0).styleSize(0);
        List<String> styles = c.styles();
        List<Double> weights = c.styleWeights();
        for (int i = 0; i < styles.size(); i++) {
            if (c.mask().isPresent()) {
                b.style(imageTensor(styles.get(i)));
            } else {
                b.style(imageTensor(styles.get(i)), weights.get(i));
            }
        }
        c.mask().ifPresent(mask -> b.mask(spatialMask(ReferenceCases.maskArray(mask))));
        return b.build();
    }

    private void coralCase(ReferenceCase c, CaseCheck check) {
        StyleModel m = model(c);
        ExpectedArray e = c.expected("coral_style");
        Tensor recoloured = m.coral(image(c.styles().get(0)), image(c.content()));
        check.close("coral_style (StyleModel.coral)", recoloured, e.load(), e.tolerance());
    }

    /**
     * The 8-bit image {@link StyleTransfer#stylize} gives for the transfer case the quantised reference was made
     * from. The reference quantises the float64 output; a float32 pipeline may land one level off where a value
     * sits on a rounding boundary, so the case allows the level difference the generator measured (1). At a reduced
     * precision the levels may differ by the stated {@link ReducedPrecisionTolerances#maxLevels()} and
     * {@link ReducedPrecisionTolerances#meanLevels()} (the network made them), and the rounding itself, float32 at
     * any precision, is checked with the float32 rule against the kit's own rounding of the backend's float output.
     */
    private void quantiseCase(ReferenceCase c, CaseCheck check) {
        ReferenceCase from = refs.get(c.stringParameter("from_case"));
        BufferedImage img = transfer(from).stylize(request(from));
        int h = img.getHeight();
        int w = img.getWidth();
        int[] shape = {3, h, w};
        double[] levels = levels(img);
        ExpectedArray e = c.expected("uint8");
        Npy.Array want = e.load();
        // at least one level: another float32 pipeline than the generator's may cross a boundary elsewhere
        double tolerance = Math.max(Math.max(e.tolerance(), 1),
                c.has("float32_pipeline_level_diff") ? c.doubleParameter("float32_pipeline_level_diff") : 1);
        String array = "uint8 (StyleTransfer.stylize)";
        if (reduced == null) {
            check.close(array, levels, shape, want, tolerance);
            levelsMostlyEqual(check, array, levels, want, "reference levels; rounding-boundary differences of a "
                    + "float32 pipeline touch far fewer (the generator saw " + (c.has(
                            "float32_pipeline_pixels_differing") ? c.intParameter("float32_pipeline_pixels_differing")
                            : "a few") + ")");
            return;
        }
        check.close(array, levels, shape, want, Math.max(tolerance, reduced.maxLevels()));
        if (levels.length == want.size()) {
            double sum = 0;
            for (int i = 0; i < levels.length; i++) {
                sum += Math.abs(levels[i] - want.data()[i]);
            }
            double mean = sum / levels.length;
            if (mean > reduced.meanLevels()) {
                check.reject(array, String.format(java.util.Locale.ROOT, "the mean |difference| from the reference "
                        + "levels is %.3g, over the stated meanLevels %.3g at Precision.%s", mean,
                        reduced.meanLevels(), precision));
            }
        }
        ImageTensor own = transfer(from).stylizeTensor(request(from));
        Npy.Array rounded = new Npy.Array(new int[] {3, own.height(), own.width()},
                quantise(own.toArray(), from.semantics()));
        String self = "uint8 vs the float output rounded";
        check.close(self, levels, shape, rounded, 1);
        levelsMostlyEqual(check, self, levels, rounded, "backend's own float output rounded to 8 bits by the "
                + from.semantics() + " rule (the rounding is float32 at any precision)");
    }

    /** An RGB image's 8-bit levels, channel-major ({@code 3×H×W}). */
    private static double[] levels(BufferedImage img) {
        int h = img.getHeight();
        int w = img.getWidth();
        double[] levels = new double[3 * h * w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int rgb = img.getRGB(x, y);
                levels[y * w + x] = (rgb >> 16) & 0xff;
                levels[(h + y) * w + x] = (rgb >> 8) & 0xff;
                levels[(2 * h + y) * w + x] = rgb & 0xff;
            }
        }
        return levels;
    }

    /**
     * The 8-bit rule of a semantics in double precision (SEMANTICS §5.4): clamp to [0, 1], ×255, then round half up
     * (port) or floor (Torch7).
     */
    private static double[] quantise(float[] values, Semantics semantics) {
        double[] q = new double[values.length];
        for (int i = 0; i < q.length; i++) {
            double v = Math.min(1, Math.max(0, values[i])) * 255;
            q[i] = semantics == Semantics.TORCH7 ? Math.floor(v) : Math.floor(v + 0.5);
        }
        return q;
    }

    /** Rejects 8-bit levels of which more than {@link #MAX_LEVEL_MISMATCH} differ from {@code want}. */
    private static void levelsMostlyEqual(CaseCheck check, String array, double[] levels, Npy.Array want,
            String what) {
        int off = 0;
        for (int i = 0; i < levels.length && levels.length == want.size(); i++) {
            off += levels[i] != want.data()[i] ? 1 : 0;
        }
        if (off > MAX_LEVEL_MISMATCH * levels.length) {
            check.reject(array, off + " of " + levels.length + " values differ from the " + what + ", at most "
                    + MAX_LEVEL_MISMATCH * 100 + "% may");
        }
    }

    /**
     * The loss terms of a batch of pairs ({@link StyleModel#losses}); then, to localise a failure, the AdaIN target
     * and its decoded image of each pair through the SPI.
     */
    private void lossesCase(ReferenceCase c, CaseCheck check) {
        StyleModel m = model(c);
        Tensor contents = tensor(c.contentBatch());
        Tensor styles = tensor(c.styleBatch());
        LossTerms l = m.losses(contents, styles, c.semantics());
        scalar(check, c, "content", l.content());
        ExpectedArray layers = c.expected("style_layers");
        check.close("style_layers", l.styleLayers(), new int[] {l.styleLayers().length}, layers.load(),
                layers.tolerance());
        scalar(check, c, "total", l.total(c.contentWeight(), c.styleWeight()));
        int n = contents.dim(0);
        List<Tensor> targets = new ArrayList<>();
        List<Tensor> decoded = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            try (FeatureMap fc = m.encode(sample(contents, k));
                    FeatureMap fs = m.encode(sample(styles, k));
                    FeatureMap t = m.transfer(new TransferPlan(fc, List.of(fs), new double[] {1.0}, 1.0, null,
                            c.semantics()))) {
                targets.add(t.toTensor());
                decoded.add(m.decode(t));
            }
        }
        for (String name : List.of("target", "decoded")) {
            ExpectedArray e = c.expected(name);
            check.close(name + " (SPI, per pair)", stack(name.equals("target") ? targets : decoded), e.load(),
                    e.tolerance());
        }
    }

    /**
     * The gradient of the total loss w.r.t. the decoder convolutions the case stores (first and last), from a
     * training session ({@link BackendProvider#train}, {@link DecoderTraining#gradients}) at the case's weights.
     */
    private void gradientsCase(ReferenceCase c, CaseCheck check) {
        StyleModel m = model(c);
        Tensor contents = tensor(c.contentBatch());
        Tensor styles = tensor(c.styleBatch());
        scalar(check, c, "loss", m.losses(contents, styles, c.semantics()).total(c.contentWeight(),
                c.styleWeight()));
        TrainingConfig config = TrainingConfig.defaults(c.semantics()).withContentWeight(c.contentWeight())
                .withStyleWeight(c.styleWeight());
        List<Tensor[]> g;
        try (DecoderTraining t = provider.train(encoderWeights(c), decoderWeights(c), config)) {
            g = t.gradients(contents, styles);
            if (t.iteration() != 0) {
                check.fail("iteration()", "is " + t.iteration() + " after gradients(); gradients must not step");
            }
        }
        if (g == null || g.size() != DecoderWeights.CONV_COUNT) {
            check.fail("gradients", "DecoderTraining.gradients returned " + (g == null ? "null" : g.size()
                    + " entries") + ", expected one [kernel, bias] per decoder conv (" + DecoderWeights.CONV_COUNT
                    + ")");
            return;
        }
        for (int i : c.decoderConvs()) {
            ExpectedArray k = c.expected("grad_conv" + i + "_kernel");
            ExpectedArray b = c.expected("grad_conv" + i + "_bias");
            check.close(k.name(), g.get(i)[0], k.load(), k.tolerance());
            check.close(b.name(), g.get(i)[1], b.load(), b.tolerance());
        }
    }

    /**
     * Adam steps on the decoder ({@link DecoderTraining#step}, the same batch each step, the case's learning rate
     * and decay): the total loss of each step's forward pass, the loss after the last step (through
     * {@link StyleModel#losses} of a model loaded with the trained weights), and the trained weights.
     */
    private void adamCase(ReferenceCase c, CaseCheck check) {
        Tensor contents = tensor(c.contentBatch());
        Tensor styles = tensor(c.styleBatch());
        int steps = c.intParameter("steps");
        TrainingConfig config = new TrainingConfig(c.learningRate(), c.learningRateDecay(), c.contentWeight(),
                c.styleWeight(), c.doubleParameter("beta1"), c.doubleParameter("beta2"),
                c.doubleParameter("adam_eps"), c.semantics());
        double[] losses = new double[steps];
        DecoderWeights trained;
        try (DecoderTraining t = provider.train(encoderWeights(c), decoderWeights(c), config)) {
            for (int i = 0; i < steps; i++) {
                losses[i] = t.step(contents, styles).total(c.contentWeight(), c.styleWeight());
            }
            if (t.iteration() != steps) {
                check.fail("iteration()", "is " + t.iteration() + " after " + steps + " steps");
            }
            trained = t.weights();
        }
        ExpectedArray e = c.expected("losses");
        check.close("losses (each step, before its update)", losses, new int[] {steps}, e.load(), e.tolerance());
        try (StyleModel after = provider.load(encoderWeights(c), trained)) {
            scalar(check, c, "loss_after", after.losses(contents, styles, c.semantics()).total(c.contentWeight(),
                    c.styleWeight()));
        }
        for (int i : c.decoderConvs()) {
            ExpectedArray k = c.expected("conv" + i + "_kernel");
            ExpectedArray b = c.expected("conv" + i + "_bias");
            check.close(k.name(), ReferenceWeights.kernel(trained.convs().get(i)), k.load(), k.tolerance());
            check.close(b.name(), ReferenceWeights.bias(trained.convs().get(i)), b.load(), b.tolerance());
        }
    }

    /**
     * Torch7's test-time transform through the public API ({@link ImageTensor#resize(int, boolean, Semantics)}) on
     * the case's PNG as read from its bytes: the centre square first, then torch/image's bilinear filter. The same
     * for every backend (pure Java), so a backend's kit run also pins the API it runs under.
     */
    private void torch7ResizeCase(ReferenceCase c, CaseCheck check) throws java.io.IOException {
        BufferedImage img;
        try (java.io.InputStream in = ReferenceCases.open(c.input("image"))) {
            img = javax.imageio.ImageIO.read(in);
        }
        ImageTensor resized = ImageTensor.fromImage(img).resize(c.intParameter("size"), c.booleanParameter("crop"),
                Semantics.TORCH7);
        ExpectedArray e = c.expected("values");
        check.close("values (ImageTensor.resize, Torch7)", Tensor.wrap(resized.toArray(), 3, resized.height(),
                resized.width()), e.load(), e.tolerance());
    }

    /** A one-value expected array ({@code [1]} or {@code []}) against a number. */
    private static void scalar(CaseCheck check, ReferenceCase c, String name, double actual) {
        ExpectedArray e = c.expected(name);
        Npy.Array want = e.load();
        check.close(name, new double[] {actual}, want.shape(), want, e.tolerance());
    }

    /** Sample k of a batch as a batch of one. */
    private static Tensor sample(Tensor batch, int k) {
        int[] s = batch.shape();
        int per = s[1] * s[2] * s[3];
        float[] all = batch.toArray();
        return Tensor.wrap(Arrays.copyOfRange(all, k * per, (k + 1) * per), 1, s[1], s[2], s[3]);
    }

    /** Batch-1 tensors of one shape stacked along the batch axis. */
    private static Tensor stack(List<Tensor> parts) {
        int[] s = parts.get(0).shape();
        int per = parts.get(0).size();
        float[] f = new float[per * parts.size()];
        for (int k = 0; k < parts.size(); k++) {
            if (parts.get(k).size() != per) {
                throw new IllegalStateException("per-sample results differ in shape: "
                        + Arrays.toString(parts.get(k).shape()) + " vs " + Arrays.toString(s));
            }
            parts.get(k).copyTo(f, k * per);
        }
        s[0] = parts.size();
        return Tensor.wrap(f, s);
    }

    /** Asserts that {@code call} throws {@link InvalidRequestException}, recording a failure otherwise. */
    static void expectInvalidRequest(CaseCheck check, String what, Runnable call) {
        try {
            call.run();
            check.fail(what, "returned normally; expected an InvalidRequestException");
        } catch (InvalidRequestException expected) {
            if (expected.getMessage() == null || expected.getMessage().isBlank()) {
                check.fail(what, "threw an InvalidRequestException without a message");
            }
        } catch (RuntimeException e) {
            check.fail(what, "threw " + e + "; expected an InvalidRequestException");
        }
    }
}
