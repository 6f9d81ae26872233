package org.adain.testkit;

import java.util.Arrays;
import org.adain.spi.Tensor;

/** A double-precision {@code N×C×H×W} array, row-major: the reference backend's working type. */
final class Map4 {
    final int n;
    final int c;
    final int h;
    final int w;
    final double[] d;

    Map4(int n, int c, int h, int w) {
        this(n, c, h, w, new double[n * c * h * w]);
    }

    Map4(int n, int c, int h, int w, double[] d) {
        if (d.length != n * c * h * w) {
            throw new IllegalArgumentException(d.length + " values for " + n + "×" + c + "×" + h + "×" + w);
        }
        this.n = n;
        this.c = c;
        this.h = h;
        this.w = w;
        this.d = d;
    }

    static Map4 of(Tensor t) {
        if (t.rank() != 4) {
            throw new IllegalArgumentException("expected rank 4, got " + Arrays.toString(t.shape()));
        }
        float[] f = t.toArray();
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return new Map4(t.dim(0), t.dim(1), t.dim(2), t.dim(3), d);
    }

    Tensor toTensor() {
        float[] f = new float[d.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) d[i];
        }
        return Tensor.wrap(f, n, c, h, w);
    }

    int plane() {
        return h * w;
    }

    /** Offset of plane (sample, channel). */
    int at(int sample, int channel) {
        return (sample * c + channel) * h * w;
    }

    Map4 zerosLike() {
        return new Map4(n, c, h, w);
    }

    Map4 copy() {
        return new Map4(n, c, h, w, d.clone());
    }

    /** One sample as a batch of one. */
    Map4 sample(int k) {
        int per = c * h * w;
        return new Map4(1, c, h, w, Arrays.copyOfRange(d, k * per, (k + 1) * per));
    }

    String shape() {
        return "[" + n + ", " + c + ", " + h + ", " + w + "]";
    }
}
