package org.adain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Test;

class SpatialMaskTest {
    static BufferedImage binary(int w, int h, int splitX) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.getRaster().setSample(x, y, 0, x < splitX ? 255 : 0);
            }
        }
        return img;
    }

    @Test
    void whiteTakesTheFirstStyleBlackTheSecond() {
        SpatialMask m = SpatialMask.fromImage(binary(4, 2, 1));
        assertThat(m.styleAt(0, 0)).isEqualTo(0);
        assertThat(m.styleAt(1, 1)).isEqualTo(1);
        assertThat(m.styleCount()).isEqualTo(2);
    }

    @Test
    void rgbMasksCountOnlyPureWhiteAndBlack() {
        BufferedImage img = new BufferedImage(2, 1, BufferedImage.TYPE_INT_RGB);
        img.setRGB(0, 0, 0xffffff);
        img.setRGB(1, 0, 0x000000);
        assertThat(SpatialMask.fromImage(img).styleAt(1, 0)).isEqualTo(1);
        img.setRGB(1, 0, 0xfefefe);
        assertThatThrownBy(() -> SpatialMask.fromImage(img)).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("column 1, row 0").hasMessageContaining("0.996");
    }

    @Test
    void aMaskWithOneValueOnlyIsRejected() {
        assertThatThrownBy(() -> SpatialMask.fromImage(binary(4, 4, 4))).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("black, value 0");
        assertThatThrownBy(() -> SpatialMask.fromImage(binary(4, 4, 0))).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("white, value 1");
    }

    @Test
    void nearestScalingUsesFloorOfIndexTimesRatio() {
        // 10 columns to 4: source = floor(i·2.5) = 0, 2, 5, 7
        int[] idx = new int[10];
        for (int i = 0; i < 10; i++) {
            idx[i] = i;
        }
        SpatialMask m = SpatialMask.ofStyleIndices(10, 1, idx);
        assertThat(m.scaleTo(1, 4)).containsExactly(0, 2, 5, 7);
        // Up-scaling 3 → 7: floor(i·3/7) = 0,0,0,1,1,2,2
        SpatialMask s = SpatialMask.ofStyleIndices(3, 1, new int[] {0, 1, 2});
        assertThat(s.scaleTo(1, 7)).containsExactly(0, 0, 0, 1, 1, 2, 2);
    }

    @Test
    void rejectsBadIndices() {
        assertThatThrownBy(() -> SpatialMask.ofStyleIndices(2, 2, new int[3])).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("needs 4");
        assertThatThrownBy(() -> SpatialMask.ofStyleIndices(2, 1, new int[] {0, -1}))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("-1");
    }

    @Test
    void scaledToStretchesByNearestNeighbourAndChecksItsSize() {
        SpatialMask m = SpatialMask.ofStyleIndices(3, 2, new int[] {0, 1, 2, 2, 1, 0});
        SpatialMask wide = m.scaledTo(6, 4);
        assertThat(wide.width()).isEqualTo(6);
        assertThat(wide.height()).isEqualTo(4);
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 6; x++) {
                assertThat(wide.styleAt(x, y)).isEqualTo(m.styleAt(x / 2, y / 2));
            }
        }
        assertThat(m.scaledTo(3, 2)).isSameAs(m);
        assertThat(m.scaledTo(1, 1).styleAt(0, 0)).isZero();
        assertThatThrownBy(() -> m.scaledTo(0, 4)).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("3×2 mask to 0×4");
        assertThatThrownBy(() -> m.scaledTo(70000, 70000)).isInstanceOf(InvalidRequestException.class);
    }
}
