package org.adain.fake;

import java.util.ArrayList;
import java.util.List;
import org.adain.spi.ConvLayer;
import org.adain.spi.DecoderTraining;
import org.adain.spi.DecoderWeights;
import org.adain.spi.LossTerms;
import org.adain.spi.Tensor;
import org.adain.spi.TrainingConfig;
import org.adain.spi.TrainingState;

/**
 * A deterministic pure-Java training session on a toy objective, so the trainer's orchestration (data, checkpoints,
 * resume) can be tested without native code. Every kernel is pulled towards a number taken from the batch: conv 0
 * towards the contents' mean ("content" loss), convs 1..4 towards the styles' mean (the four "style" layers); the
 * other convs and all biases feel a small decay. The update is PyTorch's Adam at {@code config.learningRateAt(i)},
 * computed in double and stored in float, so equal inputs give bit-equal results.
 */
public final class FakeDecoderTraining implements DecoderTraining {
    /** Sessions made and not closed, for leak checks. */
    public static volatile int open;

    private final TrainingConfig config;
    private final List<String> names = new ArrayList<>();
    private final List<int[]> shapes = new ArrayList<>();
    private final float[][] params; // kernel k at 2k, bias k at 2k + 1
    private final float[][] m;
    private final float[][] v;
    private long iteration;
    private boolean closed;

    FakeDecoderTraining(DecoderWeights initial, TrainingConfig config) {
        this.config = config;
        int n = initial.convs().size();
        params = new float[2 * n][];
        m = new float[2 * n][];
        v = new float[2 * n][];
        for (int k = 0; k < n; k++) {
            ConvLayer c = initial.convs().get(k);
            names.add(c.name());
            shapes.add(new int[] {c.outChannels(), c.inChannels(), c.kernelHeight(), c.kernelWidth()});
            params[2 * k] = c.kernelOihw();
            params[2 * k + 1] = c.bias();
        }
        for (int i = 0; i < params.length; i++) {
            m[i] = new float[params[i].length];
            v[i] = new float[params[i].length];
        }
        synchronized (FakeDecoderTraining.class) {
            open++;
        }
    }

    private static double mean(Tensor t) {
        double s = 0;
        for (int i = 0; i < t.size(); i++) {
            s += t.getFlat(i);
        }
        return s / t.size();
    }

    private double targetOf(int param, double cm, double sm) {
        int conv = param / 2;
        if (param % 2 == 1 || conv > 4) {
            return 0;
        }
        return conv == 0 ? cm : sm;
    }

    private double weightOf(int param) {
        int conv = param / 2;
        if (param % 2 == 1 || conv > 4) {
            return 0.01;
        }
        return conv == 0 ? config.contentWeight() : config.styleWeight();
    }

    private LossTerms losses(double cm, double sm) {
        double content = 0;
        double[] style = new double[4];
        for (int conv = 0; conv <= 4; conv++) {
            float[] w = params[2 * conv];
            double t = conv == 0 ? cm : sm;
            double s = 0;
            for (float x : w) {
                s += (x - t) * (x - t);
            }
            if (conv == 0) {
                content = s / w.length;
            } else {
                style[conv - 1] = s / w.length;
            }
        }
        return new LossTerms(content, style);
    }

    private double[][] grads(double cm, double sm) {
        double[][] g = new double[params.length][];
        for (int p = 0; p < params.length; p++) {
            float[] w = params[p];
            double t = targetOf(p, cm, sm);
            double wt = weightOf(p);
            g[p] = new double[w.length];
            for (int i = 0; i < w.length; i++) {
                g[p][i] = wt * 2 * (w[i] - t) / w.length;
            }
        }
        return g;
    }

    @Override
    public LossTerms step(Tensor contents, Tensor styles) {
        check();
        double cm = mean(contents);
        double sm = mean(styles);
        LossTerms l = losses(cm, sm);
        double[][] g = grads(cm, sm);
        double lr = config.learningRateAt(iteration);
        long t = iteration + 1;
        double b1 = config.beta1();
        double b2 = config.beta2();
        double c1 = 1 - Math.pow(b1, t);
        double c2 = 1 - Math.pow(b2, t);
        for (int p = 0; p < params.length; p++) {
            for (int i = 0; i < params[p].length; i++) {
                m[p][i] = (float) (b1 * m[p][i] + (1 - b1) * g[p][i]);
                v[p][i] = (float) (b2 * v[p][i] + (1 - b2) * g[p][i] * g[p][i]);
                double denom = Math.sqrt(v[p][i] / c2) + config.epsilon();
                params[p][i] = (float) (params[p][i] - lr * (m[p][i] / c1) / denom);
            }
        }
        iteration = t;
        return l;
    }

    @Override
    public List<Tensor[]> gradients(Tensor contents, Tensor styles) {
        check();
        double[][] g = grads(mean(contents), mean(styles));
        List<Tensor[]> out = new ArrayList<>();
        for (int k = 0; k < names.size(); k++) {
            out.add(new Tensor[] {Tensor.wrap(toFloat(g[2 * k]), shapes.get(k)),
                    Tensor.wrap(toFloat(g[2 * k + 1]), shapes.get(k)[0])});
        }
        return out;
    }

    private static float[] toFloat(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            f[i] = (float) d[i];
        }
        return f;
    }

    @Override
    public DecoderWeights weights() {
        check();
        List<ConvLayer> convs = new ArrayList<>();
        for (int k = 0; k < names.size(); k++) {
            int[] s = shapes.get(k);
            convs.add(new ConvLayer(names.get(k), s[0], s[1], s[2], s[3], params[2 * k], params[2 * k + 1]));
        }
        return new DecoderWeights(convs, "fake training");
    }

    @Override
    public long iteration() {
        return iteration;
    }

    private List<Tensor[]> moments(float[][] a) {
        List<Tensor[]> out = new ArrayList<>();
        for (int k = 0; k < names.size(); k++) {
            out.add(new Tensor[] {Tensor.of(a[2 * k], shapes.get(k)), Tensor.of(a[2 * k + 1], shapes.get(k)[0])});
        }
        return out;
    }

    @Override
    public TrainingState state() {
        check();
        return new TrainingState(iteration, weights(), moments(m), moments(v));
    }

    @Override
    public void restore(TrainingState state) {
        check();
        List<ConvLayer> convs = state.weights().convs();
        for (int k = 0; k < names.size(); k++) {
            ConvLayer c = convs.get(k);
            int[] s = shapes.get(k);
            if (c.outChannels() != s[0] || c.inChannels() != s[1]) {
                throw new IllegalArgumentException("conv " + k + " has another shape in the state");
            }
            params[2 * k] = c.kernelOihw();
            params[2 * k + 1] = c.bias();
            m[2 * k] = state.firstMoments().get(k)[0].toArray();
            m[2 * k + 1] = state.firstMoments().get(k)[1].toArray();
            v[2 * k] = state.secondMoments().get(k)[0].toArray();
            v[2 * k + 1] = state.secondMoments().get(k)[1].toArray();
        }
        iteration = state.iteration();
    }

    private void check() {
        if (closed) {
            throw new IllegalStateException("closed");
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            synchronized (FakeDecoderTraining.class) {
                open--;
            }
        }
    }
}
