package org.adain.examples.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.adain.testkit.reference.ReferenceCases;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link PrecisionQuality} until a backend implements bf16: its refusal path on onnxruntime (float32 only), its
 * arguments, and the whole comparison run float32 against float32, which must find no difference.
 */
class PrecisionQualityTest {
    @TempDir
    Path dir;

    private record Run(int code, String out, String err) {
    }

    private Run run(String... extra) {
        Path images = dir.resolve("images");
        ReferenceCases.copyTo("images/content_48x64.png", images.resolve("content"));
        ReferenceCases.copyTo("images/style_0.png", images.resolve("style"));
        ReferenceCases.copyTo("images/style_1.png", images.resolve("style"));
        List<String> args = new ArrayList<>(List.of("--encoder",
                ReferenceCases.copyTo("models/encoder_tf2.h5", dir).toString(), "--decoder",
                ReferenceCases.copyTo("models/decoder_tf2.h5", dir).toString(), "--images", images.toString(),
                "--size", "40"));
        args.addAll(List.of(extra));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = PrecisionQuality.run(args.toArray(String[]::new), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aBackendWithoutThePrecisionIsReportedWithItsMessage() {
        Run r = run("--backend", "onnxruntime", "--precision", "bf16");
        assertThat(r.code()).as(r.toString()).isEqualTo(3);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).isEqualTo("PrecisionQuality: Backend 'onnxruntime' does not implement precision BF16: it "
                + "runs float32 only; use Precision.FLOAT32, or a backend that implements BF16"
                + System.lineSeparator());
    }

    @Test
    void float32AgainstItselfFindsNoDifferenceForEveryPair() {
        Run r = run("--backend", "onnxruntime", "--precision", "float32");
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.err()).isEmpty();
        assertThat(r.out().lines().filter(l -> l.startsWith("quality.pair"))).containsExactly(
                "quality.pair content=content_48x64.png style=style_0.png max=0 mean=0.0000 psnr=inf bar=met",
                "quality.pair content=content_48x64.png style=style_1.png max=0 mean=0.0000 psnr=inf bar=met");
        assertThat(r.out()).contains("quality.info backend=onnxruntime precision=float32 size=40 contents=1 styles=2",
                "quality.result backend=onnxruntime precision=float32 pairs=2 max=0 mean=0.0000 psnr=inf bar=met "
                        + "(bar: max <= 3 levels, mean <= 0.3)");
    }

    @Test
    void badArgumentsAreNamed() {
        Run precision = run("--precision", "fp16");
        assertThat(precision.code()).isEqualTo(2);
        assertThat(precision.err()).contains("--precision: Unknown precision 'fp16': use float32 or bf16", "usage:");
        Run missing = run("--images");
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err()).contains("--images needs a value");
        Run noImages = run("--images", dir.resolve("nowhere").toString(), "--backend", "onnxruntime");
        assertThat(noImages.code()).isEqualTo(3);
        assertThat(noImages.err()).contains("No directory " + dir.resolve("nowhere").resolve("content"));
    }
}
