package org.adain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ResizingTest {
    @Test
    void shorterSideBecomesSizeAndLongerIsTruncated() {
        // 75×100 (H×W) to 32: H = 32, W = int(32·100/75) = int(42.67) = 42
        Resizing.Plan p = Resizing.plan(75, 100, 32, false);
        assertThat(p.height()).isEqualTo(32);
        assertThat(p.width()).isEqualTo(42);
        Resizing.Plan portrait = Resizing.plan(512, 384, 512, false);
        assertThat(portrait.width()).isEqualTo(512);
        assertThat(portrait.height()).isEqualTo(682);
        Resizing.Plan keep = Resizing.plan(45, 70, 0, false);
        assertThat(keep.height()).isEqualTo(45);
        assertThat(keep.width()).isEqualTo(70);
    }

    @Test
    void centreCropUsesRoundHalfEven() {
        // W 42 → crop 32: (42 − 32)/2 = 5; W 43: 5.5 → 6 (even); W 45: 6.5 → 6 (even)
        assertThat(Resizing.plan(32, 42, 32, true).left()).isEqualTo(5);
        assertThat(Resizing.plan(32, 43, 32, true).left()).isEqualTo(6);
        assertThat(Resizing.plan(32, 45, 32, true).left()).isEqualTo(6);
        Resizing.Plan zero = Resizing.plan(45, 70, 0, true);
        assertThat(zero.height()).isEqualTo(45);
        assertThat(zero.width()).isEqualTo(45);
        assertThat(zero.left()).isEqualTo(12); // 12.5 → 12
    }

    @Test
    void sameSizeIsIdentity() {
        ImageTensor t = StyleRequestTest.grey(20, 30, 0.25f);
        assertThat(t.resize(20, false)).isSameAs(t);
        assertThat(t.resize(0, false)).isSameAs(t);
    }

    @Test
    void floatResizeKeepsConstantsAndAverages() {
        // A constant image stays constant; a 2:1 downscale of [0, 1, 0, 1 ...] rows averages with the triangle.
        ImageTensor c = StyleRequestTest.grey(20, 30, 0.25f).resize(10, false);
        assertThat(c.height()).isEqualTo(10);
        assertThat(c.width()).isEqualTo(15);
        for (float v : c.toArray()) {
            assertThat(v).isEqualTo(0.25f, org.assertj.core.data.Offset.offset(1e-6f));
        }
        float[] d = new float[3 * 1 * 4];
        for (int i = 0; i < 4; i++) {
            d[i] = i % 2;
        }
        ImageTensor row = ImageTensor.of(d, 1, 4);
        ImageTensor half = Resizing.resize(row, 1, 2);
        // PIL: scale 2, support 2. Output 0: centre 1.0, taps x = 0, 1, 2 with triangle weights
        // 0.75, 0.75, 0.25 (distance (x − 1 + 0.5)/2), normalised by 1.75: (0·.75 + 1·.75 + 0·.25)/1.75 = 3/7.
        assertThat(half.get(0, 0, 0)).isEqualTo(3f / 7f, org.assertj.core.data.Offset.offset(1e-6f));
        // Output 1: centre 3.0, taps x = 1, 2, 3 (x = 4 is outside) weights .25, .75, .75: (1·.25 + 1·.75)/1.75.
        assertThat(half.get(0, 0, 1)).isEqualTo(4f / 7f, org.assertj.core.data.Offset.offset(1e-6f));
    }

    @Test
    void resizeToIgnoresTheAspectRatioAndChecksTheSize() {
        float[] d = new float[3 * 1 * 4];
        for (int i = 0; i < 4; i++) {
            d[i] = i % 2;
        }
        ImageTensor row = ImageTensor.of(d, 1, 4);
        ImageTensor half = row.resizeTo(1, 2);
        assertThat(half).isEqualTo(Resizing.resize(row, 1, 2));
        assertThat(half.get(0, 0, 0)).isEqualTo(3f / 7f, org.assertj.core.data.Offset.offset(1e-6f));
        ImageTensor photo = ImageTensor.fromImage(ImagesTest.gradient(70, 40));
        ImageTensor square = photo.resizeTo(32, 32);
        assertThat(square.height()).isEqualTo(32);
        assertThat(square.width()).isEqualTo(32);
        assertThat(square).isEqualTo(Resizing.resize(photo, 32, 32)); // PIL's 8-bit arithmetic for 8-bit pixels
        assertThat(photo.resizeTo(40, 70)).isSameAs(photo);
        assertThatThrownBy(() -> photo.resizeTo(0, 32)).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("70×40 to 32×0");
        assertThatThrownBy(() -> photo.resizeTo(1 << 16, 1 << 16)).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining(Long.toString(Images.MAX_DECODE_PIXELS));
    }
}
