package org.adain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import org.adain.fake.FakeWeightsReader;
import org.adain.spi.TrainingConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pure-Java parts of {@link Semantics#TORCH7}: geometry, torch/image's bilinear, pixel levels, 8-bit rule. */
class Torch7SemanticsTest {
    @TempDir
    Path dir;

    @Test
    void cropsTheCentreSquareFirstWithFloorOffsetsThenScalesTheShorterSide() {
        // 75×100 (H×W), crop, 32: the 75×75 square at left floor(25/2) = 12, then 32×32
        Resizing.Plan p = Resizing.plan(75, 100, 32, true, Semantics.TORCH7);
        assertThat(p.cropFirst()).isTrue();
        assertThat(new int[] {p.top(), p.left(), p.height(), p.width()}).containsExactly(0, 12, 75, 75);
        assertThat(new int[] {p.finalHeight(), p.finalWidth()}).containsExactly(32, 32);
        // the port resizes first (32×42) and crops at round-half-even (42 − 32)/2 = 5
        Resizing.Plan port = Resizing.plan(75, 100, 32, true);
        assertThat(port.cropFirst()).isFalse();
        assertThat(new int[] {port.resizedHeight(), port.resizedWidth(), port.left()}).containsExactly(32, 42, 5);
        // no crop: both sides times size/min, truncated (init.lua:692), as the port's sizes
        Resizing.Plan t = Resizing.plan(75, 100, 32, false, Semantics.TORCH7);
        assertThat(new int[] {t.finalHeight(), t.finalWidth()}).containsExactly(32, 42);
        // crop with size 0: the square, not 0×0
        Resizing.Plan zero = Resizing.plan(45, 70, 0, true, Semantics.TORCH7);
        assertThat(new int[] {zero.left(), zero.finalHeight(), zero.finalWidth()}).containsExactly(12, 45, 45);
    }

    @Test
    void torchBilinearAlignsCornersWhenEnlargingAndAveragesBoxesWhenShrinking() {
        float[] row = new float[3 * 2];
        for (int c = 0; c < 3; c++) {
            row[c * 2] = 0f;
            row[c * 2 + 1] = 1f;
        }
        ImageTensor two = ImageTensor.of(row, 1, 2);
        // 2 → 5: positions 0, 1/4, 1/2, 3/4, 1 of the span (corners aligned, not PIL's half-pixel centres)
        ImageTensor five = Resizing.resizeTorch(two, 1, 5);
        assertThat(five.get(0, 0, 0)).isEqualTo(0f);
        assertThat(five.get(0, 0, 1)).isEqualTo(0.25f);
        assertThat(five.get(0, 0, 2)).isEqualTo(0.5f);
        assertThat(five.get(0, 0, 4)).isEqualTo(1f);
        // 3 → 2: boxes of 1.5 source pixels: (a + 0.5 b) / 1.5 and (0.5 b + c) / 1.5
        float[] three = new float[9];
        for (int c = 0; c < 3; c++) {
            three[c * 3] = 0f;
            three[c * 3 + 1] = 0.3f;
            three[c * 3 + 2] = 0.9f;
        }
        ImageTensor shrunk = Resizing.resizeTorch(ImageTensor.of(three, 1, 3), 1, 2);
        assertThat(shrunk.get(1, 0, 0)).isCloseTo(0.15f / 1.5f, org.assertj.core.data.Offset.offset(1e-7f));
        assertThat(shrunk.get(1, 0, 1)).isCloseTo(1.05f / 1.5f, org.assertj.core.data.Offset.offset(1e-7f));
    }

    @Test
    void eightBitPixelsTakeTorch7sValuesByteTimesFloat32OfOneOver255() {
        BufferedImage img = new BufferedImage(2, 1, BufferedImage.TYPE_INT_RGB);
        img.setRGB(0, 0, 0x010203);
        img.setRGB(1, 0, 0xfd7f80);
        ImageTensor t = PixelConversion.torch7Levels(ImageTensor.fromImage(img));
        float inv = (float) (1.0 / 255);
        assertThat(t.get(0, 0, 0)).isEqualTo(1 * inv);
        assertThat(t.get(2, 0, 1)).isEqualTo(128 * inv);
        // about half the levels are one float32 ulp off b / 255f
        int off = 0;
        for (int b = 0; b < 256; b++) {
            off += b * inv != b / 255f ? 1 : 0;
        }
        assertThat(off).isBetween(64, 192);
    }

    @Test
    void torch7QuantisesByFloorThePortRoundsHalfUp() {
        assertThat(PixelConversion.quantize(0.5f, Semantics.TORCH7)).isEqualTo(127);     // 127.5 → 127
        assertThat(PixelConversion.quantize(0.5f, Semantics.PYTORCH_PORT)).isEqualTo(128);
        assertThat(PixelConversion.quantize(-0.2f, Semantics.TORCH7)).isZero();
        assertThat(PixelConversion.quantize(1.7f, Semantics.TORCH7)).isEqualTo(255);
        assertThat(PixelConversion.quantize(Float.NaN, Semantics.TORCH7)).isZero();
        ImageTensor grey = ImageTensor.of(new float[] {0.999f, 0.999f, 0.999f}, 1, 1);
        assertThat(grey.toImage(Semantics.TORCH7).getRGB(0, 0) & 0xff).isEqualTo(254);
        assertThat(grey.toImage().getRGB(0, 0) & 0xff).isEqualTo(255);
    }

    @Test
    void greyAndRgbaImagesBecomeThreeChannelsAsTorch7LoadsThem() {
        BufferedImage grey = new BufferedImage(1, 1, BufferedImage.TYPE_BYTE_GRAY);
        grey.getRaster().setSample(0, 0, 0, 77);
        ImageTensor g = ImageTensor.fromImage(grey);
        assertThat(new float[] {g.get(0, 0, 0), g.get(1, 0, 0), g.get(2, 0, 0)}).containsOnly(77 / 255f);
        BufferedImage rgba = new BufferedImage(1, 1, BufferedImage.TYPE_INT_ARGB);
        rgba.setRGB(0, 0, 0x10204080); // alpha 0x10: dropped, not composited (torch/image init.lua:93-94)
        ImageTensor a = ImageTensor.fromImage(rgba);
        assertThat(a.get(0, 0, 0)).isEqualTo(0x20 / 255f);
        assertThat(a.get(2, 0, 0)).isEqualTo(0x80 / 255f);
    }

    @Test
    void aBackendWithoutTorch7SemanticsIsRefusedNamingIt() throws Exception {
        Path enc = Files.write(dir.resolve("enc.fake"), FakeWeightsReader.MAGIC);
        Path dec = Files.write(dir.resolve("dec.fake"), FakeWeightsReader.MAGIC);
        assertThatThrownBy(() -> StyleTransfer.builder().encoder(enc).decoder(dec).semantics(Semantics.TORCH7).build())
                .isInstanceOf(BackendException.class).hasMessageContaining("does not implement Torch7 semantics")
                .hasMessageContaining("TORCH7_SEMANTICS");
        try (StyleTransfer st = StyleTransfer.builder().encoder(enc).decoder(dec).build()) {
            assertThat(st.semantics()).isEqualTo(Semantics.PYTORCH_PORT);
        }
    }

    @Test
    void cliNamesAndTrainingDefaults() {
        assertThat(Semantics.ofCliName("torch7")).isEqualTo(Semantics.TORCH7);
        assertThat(Semantics.ofCliName(" Port ")).isEqualTo(Semantics.PYTORCH_PORT);
        assertThatThrownBy(() -> Semantics.ofCliName("lua")).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("'lua'").hasMessageContaining("port or torch7");
        TrainingConfig t7 = TrainingConfig.torch7Defaults();
        assertThat(t7.semantics()).isEqualTo(Semantics.TORCH7);
        assertThat(t7.styleWeight()).isEqualTo(1e-2);
        assertThat(t7.withStyleWeight(0.1).semantics()).isEqualTo(Semantics.TORCH7);
        assertThat(new TrainingConfig(1e-4, 5e-5, 1, 10, 0.9, 0.999, 1e-8).semantics())
                .isEqualTo(Semantics.PYTORCH_PORT);
        assertThat(TrainingConfig.defaults(Semantics.PYTORCH_PORT)).isEqualTo(TrainingConfig.portDefaults());
    }
}
