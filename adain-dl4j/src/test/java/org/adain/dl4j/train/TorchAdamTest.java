package org.adain.dl4j.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.AdamUpdater;
import org.nd4j.linalg.learning.config.Adam;

/**
 * {@link TorchAdam} against torch.optim.Adam's formula evaluated in double precision, over several steps with a
 * decaying learning rate and gradients from 1e-10 (where the placement of ε decides the step) to 1e3; and why
 * ND4J's own Adam updater is not used.
 */
class TorchAdamTest {
    private static final double B1 = 0.9, B2 = 0.999, EPS = 1e-8;

    @Test
    void matchesPyTorchsFormula() {
        double[] w0 = {0.5, -0.25, 1.5, 0.0, -2.0, 0.125};
        double[][] grads = {
            {1e-10, -3e-9, 2.5, 1e3, -0.7, 0.0},
            {2e-10, 1e-9, -1.5, 9e2, -0.6, 1e-6},
            {-1e-10, 5e-9, 0.5, -1e3, 0.8, 0.0},
            {3e-10, -2e-9, 1.0, 5e2, -0.1, -1e-6}};
        INDArray p = Nd4j.create(toFloat(w0), new long[] {w0.length}, DataType.FLOAT);
        INDArray m = Nd4j.zeros(DataType.FLOAT, w0.length);
        INDArray v = Nd4j.zeros(DataType.FLOAT, w0.length);
        double[] pd = w0.clone();
        double[] md = new double[w0.length];
        double[] vd = new double[w0.length];
        for (int i = 0; i < grads.length; i++) {
            double lr = 1e-3 / (1 + 0.5 * i);
            int k = i + 1;
            INDArray g = Nd4j.create(toFloat(grads[i]), new long[] {w0.length}, DataType.FLOAT);
            TorchAdam.update(p, g, m, v, lr, B1, B2, EPS, k);
            for (int j = 0; j < w0.length; j++) {
                double gj = (float) grads[i][j];
                md[j] = B1 * md[j] + (1 - B1) * gj;
                vd[j] = B2 * vd[j] + (1 - B2) * gj * gj;
                double denom = Math.sqrt(vd[j]) / Math.sqrt(1 - Math.pow(B2, k)) + EPS;
                pd[j] -= lr / (1 - Math.pow(B1, k)) * md[j] / denom;
            }
        }
        for (int j = 0; j < w0.length; j++) {
            double moved = Math.abs(pd[j] - w0[j]);
            double err = Math.abs(p.getDouble(j) - pd[j]);
            System.out.printf(Locale.ROOT, "adam weight %d: moved %.4e, |float32 − float64 formula| %.2e%n", j, moved,
                    err);
            // float32 weights: rounding of the weight itself (≤ 1.5 ulp) plus 1e-4 of the distance moved
            assertThat(err).isLessThanOrEqualTo(1.5 * Math.ulp((float) pd[j]) + 1e-4 * moved);
            assertThat(m.getDouble(j)).isCloseTo(md[j], org.assertj.core.data.Offset.offset(1e-6 * Math.abs(md[j])
                    + 1e-30));
        }
    }

    /**
     * ND4J's {@code Adam} (M2.1) adds ε before the bias correction, {@code lr·sqrt(1−β2^k)/(1−β1^k)·m/(sqrt(v)+ε)}
     * (torch7's form): for a gradient of 1e-9 its first step is about 30× smaller than PyTorch's.
     */
    @Test
    void nd4jsAdamPlacesEpsilonDifferently() {
        double lr = 1e-4;
        double g = 1e-9;
        INDArray p = Nd4j.create(new float[] {0f}, new long[] {1}, DataType.FLOAT);
        INDArray m = Nd4j.zeros(DataType.FLOAT, 1);
        INDArray v = Nd4j.zeros(DataType.FLOAT, 1);
        TorchAdam.update(p, Nd4j.create(new float[] {(float) g}, new long[] {1}, DataType.FLOAT), m, v, lr, B1, B2,
                EPS, 1);
        double torchStep = -p.getDouble(0);

        Adam config = new Adam(lr, B1, B2, EPS);
        INDArray state = Nd4j.zeros(DataType.FLOAT, 1, 2);
        AdamUpdater nd4j = (AdamUpdater) config.instantiate(state, true);
        INDArray update = Nd4j.create(new float[] {(float) g}, new long[] {1}, DataType.FLOAT);
        nd4j.applyUpdater(update, 0, 0);
        double nd4jStep = update.getDouble(0);
        double torch7Form = lr * Math.sqrt(1 - B2) / (1 - B1) * ((1 - B1) * g) / (Math.sqrt((1 - B2) * g * g) + EPS);
        System.out.printf(Locale.ROOT, "first Adam step for g = 1e-9: PyTorch form %.4e, ND4J Adam %.4e "
                + "(torch7 form %.4e)%n", torchStep, nd4jStep, torch7Form);
        assertThat(torchStep).isCloseTo(lr * g / (g + EPS), org.assertj.core.data.Offset.offset(1e-10));
        assertThat(nd4jStep).isCloseTo(torch7Form, org.assertj.core.data.Offset.offset(1e-3 * torch7Form));
        assertThat(torchStep / nd4jStep).isGreaterThan(20);
    }

    private static float[] toFloat(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            f[i] = (float) d[i];
        }
        return f;
    }
}
