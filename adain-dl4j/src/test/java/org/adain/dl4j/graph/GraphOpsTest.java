package org.adain.dl4j.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.adain.dl4j.TestNets;
import org.adain.spi.ConvLayer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The layer building blocks against hand-written values and plain Java loops. */
class GraphOpsTest {

    private static INDArray arange(long... shape) {
        long n = 1;
        for (long s : shape) {
            n *= s;
        }
        float[] f = new float[(int) n];
        for (int i = 0; i < f.length; i++) {
            f[i] = i;
        }
        return Nd4j.create(f, shape, DataType.FLOAT);
    }

    private static float[] values(INDArray a) {
        return a.dup('c').data().asFloat();
    }

    @Test
    void reflectionPadOf3x4MirrorsWithoutRepeatingTheEdge() {
        // 0 1 2 3 / 4 5 6 7 / 8 9 10 11
        INDArray x = arange(1, 1, 3, 4);
        INDArray p = GraphOps.reflectPad1(x);
        assertThat(p.shape()).containsExactly(1, 1, 5, 6);
        assertThat(values(p)).containsExactly(
                5, 4, 5, 6, 7, 6,
                1, 0, 1, 2, 3, 2,
                5, 4, 5, 6, 7, 6,
                9, 8, 9, 10, 11, 10,
                5, 4, 5, 6, 7, 6);
        assertThat(values(x)).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11); // input untouched
    }

    @Test
    void reflectionPadKeepsBatchAndChannelsApart() {
        INDArray x = arange(2, 3, 4, 5);
        double[][][][] expected = TestNets.reflectPad(TestNets.fromNd4j(x), 1, 1, 1, 1);
        assertThat(TestNets.maxAbsDiff(TestNets.fromNd4j(GraphOps.reflectPad1(x)), expected)).isZero();
    }

    @Test
    void reflectionPadNeedsTwoByTwo() {
        assertThatThrownBy(() -> GraphOps.reflectPad1(arange(1, 1, 1, 4)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[1, 1, 1, 4]");
    }

    @Test
    void bottomRightReflectionPad() {
        // rows 0 1 2 3 4 padded by 3: 0 1 2 3 4 | 3 2 1; columns 0..9 by 6: ... 9 | 8 7 6 5 4 3
        INDArray x = arange(1, 2, 5, 10);
        INDArray p = GraphOps.reflectPadBottomRight(x, 3, 6);
        assertThat(p.shape()).containsExactly(1, 2, 8, 16);
        double[][][][] expected = TestNets.reflectPad(TestNets.fromNd4j(x), 0, 3, 0, 6);
        assertThat(TestNets.maxAbsDiff(TestNets.fromNd4j(p), expected)).isZero();
        assertThat(p.getFloat(0, 1, 7, 15)).isEqualTo(50 + 10 * 1 + 3); // row 1, column 3 of channel 1
        assertThat(GraphOps.reflectPadBottomRight(x, 0, 0).shape()).containsExactly(1, 2, 5, 10);
    }

    @Test
    void ceilPoolOn5x5KeepsTheLastRowAndColumn() {
        // 0..24 row-major: windows {0,1,5,6} {2,3,7,8} {4,9} / {10,11,15,16} ... / {20,21} {22,23} {24}
        INDArray p = GraphOps.maxPool2Ceil(arange(1, 1, 5, 5));
        assertThat(p.shape()).containsExactly(1, 1, 3, 3);
        assertThat(values(p)).containsExactly(6, 8, 9, 16, 18, 19, 21, 23, 24);
    }

    @Test
    void ceilPoolMatchesTheReferenceOnNegativeValuesAndOddSides() {
        Random rnd = new Random(3);
        double[][][][] x = new double[2][3][7][6];
        for (double[][][] a : x) {
            for (double[][] b : a) {
                for (double[] row : b) {
                    for (int i = 0; i < row.length; i++) {
                        row[i] = (float) (rnd.nextGaussian() - 3);
                    }
                }
            }
        }
        INDArray p = GraphOps.maxPool2Ceil(TestNets.toNd4j(x));
        assertThat(p.shape()).containsExactly(2, 3, 4, 3);
        assertThat(TestNets.maxAbsDiff(TestNets.fromNd4j(p), TestNets.maxPool(x, true))).isZero();
    }

    @Test
    void floorPoolDropsTheOddLine() {
        INDArray p = GraphOps.maxPool2Floor(arange(1, 1, 5, 5));
        assertThat(p.shape()).containsExactly(1, 1, 2, 2);
        assertThat(values(p)).containsExactly(6, 8, 16, 18);
    }

    @Test
    void nearestUpsampling() {
        INDArray u = GraphOps.upsampleNearest2(arange(1, 2, 2, 3));
        assertThat(u.shape()).containsExactly(1, 2, 4, 6);
        assertThat(values(u)).startsWith(
                0, 0, 1, 1, 2, 2,
                0, 0, 1, 1, 2, 2,
                3, 3, 4, 4, 5, 5,
                3, 3, 4, 4, 5, 5,
                6, 6, 7, 7, 8, 8);
    }

    @Test
    void nearestUpsamplingInBothLayoutsMatchesALoop() {
        INDArray x = arange(2, 3, 5, 4); // NCHW
        INDArray u = GraphOps.upsampleNearest2(x);
        assertThat(u.shape()).containsExactly(2, 3, 10, 8);
        INDArray uNhwc = GraphOps.upsampleNearest2(x.permute(0, 2, 3, 1).dup('c'), GraphOps.Layout.NHWC);
        assertThat(uNhwc.shape()).containsExactly(2, 10, 8, 3);
        for (int n = 0; n < 2; n++) {
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < 10; y++) {
                    for (int xx = 0; xx < 8; xx++) {
                        float expected = x.getFloat(n, c, y / 2, xx / 2);
                        assertThat(u.getFloat(n, c, y, xx)).isEqualTo(expected);
                        assertThat(uNhwc.getFloat(n, y, xx, c)).isEqualTo(expected);
                    }
                }
            }
        }
    }

    @Test
    void upsamplingIntoThePaddedArrayEqualsUpsamplingThenPadding() {
        Random rnd = new Random(7);
        float[] f = new float[2 * 3 * 5 * 6];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) rnd.nextGaussian();
        }
        INDArray nchw = Nd4j.create(f, new long[] {2, 3, 5, 6}, DataType.FLOAT);
        INDArray nhwc = nchw.permute(0, 2, 3, 1).dup('c');
        for (GraphOps.Layout layout : GraphOps.Layout.values()) {
            INDArray x = layout == GraphOps.Layout.NCHW ? nchw : nhwc;
            try (BufferPool pool = new BufferPool(1L << 20)) {
                INDArray fused = GraphOps.upsampleNearest2ReflectPad1(x, layout, pool);
                INDArray composed = GraphOps.reflectPad1(GraphOps.upsampleNearest2(x, layout), layout);
                assertThat(fused.shape()).as("%s", layout).containsExactly(composed.shape());
                assertThat(values(fused)).as("%s", layout).containsExactly(values(composed));
                pool.give(fused);
                // a second pass on a reused array, whose old contents must not leak into the result
                INDArray again = GraphOps.upsampleNearest2ReflectPad1(x, layout, pool);
                assertThat(values(again)).as("%s, reused", layout).containsExactly(values(composed));
            }
        }
        // the 1-pixel map of the deepest decoder stage upsamples to 2×2, the smallest a reflection pad takes
        INDArray one = arange(1, 1, 1, 1).addi(3);
        assertThat(values(GraphOps.upsampleNearest2ReflectPad1(one, GraphOps.Layout.NCHW, BufferPool.NONE)))
                .containsOnly(3f).hasSize(16);
    }

    @Test
    void convWithAKnownKernel() {
        // One output channel, kernel [[0,0,0],[0,1,0],[0,0,0]] on channel 0 plus 2 × [[1,0,0],[0,0,0],[0,0,0]]
        // on channel 1 and bias 0.5: y[i][j] = x0[i+1][j+1] + 2·x1[i][j] + 0.5 (valid conv).
        float[] k = new float[2 * 9];
        k[4] = 1;
        k[9] = 2;
        ConvLayer layer = new ConvLayer("known", 1, 2, 3, 3, k, new float[] {0.5f});
        INDArray x = arange(1, 2, 4, 5); // channel 0: 0..19, channel 1: 20..39
        try (ConvWeights w = ConvWeights.of(layer)) {
            INDArray y = GraphOps.conv2d(x, w, 0, false);
            assertThat(y.shape()).containsExactly(1, 1, 2, 3);
            float[] expected = new float[6];
            for (int i = 0; i < 2; i++) {
                for (int j = 0; j < 3; j++) {
                    expected[i * 3 + j] = (i + 1) * 5 + (j + 1) + 2 * (20 + i * 5 + j) + 0.5f;
                }
            }
            assertThat(values(y)).containsExactly(expected);
        }
    }

    @Test
    void convMatchesTheJavaLoopWithAndWithoutZeroPaddingAndRelu() {
        Random rnd = new Random(5);
        ConvLayer layer = TestNets.conv("c", 5, 3, 3, rnd);
        double[][][][] x = TestNets.randomImage(2, 3, 6, 7, 6);
        for (double[][][] a : x) {
            for (double[][] b : a) {
                for (double[] row : b) {
                    for (int i = 0; i < row.length; i++) {
                        row[i] = (float) (row[i] - 0.5);
                    }
                }
            }
        }
        try (ConvWeights w = ConvWeights.of(layer)) {
            for (int pad = 0; pad <= 1; pad++) {
                double[][][][] ref = TestNets.conv(x, layer, pad);
                double[][][][] got = TestNets.fromNd4j(GraphOps.conv2d(TestNets.toNd4j(x), w, pad, false));
                assertThat(TestNets.maxAbsDiff(got, ref)).as("pad %d", pad).isLessThan(1e-5);
                double[][][][] gotRelu = TestNets.fromNd4j(GraphOps.conv2d(TestNets.toNd4j(x), w, pad, true));
                assertThat(TestNets.maxAbsDiff(gotRelu, TestNets.relu(ref))).isLessThan(1e-5);
            }
        }
    }

    @Test
    void oneByOneConvAppliesTheMatrixAsStored() {
        // out_o = Σ_i W[o][i]·x_i + b_o with a non-symmetric W: a transposed weight would fail here.
        float[] k = {1, 2, 3, 4, 5, 6, 7, 8, 9};
        ConvLayer layer = new ConvLayer("pre", 3, 3, 1, 1, k, new float[] {0.1f, 0.2f, 0.3f});
        INDArray x = Nd4j.create(new float[] {1, 10, 100}, new long[] {1, 3, 1, 1}, DataType.FLOAT);
        try (ConvWeights w = ConvWeights.of(layer)) {
            INDArray y = GraphOps.conv2d(x, w, 0, false);
            assertThat(values(y)).containsExactly(321.1f, 654.2f, 987.3f);
        }
    }

    @Test
    void convRejectsWrongChannels() {
        ConvLayer layer = TestNets.conv("c", 2, 4, 3, new Random(1));
        try (ConvWeights w = ConvWeights.of(layer)) {
            assertThatThrownBy(() -> GraphOps.conv2d(arange(1, 3, 4, 4), w, 0, false))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[1, 3, 4, 4]");
        }
    }
}
