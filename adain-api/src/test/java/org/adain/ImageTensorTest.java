package org.adain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.awt.image.WritableRaster;
import org.junit.jupiter.api.Test;

class ImageTensorTest {
    @Test
    void eightBitRgbBecomesValueOver255() {
        BufferedImage img = new BufferedImage(2, 1, BufferedImage.TYPE_INT_RGB);
        img.setRGB(0, 0, 0x10_80_FF);
        img.setRGB(1, 0, 0x000001);
        ImageTensor t = ImageTensor.fromImage(img);
        assertThat(t.get(0, 0, 0)).isEqualTo(16 / 255f);
        assertThat(t.get(1, 0, 0)).isEqualTo(128 / 255f);
        assertThat(t.get(2, 0, 0)).isEqualTo(1f);
        assertThat(t.get(2, 0, 1)).isEqualTo(1 / 255f);
        assertThat(t.isEightBit()).isTrue();
    }

    @Test
    void greyIsReplicatedWithoutGammaConversion() {
        // getRGB() would turn grey 128 into 186 through Java's linear grey space; PIL keeps 128.
        BufferedImage img = new BufferedImage(1, 1, BufferedImage.TYPE_BYTE_GRAY);
        img.getRaster().setSample(0, 0, 0, 128);
        ImageTensor t = ImageTensor.fromImage(img);
        for (int c = 0; c < 3; c++) {
            assertThat(t.get(c, 0, 0)).isEqualTo(128 / 255f);
        }
    }

    @Test
    void sixteenBitGreyUsesFullPrecision() {
        BufferedImage img = new BufferedImage(1, 1, BufferedImage.TYPE_USHORT_GRAY);
        img.getRaster().setSample(0, 0, 0, 40000);
        ImageTensor t = ImageTensor.fromImage(img);
        assertThat(t.get(1, 0, 0)).isEqualTo(40000 / 65535f);
        assertThat(t.isEightBit()).isFalse();
    }

    @Test
    void alphaIsDroppedNotComposited() {
        BufferedImage img = new BufferedImage(1, 1, BufferedImage.TYPE_INT_ARGB);
        img.setRGB(0, 0, 0x00_C8_64_32); // fully transparent
        ImageTensor t = ImageTensor.fromImage(img);
        assertThat(t.get(0, 0, 0)).isEqualTo(200 / 255f);
        assertThat(t.get(1, 0, 0)).isEqualTo(100 / 255f);
        assertThat(t.get(2, 0, 0)).isEqualTo(50 / 255f);
    }

    @Test
    void paletteIsLookedUp() {
        byte[] r = {0, (byte) 255};
        byte[] g = {0, 10};
        byte[] b = {0, 20};
        IndexColorModel cm = new IndexColorModel(1, 2, r, g, b);
        BufferedImage img = new BufferedImage(1, 1, BufferedImage.TYPE_BYTE_BINARY, cm);
        WritableRaster raster = img.getRaster();
        raster.setSample(0, 0, 0, 1);
        ImageTensor t = ImageTensor.fromImage(img);
        assertThat(t.get(0, 0, 0)).isEqualTo(1f);
        assertThat(t.get(1, 0, 0)).isEqualTo(10 / 255f);
        assertThat(t.get(2, 0, 0)).isEqualTo(20 / 255f);
    }

    @Test
    void quantisationRoundsHalfUpAndClamps() {
        // x·255 + 0.5 truncated: 0.5/255 → 1, just below → 0; negatives → 0; above 1 → 255.
        assertThat(PixelConversion.quantize(0.5f / 255f)).isEqualTo(1);
        assertThat(PixelConversion.quantize(0.49f / 255f)).isEqualTo(0);
        assertThat(PixelConversion.quantize(-3f)).isEqualTo(0);
        assertThat(PixelConversion.quantize(1.7f)).isEqualTo(255);
        assertThat(PixelConversion.quantize(254.6f / 255f)).isEqualTo(255);
        assertThat(PixelConversion.quantize(254.4f / 255f)).isEqualTo(254);
        ImageTensor t = ImageTensor.of(new float[] {0.2f, -0.1f, 1.2f}, 1, 1);
        assertThat(t.toImage().getRGB(0, 0) & 0xffffff).isEqualTo(51 << 16 | 0 << 8 | 255);
    }

    @Test
    void roundTripOfEightBitPixelsIsExact() {
        BufferedImage img = new BufferedImage(16, 1, BufferedImage.TYPE_INT_RGB);
        for (int x = 0; x < 16; x++) {
            img.setRGB(x, 0, (x * 17) << 16 | (255 - x) << 8 | x);
        }
        BufferedImage back = ImageTensor.fromImage(img).toImage();
        for (int x = 0; x < 16; x++) {
            assertThat(back.getRGB(x, 0)).isEqualTo(img.getRGB(x, 0));
        }
    }

    @Test
    void rejectsNonFiniteAndWrongLengths() {
        assertThatThrownBy(() -> ImageTensor.of(new float[] {0, Float.NaN, 0}, 1, 1))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("channel 1").hasMessageContaining("NaN");
        assertThatThrownBy(() -> ImageTensor.of(new float[5], 1, 2)).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("needs 6 values, got 5");
        assertThatThrownBy(() -> ImageTensor.of(new float[0], 0, 0)).isInstanceOf(InvalidRequestException.class);
    }

    @Test
    void copiesDefensively() {
        float[] d = {0.1f, 0.2f, 0.3f};
        ImageTensor t = ImageTensor.of(d, 1, 1);
        d[0] = 9;
        t.toArray()[1] = 9;
        assertThat(t.get(0, 0, 0)).isEqualTo(0.1f);
        assertThat(t.get(1, 0, 0)).isEqualTo(0.2f);
    }

    @Test
    void cropTakesTheWindowAndRejectsOneOutsideTheImage() {
        float[] d = new float[3 * 4 * 5];
        for (int i = 0; i < d.length; i++) {
            d[i] = i / 100f;
        }
        ImageTensor t = ImageTensor.of(d, 4, 5);
        ImageTensor w = t.crop(1, 2, 2, 3);
        assertThat(w.height()).isEqualTo(2);
        assertThat(w.width()).isEqualTo(3);
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < 2; y++) {
                for (int x = 0; x < 3; x++) {
                    assertThat(w.get(c, y, x)).isEqualTo(t.get(c, 1 + y, 2 + x));
                }
            }
        }
        assertThat(t.crop(0, 0, 4, 5)).isSameAs(t);
        assertThatThrownBy(() -> t.crop(3, 0, 2, 5)).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("Crop 5×2").hasMessageContaining("row 3").hasMessageContaining("5×4");
        assertThatThrownBy(() -> t.crop(0, -1, 1, 1)).isInstanceOf(InvalidRequestException.class);
        assertThatThrownBy(() -> t.crop(0, 0, 0, 3)).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("empty");
        assertThatThrownBy(() -> t.crop(0, Integer.MAX_VALUE, 1, 1)).isInstanceOf(InvalidRequestException.class);
    }
}
