package org.adain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Executable;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.adain.fake.FakeBackendProvider;
import org.adain.fake.FakeWeightsReader;
import org.adain.spi.BackendProvider;
import org.adain.spi.DecoderWeights;
import org.adain.spi.EncoderWeights;
import org.adain.spi.FeatureMap;
import org.adain.spi.LossTerms;
import org.adain.spi.StyleModel;
import org.adain.spi.Tensor;
import org.adain.spi.TransferPlan;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The exception contract of the inference API ({@code StyleTransfer}'s class Javadoc): on purpose it throws an
 * {@link AdainException}, {@link IllegalStateException} for a closed instance or closed features,
 * {@link NullPointerException} for null arguments and {@link IndexOutOfBoundsException} for a pixel outside an
 * image; whatever a backend or a weight reader throws besides arrives as a {@link BackendException} naming it, with
 * what it threw as the cause.
 */
class ExceptionContractTest {
    @TempDir
    Path dir;
    Path enc;
    Path dec;

    @BeforeEach
    void weights() throws IOException {
        enc = Files.write(dir.resolve("enc.fake"), FakeWeightsReader.MAGIC);
        dec = Files.write(dir.resolve("dec.fake"), FakeWeightsReader.MAGIC);
    }

    private StyleTransfer open() {
        return StyleTransfer.builder().encoder(enc).decoder(dec).build();
    }

    private static ImageTensor image(long seed) {
        return StyleTransferTest.noise(seed, 16, 16);
    }

    private static StyleRequest request(ImageTensor content, StyleFeatures style) {
        return StyleRequest.builder().content(content).style(style).contentSize(0).build();
    }

    // ------------------------------------------------------------------ closed instances and features

    @Test
    void aClosedStyleTransferThrowsIllegalStateFromEveryMethodThatUsesTheModel() {
        StyleTransfer st = open();
        StyleRequest r = StyleRequest.builder().content(image(1)).style(image(2)).build();
        st.close();
        Map<String, Runnable> calls = new LinkedHashMap<>();
        calls.put("stylize", () -> st.stylize(r));
        calls.put("stylizeTensor", () -> st.stylizeTensor(r));
        calls.put("encodeStyle(BufferedImage)", () -> st.encodeStyle(image(3).toImage()));
        calls.put("encodeStyle(BufferedImage, size, crop)", () -> st.encodeStyle(image(3).toImage(), 0, false));
        calls.put("encodeStyle(ImageTensor, size, crop)", () -> st.encodeStyle(image(3), 0, false));
        calls.put("trimMemory", st::trimMemory);
        calls.put("describe", st::describe);
        calls.forEach((name, call) -> assertThatThrownBy(call::run).as(name)
                .isExactlyInstanceOf(IllegalStateException.class).hasMessage("This StyleTransfer is closed"));
        // the closed check comes first: a bad argument does not change the answer
        assertThatThrownBy(() -> st.encodeStyle(image(3), -1, false)).isExactlyInstanceOf(IllegalStateException.class);

        assertThatCode(st::close).doesNotThrowAnyException();
        assertThat(st.backendName()).isEqualTo("fake");
        assertThat(st.maxPixels()).isEqualTo(StyleTransfer.DEFAULT_MAX_PIXELS);
    }

    @Test
    void closedStyleFeaturesAreRefusedWithIllegalStateEvenWhenOnlyTheirPixelsWouldBeUsed() {
        try (StyleTransfer st = open()) {
            StyleFeatures f = st.encodeStyle(image(4), 0, false);
            f.close();
            f.close();
            StyleRequest plain = request(image(5), f);
            StyleRequest colour = StyleRequest.builder().content(image(5)).style(f).preserveColor(true).build();
            for (StyleRequest r : List.of(plain, colour)) {
                assertThatThrownBy(() -> st.stylizeTensor(r)).isExactlyInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("StyleFeatures were closed");
            }
            // what describes them still works
            assertThat(f.featureShape()).isEqualTo("3×2×2");
            assertThat(f.pixels().width()).isEqualTo(16);
            assertThat(f).hasToString("StyleFeatures[3×2×2 from 16×16, closed]");
        }
    }

    @Test
    void styleFeaturesOfAnotherInstanceAreAnInvalidRequest() {
        try (StyleTransfer a = open(); StyleTransfer b = open()) {
            StyleFeatures f = a.encodeStyle(image(6), 0, false);
            StyleRequest colour = StyleRequest.builder().content(image(7)).style(f).preserveColor(true).build();
            assertThatThrownBy(() -> b.stylizeTensor(colour)).isInstanceOf(InvalidRequestException.class)
                    .hasMessageContaining("another StyleTransfer");
        }
    }

    // ------------------------------------------------------------------ what backends and readers throw

    /** Where the broken backend throws, what it throws, and what the caller learns. */
    enum Step {
        LOAD("loading the weights", () -> new IllegalArgumentException("bad weights for me")),
        ENCODE("encoding a 16×16 style", () -> new IllegalStateException("my own state, not a closed instance")),
        TRANSFER("stylising a 16×16 content", () -> new NullPointerException("a bug in my transfer")),
        DECODE("stylising a 16×16 content", () -> new UnsupportedOperationException("decoding")),
        TRIM("freeing its reusable memory", () -> new UncheckedIOException(new IOException("swap"))),
        DESCRIBE("describing itself", () -> new ArrayIndexOutOfBoundsException(3)),
        CLOSE("closing its model", () -> new IllegalStateException("double free"));

        final String words;
        final Supplier<RuntimeException> failure;

        Step(String words, Supplier<RuntimeException> failure) {
            this.words = words;
            this.failure = failure;
        }
    }

    @ParameterizedTest
    @EnumSource(Step.class)
    void whatABackendThrowsBesidesAdainExceptionsArrivesAsABackendExceptionNamingItAndTheStep(Step step) {
        RuntimeException thrown = step.failure.get();
        BrokenBackend backend = new BrokenBackend(step, thrown);
        Throwable caught = catchFrom(() -> {
            StyleTransfer st = StyleTransfer.builder().encoder(enc).decoder(dec).backend(backend).build();
            try {
                switch (step) {
                    case ENCODE -> st.encodeStyle(image(8), 0, false);
                    case TRANSFER, DECODE -> st.stylizeTensor(StyleRequest.builder().content(image(8))
                            .style(image(9)).contentSize(0).styleSize(0).build());
                    case TRIM -> st.trimMemory();
                    case DESCRIBE -> st.describe();
                    default -> {
                    }
                }
            } finally {
                st.close();
            }
        });
        assertThat(caught).as(step.name()).isExactlyInstanceOf(BackendException.class)
                .hasMessageStartingWith("Backend 'broken' failed while " + step.words + ": ")
                .hasMessageContaining(thrown.getClass().getName());
        assertThat(caught.getCause()).isSameAs(thrown);
        if (step != Step.LOAD) {
            assertThat(backend.model.isClosed()).as("the model is closed all the same").isTrue();
        }
    }

    @Test
    void anAdainExceptionFromTheBackendArrivesUnchanged() {
        InvalidRequestException thrown = new InvalidRequestException("a plan I cannot compute");
        try (StyleTransfer st = StyleTransfer.builder().encoder(enc).decoder(dec)
                .backend(new BrokenBackend(Step.TRANSFER, thrown)).build()) {
            assertThatThrownBy(() -> st.stylizeTensor(StyleRequest.builder().content(image(10)).style(image(11))
                    .build())).isSameAs(thrown);
        }
    }

    @Test
    void aWeightReaderThatThrowsSomethingElseGivesABackendExceptionNamingItAndTheFile() throws IOException {
        Path buggy = Files.write(dir.resolve("buggy.fake"),
                (new String(FakeWeightsReader.MAGIC) + FakeWeightsReader.BUG).getBytes());
        assertThatThrownBy(() -> StyleTransfer.builder().encoder(buggy).decoder(dec).build())
                .isExactlyInstanceOf(BackendException.class)
                .hasMessageContaining("The Fake test weights reader (" + FakeWeightsReader.class.getName()
                        + ") failed unexpectedly on the encoder weight file")
                .hasMessageContaining("buggy.fake").hasCauseInstanceOf(IllegalArgumentException.class);
    }

    // ------------------------------------------------------------------ nulls and indices

    /** Parameters where null has a documented meaning (unset, none, not equal). */
    private static final Set<String> NULL_ALLOWED = Set.of("StyleTransfer.Builder.encoder(Path)",
            "StyleTransfer.Builder.decoder(Path)", "StyleTransfer.Builder.backend(String)",
            "StyleRequest.Builder.mask(SpatialMask)", "StyleRequest.Builder.contentStatistics(UnaryOperator)",
            "ImageTensor.equals(Object)");

    @Test
    void everyPublicMethodThrowsNullPointerExceptionForANullArgumentUnlessNullMeansSomething() throws Exception {
        Set<String> allowedSeen = new HashSet<>();
        List<String> wrong = new ArrayList<>();
        int checked = 0;
        try (StyleTransfer st = open(); StyleFeatures features = st.encodeStyle(image(12), 0, false)) {
            Map<Class<?>, Supplier<Object>> receivers = new LinkedHashMap<>();
            receivers.put(StyleTransfer.class, this::open);
            receivers.put(StyleTransfer.Builder.class, StyleTransfer::builder);
            receivers.put(StyleRequest.class, () -> request(image(13), features));
            receivers.put(StyleRequest.Builder.class, StyleRequest::builder);
            receivers.put(StyleFeatures.class, () -> st.encodeStyle(image(14), 0, false));
            receivers.put(ImageTensor.class, () -> image(15));
            receivers.put(SpatialMask.class, () -> SpatialMask.ofStyleIndices(2, 1, new int[] {0, 1}));
            receivers.put(ColorTransfer.class, () -> null);
            receivers.put(Images.class, () -> null);
            Map<Class<?>, Object> samples = samples(st, features);
            for (Class<?> type : receivers.keySet()) {
                for (Method m : type.getDeclaredMethods()) {
                    if (!Modifier.isPublic(m.getModifiers()) || m.isSynthetic()) {
                        continue;
                    }
                    Class<?>[] params = m.getParameterTypes();
                    for (int i = 0; i < params.length; i++) {
                        if (params[i].isPrimitive()) {
                            continue;
                        }
                        String name = signature(m);
                        if (NULL_ALLOWED.contains(name)) {
                            allowedSeen.add(name);
                            continue;
                        }
                        Object[] args = new Object[params.length];
                        for (int k = 0; k < params.length; k++) {
                            args[k] = k == i ? null : sample(samples, params[k], name);
                        }
                        Object receiver = Modifier.isStatic(m.getModifiers()) ? null : receivers.get(type).get();
                        Throwable t = invoke(m, receiver, args);
                        checked++;
                        if (!(t instanceof NullPointerException)) {
                            wrong.add(name + " with argument " + i + " null threw " + t);
                        }
                        if (receiver instanceof AutoCloseable c) {
                            c.close();
                        }
                    }
                }
            }
        }
        assertThat(wrong).isEmpty();
        assertThat(allowedSeen).as("every documented null is still a parameter").isEqualTo(NULL_ALLOWED);
        assertThat(checked).as("parameters checked").isGreaterThan(25);
    }

    private Map<Class<?>, Object> samples(StyleTransfer st, StyleFeatures features) {
        FakeWeightsReader reader = new FakeWeightsReader();
        Map<Class<?>, Object> samples = new LinkedHashMap<>();
        samples.put(ImageTensor.class, image(16));
        samples.put(BufferedImage.class, image(17).toImage());
        samples.put(Path.class, dir.resolve("sample.png"));
        samples.put(StyleRequest.class, request(image(18), features));
        samples.put(StyleFeatures.class, features);
        samples.put(SpatialMask.class, SpatialMask.ofStyleIndices(2, 1, new int[] {0, 1}));
        samples.put(EncoderWeights.class, reader.readEncoder(enc));
        samples.put(DecoderWeights.class, reader.readDecoder(dec));
        samples.put(BackendProvider.class, new FakeBackendProvider());
        samples.put(Tensor.class, image(19).toTensor());
        samples.put(float[].class, new float[3 * 16 * 16]);
        samples.put(int[].class, new int[] {0, 1});
        samples.put(byte[].class, new byte[] {1, 2, 3});
        samples.put(String.class, "fake");
        samples.put(int.class, 16);
        samples.put(long.class, StyleTransfer.DEFAULT_MAX_PIXELS);
        samples.put(double.class, 0.5);
        samples.put(boolean.class, false);
        return samples;
    }

    private static Object sample(Map<Class<?>, Object> samples, Class<?> type, String method) {
        if (!samples.containsKey(type)) {
            throw new AssertionError("No sample value of " + type.getName() + " for " + method + ": add one");
        }
        return samples.get(type);
    }

    private static String signature(Executable m) {
        StringBuilder sb = new StringBuilder(m.getDeclaringClass().getName().replace("org.adain.", "")
                .replace('$', '.')).append('.').append(m.getName()).append('(');
        Class<?>[] params = m.getParameterTypes();
        for (int i = 0; i < params.length; i++) {
            sb.append(i == 0 ? "" : ", ").append(params[i].getSimpleName());
        }
        return sb.append(')').toString();
    }

    private static Throwable invoke(Method m, Object receiver, Object[] args) throws IllegalAccessException {
        try {
            m.invoke(receiver, args);
            return null;
        } catch (InvocationTargetException e) {
            return e.getCause();
        }
    }

    private static Throwable catchFrom(Runnable r) {
        try {
            r.run();
            return null;
        } catch (RuntimeException e) {
            return e;
        }
    }

    @Test
    void aPixelOutsideTheImageIsAnIndexOutOfBoundsException() {
        ImageTensor t = image(20);
        assertThatThrownBy(() -> t.get(3, 0, 0)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> t.get(0, 16, 0)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> t.get(0, 0, -1)).isInstanceOf(IndexOutOfBoundsException.class);
        SpatialMask m = SpatialMask.ofStyleIndices(2, 1, new int[] {0, 1});
        assertThatThrownBy(() -> m.styleAt(2, 0)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> m.styleAt(0, 1)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void anImpossibleResizeIsAnInvalidRequestNotAnArrayError() {
        ImageTensor wide = ImageTensor.of(new float[3 * 10 * 40], 10, 40);
        assertThatThrownBy(() -> wide.resize(Integer.MAX_VALUE, false)).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("40×10").hasMessageContaining(String.valueOf(Images.MAX_DECODE_PIXELS));
        assertThatThrownBy(() -> wide.resize(1 << 15, true)).isInstanceOf(InvalidRequestException.class);
        assertThat(wide.resize(20, false).width()).isEqualTo(80);
    }

    // ------------------------------------------------------------------ the broken backend

    /** The fake backend, with one step throwing what the test gives it. */
    static final class BrokenBackend implements BackendProvider {
        final Step step;
        final RuntimeException failure;
        Model model;

        BrokenBackend(Step step, RuntimeException failure) {
            this.step = step;
            this.failure = failure;
        }

        @Override
        public String name() {
            return "broken";
        }

        @Override
        public int priority() {
            return 0;
        }

        @Override
        public StyleModel load(EncoderWeights encoder, DecoderWeights decoder) {
            fail(Step.LOAD);
            model = new Model(new FakeBackendProvider().load(encoder, decoder));
            return model;
        }

        private void fail(Step at) {
            if (step == at) {
                throw failure;
            }
        }

        /** Delegates to the fake model, failing at the step. */
        final class Model implements StyleModel {
            private final StyleModel fake;
            private boolean closed;

            Model(StyleModel fake) {
                this.fake = fake;
            }

            boolean isClosed() {
                return closed;
            }

            @Override
            public Set<Capability> capabilities() {
                return fake.capabilities();
            }

            @Override
            public FeatureMap encode(Tensor images) {
                fail(Step.ENCODE);
                return fake.encode(images);
            }

            @Override
            public List<Tensor> encodeLayers(Tensor images) {
                return fake.encodeLayers(images);
            }

            @Override
            public FeatureMap transfer(TransferPlan plan) {
                fail(Step.TRANSFER);
                return fake.transfer(plan);
            }

            @Override
            public Tensor decode(FeatureMap features) {
                fail(Step.DECODE);
                return fake.decode(features);
            }

            @Override
            public FeatureMap upload(Tensor features) {
                return fake.upload(features);
            }

            @Override
            public Tensor mean(Tensor features) {
                return fake.mean(features);
            }

            @Override
            public Tensor std(Tensor features) {
                return fake.std(features);
            }

            @Override
            public LossTerms losses(Tensor contents, Tensor styles) {
                return fake.losses(contents, styles);
            }

            @Override
            public String describe() {
                fail(Step.DESCRIBE);
                return fake.describe();
            }

            @Override
            public void trimMemory() {
                fail(Step.TRIM);
                fake.trimMemory();
            }

            @Override
            public void close() {
                closed = true;
                fake.close();
                fail(Step.CLOSE);
            }
        }
    }
}
