package org.adain.examples.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/** The level-difference and PSNR arithmetic of {@link PrecisionQuality}, on images whose differences are known. */
class LevelDifferenceTest {
    private static BufferedImage image(int... rgb) {
        BufferedImage img = new BufferedImage(rgb.length, 1, BufferedImage.TYPE_INT_RGB);
        for (int x = 0; x < rgb.length; x++) {
            img.setRGB(x, 0, rgb[x]);
        }
        return img;
    }

    @Test
    void maxMeanAndPsnrOfKnownDifferences() {
        // red +3 and blue -1 in the first pixel, the second equal: |d| = 3, 0, 1, 0, 0, 0
        LevelDifference d = LevelDifference.of(image(0x0A141E, 0x808080), image(0x0D141D, 0x808080));
        assertThat(d.maxLevels()).isEqualTo(3);
        assertThat(d.sumAbs()).isEqualTo(4);
        assertThat(d.sumSquare()).isEqualTo(10);
        assertThat(d.samples()).isEqualTo(6);
        assertThat(d.meanLevels()).isCloseTo(4.0 / 6, Offset.offset(1e-12));
        // 10 · log10(255² / (10 / 6))
        assertThat(d.psnr()).isCloseTo(45.91231611251554, Offset.offset(1e-9));
        assertThat(d.meetsBar()).as("mean 0.67 > 0.3").isFalse();
        assertThat(d).hasToString("max=3 mean=0.6667 psnr=45.91 bar=MISSED");
    }

    @Test
    void identicalImagesHaveInfinitePsnrAndMeetTheBar() {
        LevelDifference d = LevelDifference.of(image(0x123456, 0xFFFFFF), image(0x123456, 0xFFFFFF));
        assertThat(d.maxLevels()).isZero();
        assertThat(d.meanLevels()).isZero();
        assertThat(d.psnr()).isInfinite();
        assertThat(d.meetsBar()).isTrue();
        assertThat(d).hasToString("max=0 mean=0.0000 psnr=inf bar=met");
    }

    @Test
    void theBarIsAtMostThreeLevelsAndAMeanOfAtMostPointThree() {
        assertThat(new LevelDifference(3, 3, 27, 10).meetsBar()).as("max 3, mean 0.3").isTrue();
        assertThat(new LevelDifference(4, 3, 27, 10).meetsBar()).as("max 4").isFalse();
        assertThat(new LevelDifference(3, 4, 27, 10).meetsBar()).as("mean 0.4").isFalse();
        // 255 levels everywhere: PSNR 0 dB
        assertThat(LevelDifference.of(image(0x000000), image(0xFFFFFF)).psnr()).isCloseTo(0, Offset.offset(1e-12));
    }

    @Test
    void comparisonsAddUpToTheOverallFigure() {
        LevelDifference a = LevelDifference.of(image(0x000000), image(0x020000)); // 2, 0, 0
        LevelDifference b = LevelDifference.of(image(0x000000, 0x000000), image(0x000001, 0x000000)); // 1 of 6
        LevelDifference all = LevelDifference.NONE.plus(a).plus(b);
        assertThat(all).isEqualTo(new LevelDifference(2, 3, 5, 9));
        assertThat(all.meanLevels()).isCloseTo(3.0 / 9, Offset.offset(1e-12));
        assertThat(all.psnr()).isCloseTo(10 * Math.log10(255.0 * 255 / (5.0 / 9)), Offset.offset(1e-9));
        assertThat(LevelDifference.NONE.meanLevels()).isZero();
    }

    @Test
    void alphaIsIgnoredAndSizesMustMatch() {
        BufferedImage argb = new BufferedImage(1, 1, BufferedImage.TYPE_INT_ARGB);
        argb.setRGB(0, 0, 0x10123456);
        assertThat(LevelDifference.of(argb, image(0x123456)).maxLevels()).isZero();
        assertThatThrownBy(() -> LevelDifference.of(image(0, 0), image(0))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("The images differ in size: 2×1 and 1×1");
        assertThatThrownBy(() -> new LevelDifference(256, 0, 0, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("max 256");
    }
}
