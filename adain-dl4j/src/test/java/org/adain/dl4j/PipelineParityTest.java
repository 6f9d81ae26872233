package org.adain.dl4j;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.adain.ColorTransfer;
import org.adain.ImageTensor;
import org.adain.Images;
import org.adain.SpatialMask;
import org.adain.StyleRequest;
import org.adain.StyleTransfer;
import org.adain.testkit.reference.Npy;
import org.adain.testkit.reference.ReferenceCase;
import org.adain.testkit.reference.ReferenceCases;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;

/**
 * The whole public path (PNG files → StyleTransfer with the DL4J backend → unclamped output) against the
 * float64 PyTorch oracle's reference cases, each within its own tolerance. Weight files are the Keras HDF5
 * fixtures in both layouts; images are read from files as a user would.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PipelineParityTest {
    private final ReferenceCases cases = ReferenceCases.load();
    private final Map<String, StyleTransfer> transfers = new HashMap<>();
    private Path dir;

    @BeforeAll
    void setUp() throws Exception {
        dir = Files.createTempDirectory("adain-parity");
    }

    @AfterAll
    void tearDown() {
        transfers.values().forEach(StyleTransfer::close);
    }

    private Path file(String resource) {
        Path p = dir.resolve(resource);
        return Files.exists(p) ? p : ReferenceCases.copyTo(resource, p.getParent());
    }

    private StyleTransfer transfer(String encoder, String decoder) {
        return transfers.computeIfAbsent(encoder + "|" + decoder, k -> StyleTransfer.builder()
                .encoder(file(encoder)).decoder(file(decoder)).build());
    }

    private BufferedImage image(String resource) {
        return Images.read(file(resource));
    }

    /** Largest |actual − expected|, failing with the case, index and values of the worst element. */
    static double assertClose(String what, float[] actual, Npy.Array expected, double tolerance) {
        assertThat(actual.length).as(what + " element count").isEqualTo(expected.size());
        double worst = -1;
        int at = -1;
        for (int i = 0; i < actual.length; i++) {
            double d = Math.abs(actual[i] - expected.data()[i]);
            if (!(d <= worst)) {
                worst = d;
                at = i;
            }
        }
        assertThat(worst).as("%s: max |error| at flat index %d of shape %s (actual %s, expected %s), tolerance %s",
                what, at, Arrays.toString(expected.shape()), actual[at], expected.data()[at], tolerance)
                .isLessThanOrEqualTo(tolerance);
        System.out.printf("parity %-28s max|err| %.3g (tolerance %.3g)%n", what, worst, tolerance);
        return worst;
    }

    @TestFactory
    Stream<DynamicTest> transferCasesMatchTheOracle() {
        // the Torch7 cases run in the conformance kit's Torch7 group
        List<ReferenceCase> port = cases.ofKind(ReferenceCase.Kind.TRANSFER, org.adain.Semantics.PYTORCH_PORT);
        return port.stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            StyleRequest.Builder b = StyleRequest.builder().content(image(c.content())).alpha(c.alpha())
                    .preserveColor(c.preserveColor()).contentSize(0).styleSize(0);
            List<String> styles = c.styles();
            List<Double> weights = c.styleWeights();
            for (int i = 0; i < styles.size(); i++) {
                if (c.mask().isPresent()) {
                    b.style(image(styles.get(i)));
                } else {
                    b.style(image(styles.get(i)), weights.get(i));
                }
            }
            c.mask().ifPresent(m -> b.mask(SpatialMask.fromImage(image(m))));
            ImageTensor out = transfer(c.encoder(), c.decoder()).stylizeTensor(b.build());
            assertClose(c.name() + "/output", out.toArray(), c.load("output"), c.output().tolerance());
        }));
    }

    @TestFactory
    Stream<DynamicTest> colourPreservationMatchesTheOracle() {
        ReferenceCase c = cases.get("preserve_color");
        return Stream.of(DynamicTest.dynamicTest("coral_style", () -> {
            ImageTensor style = ImageTensor.fromImage(image(c.styles().get(0)));
            ImageTensor content = ImageTensor.fromImage(image(c.content()));
            assertClose("preserve_color/coral_style", ColorTransfer.coral(style, content).toArray(),
                    c.load("coral_style"), c.expected("coral_style").tolerance());
        }));
    }

    @TestFactory
    Stream<DynamicTest> resizingReproducesPilExactly() {
        List<ReferenceCase> port = cases.ofKind(ReferenceCase.Kind.RESIZE, org.adain.Semantics.PYTORCH_PORT);
        return port.stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            int size = c.intParameter("size");
            boolean crop = c.has("crop");
            ImageTensor resized = ImageTensor.fromImage(image(c.input("image"))).resize(size, crop);
            float[] v = resized.toArray();
            for (int i = 0; i < v.length; i++) {
                v[i] = Math.round(v[i] * 255f);
            }
            // The manifest allows 1 level for float implementations; ours reproduces PIL's fixed point exactly.
            assertClose(c.name() + "/uint8", v, c.load("uint8"), 0);
        }));
    }

    @TestFactory
    Stream<DynamicTest> quantisationFollowsThePortRule() {
        ReferenceCase c = cases.get("quantised");
        return Stream.of(DynamicTest.dynamicTest("quantised", () -> {
            Npy.Array in = ReferenceCases.array(c.input("tensor"));
            int h = in.shape()[2];
            int w = in.shape()[3];
            float[] f = new float[in.size()];
            for (int i = 0; i < f.length; i++) {
                f[i] = (float) in.data()[i];
            }
            BufferedImage img = ImageTensor.of(f, h, w).toImage();
            float[] levels = new float[3 * h * w];
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int rgb = img.getRGB(x, y);
                    levels[y * w + x] = (rgb >> 16) & 0xff;
                    levels[h * w + y * w + x] = (rgb >> 8) & 0xff;
                    levels[2 * h * w + y * w + x] = rgb & 0xff;
                }
            }
            assertClose("quantised/uint8", levels, c.load("uint8"), 0);
        }));
    }
}
