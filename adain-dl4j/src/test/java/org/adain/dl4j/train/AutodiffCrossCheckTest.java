package org.adain.dl4j.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.adain.dl4j.TestNets;
import org.adain.dl4j.graph.ConvWeights;
import org.adain.dl4j.graph.GraphOps.Layout;
import org.adain.dl4j.graph.VggEncoder;
import org.adain.dl4j.ops.AdainOps;
import org.adain.spi.ConvLayer;
import org.adain.spi.DecoderWeights;
import org.adain.spi.EncoderKind;
import org.adain.spi.EncoderWeights;
import org.adain.spi.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The hand-written backward pass ({@link LossBackprop}) against SameDiff's autodiff of the same loss
 * ({@link SameDiffLossGraph}), every decoder parameter, both encoder flavours, both activation layouts, on a small
 * random model.
 */
class AutodiffCrossCheckTest {
    private static final int A = 4, B = 5, C = 6, D = 8;

    static Stream<Arguments> cases() {
        return Stream.of(EncoderKind.values()).flatMap(k -> Stream.of(Layout.values()).map(l -> Arguments.of(k, l)));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void handWrittenBackwardMatchesSameDiffAutodiff(EncoderKind kind, Layout layout) {
        EncoderWeights e = TrainFixtures.tame(TestNets.encoder(kind, A, B, C, D, 51));
        DecoderWeights d = TestNets.decoder(A, B, C, D, 52);
        Tensor contents = TrainFixtures.images(2, 27, 22, 53);
        Tensor styles = TrainFixtures.images(2, 19, 30, 54);
        List<ConvWeights> enc = new ArrayList<>();
        e.convs().forEach(c -> enc.add(ConvWeights.of(c)));
        ConvWeights pre = ConvWeights.of(kind == EncoderKind.NORMALISED_VGG19 ? e.preprocess()
                : Dl4jDecoderTraining.caffePreprocessing());
        List<INDArray> kernels = new ArrayList<>();
        List<INDArray> biases = new ArrayList<>();
        List<INDArray> params = new ArrayList<>();
        for (ConvLayer c : d.convs()) {
            ConvWeights w = ConvWeights.of(c);
            kernels.add(w.kernelYxio());
            biases.add(w.bias());
            params.add(w.kernelYxio());
            params.add(w.bias());
        }
        try (VggEncoder vgg = new VggEncoder(e); LossBackprop bp = new LossBackprop(kind, pre, enc, layout)) {
            INDArray t = AdainOps.adain(vgg.encode(Dl4jDecoderTraining.toArray(contents)),
                    vgg.encode(Dl4jDecoderTraining.toArray(styles)));
            List<INDArray> taps = vgg.encodeTaps(Dl4jDecoderTraining.toArray(styles));
            List<INDArray> means = new ArrayList<>();
            List<INDArray> stds = new ArrayList<>();
            for (INDArray f : taps) {
                means.add(AdainOps.mean(f));
                stds.add(AdainOps.std(f));
            }
            LossBackprop.Result mine = bp.run(t, means, stds, params, 1.0, 10.0);
            SameDiffLossGraph graph = new SameDiffLossGraph(kind, enc, pre, kernels, biases, 1.0, 10.0, t.size(0),
                    t.size(2), t.size(3));
            OutAndGrad ref = graph.run(t, means, stds);
            double refTotal = ref.getOutputs().get(SameDiffLossGraph.TOTAL).getDouble(0);
            double total = mine.losses().total(1.0, 10.0);
            System.out.printf(Locale.ROOT, "autodiff %-24s %s loss %.9g vs SameDiff %.9g%n", kind, layout, total,
                    refTotal);
            assertThat(Math.abs(total - refTotal)).isLessThanOrEqualTo(1e-6 * Math.abs(refTotal));
            for (int p = 0; p < params.size(); p++) {
                INDArray want = ref.getGradients().get(graph.paramNames().get(p));
                INDArray got = mine.gradients().get(p);
                assertThat(got.shape()).containsExactly(want.shape());
                double scale = want.amaxNumber().doubleValue();
                double err = got.sub(want).amaxNumber().doubleValue();
                System.out.printf(Locale.ROOT, "autodiff %-24s %s %-12s max |grad| %.4e  max |diff| %.3e%n", kind,
                        layout, graph.paramNames().get(p), scale, err);
                assertThat(err).as(graph.paramNames().get(p)).isLessThanOrEqualTo(1e-5 * scale + 1e-9);
            }
        } finally {
            enc.forEach(ConvWeights::close);
            pre.close();
        }
    }
}
