package org.adain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import java.util.Random;
import org.junit.jupiter.api.Test;

class ColorTransferTest {
    static ImageTensor random(long seed, int h, int w, float[][] mix) {
        Random rnd = new Random(seed);
        int p = h * w;
        float[] d = new float[3 * p];
        for (int i = 0; i < p; i++) {
            double a = rnd.nextGaussian();
            double b = rnd.nextGaussian();
            double c = rnd.nextGaussian();
            for (int ch = 0; ch < 3; ch++) {
                d[ch * p + i] = (float) (0.5 + 0.1 * (mix[ch][0] * a + mix[ch][1] * b + mix[ch][2] * c));
            }
        }
        return ImageTensor.of(d, h, w);
    }

    static double[] mean(ImageTensor t) {
        float[] d = t.toArray();
        int p = t.height() * t.width();
        double[] m = new double[3];
        for (int c = 0; c < 3; c++) {
            for (int i = 0; i < p; i++) {
                m[c] += d[c * p + i];
            }
            m[c] /= p;
        }
        return m;
    }

    static double[][] cov(ImageTensor t) {
        float[] d = t.toArray();
        int p = t.height() * t.width();
        double[] m = mean(t);
        double[][] cv = new double[3][3];
        for (int a = 0; a < 3; a++) {
            for (int b = 0; b < 3; b++) {
                for (int i = 0; i < p; i++) {
                    cv[a][b] += (d[a * p + i] - m[a]) * (d[b * p + i] - m[b]);
                }
                cv[a][b] /= p - 1;
            }
        }
        return cv;
    }

    @Test
    void resultTakesTheTargetsMean() {
        ImageTensor style = random(1, 20, 30, new float[][] {{1, 0.5f, 0}, {0, 1, 0.2f}, {0.3f, 0, 1}});
        ImageTensor content = random(2, 16, 16, new float[][] {{2, 0, 0}, {1, 1, 0}, {0, 0.5f, 0.3f}});
        ImageTensor out = ColorTransfer.coral(style, content);
        assertThat(out.height()).isEqualTo(20);
        assertThat(out.width()).isEqualTo(30);
        double[] mo = mean(out);
        double[] mc = mean(content);
        for (int c = 0; c < 3; c++) {
            assertThat(mo[c]).isCloseTo(mc[c], offset(1e-5));
        }
    }

    @Test
    void sourceEqualToTargetIsUnchanged() {
        ImageTensor a = random(3, 12, 12, new float[][] {{1, 0.5f, 0}, {0, 1, 0.2f}, {0.3f, 0, 1}});
        ImageTensor out = ColorTransfer.coral(a, a);
        float[] x = a.toArray();
        float[] y = out.toArray();
        for (int i = 0; i < x.length; i++) {
            assertThat(y[i]).isCloseTo(x[i], offset(1e-5f));
        }
    }

    @Test
    void covarianceFollowsTheRegularisedFormula() {
        // The transform maps C_s = Sn·Snᵀ + I to C_c = Cn·Cnᵀ + I; with many pixels the +I is negligible,
        // so the output's covariance approaches the target's.
        ImageTensor style = random(4, 100, 100, new float[][] {{1, 0.5f, 0}, {0, 1, 0.2f}, {0.3f, 0, 1}});
        ImageTensor content = random(5, 100, 100, new float[][] {{2, 0, 0}, {1, 1, 0}, {0, 0.5f, 0.3f}});
        double[][] co = cov(ColorTransfer.coral(style, content));
        double[][] cc = cov(content);
        for (int a = 0; a < 3; a++) {
            for (int b = 0; b < 3; b++) {
                assertThat(co[a][b]).isCloseTo(cc[a][b], offset(2e-4 * Math.max(1, Math.abs(cc[a][b])) + 1e-5));
            }
        }
    }

    @Test
    void sqrtmSquaresBack() {
        double[][] a = {{4, 1, 0.5}, {1, 3, 0.2}, {0.5, 0.2, 2}};
        double[][] r = ColorTransfer.sqrtm(a);
        double[][] rr = ColorTransfer.multiply(r, r);
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                assertThat(rr[i][j]).isCloseTo(a[i][j], offset(1e-12));
            }
        }
        double[][] inv = ColorTransfer.multiply(a, ColorTransfer.inverse(a));
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                assertThat(inv[i][j]).isCloseTo(i == j ? 1 : 0, offset(1e-12));
            }
        }
    }

    @Test
    void constantChannelIsRejected() {
        ImageTensor flat = StyleRequestTest.grey(10, 10, 0.3f);
        ImageTensor ok = random(6, 10, 10, new float[][] {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}});
        assertThatThrownBy(() -> ColorTransfer.coral(flat, ok)).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("style").hasMessageContaining("constant");
        assertThatThrownBy(() -> ColorTransfer.coral(ok, flat)).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("content");
    }
}
