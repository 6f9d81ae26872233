package org.adain.fake;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.adain.spi.FeatureMap;
import org.adain.spi.StyleModel;
import org.adain.spi.Tensor;
import org.adain.spi.TransferPlan;

/**
 * "Encoder": 8×8 average pooling in ceil mode (3 channels); "decoder": nearest ×8 upsampling. The transfer
 * follows TransferPlan's contract in plain double arithmetic, so request handling can be checked end to end.
 */
public final class FakeStyleModel implements StyleModel {
    static final double EPS = 1e-5;
    /** The model the provider made last, for tests that look inside. */
    public static volatile FakeStyleModel last;
    int openMaps;
    boolean closed;
    /** What {@link #precision()} reports. */
    org.adain.Precision precision = org.adain.Precision.FLOAT32;

    FakeStyleModel() {
        last = this;
    }

    /** Feature maps made and not yet closed. */
    public synchronized int openMaps() {
        return openMaps;
    }

    public boolean isClosed() {
        return closed;
    }

    @Override
    public org.adain.Precision precision() {
        return precision;
    }

    final class Map implements FeatureMap {
        final int c;
        final int h;
        final int w;
        final float[] d;
        boolean mapClosed;

        Map(int c, int h, int w, float[] d) {
            this.c = c;
            this.h = h;
            this.w = w;
            this.d = d;
            openMaps++;
        }

        @Override
        public int batch() {
            return 1;
        }

        @Override
        public int channels() {
            return c;
        }

        @Override
        public int height() {
            return h;
        }

        @Override
        public int width() {
            return w;
        }

        @Override
        public Tensor toTensor() {
            return Tensor.of(d, 1, c, h, w);
        }

        @Override
        public void close() {
            if (!mapClosed) {
                mapClosed = true;
                openMaps--;
            }
        }
    }

    @Override
    public Set<Capability> capabilities() {
        return EnumSet.noneOf(Capability.class);
    }

    @Override
    public FeatureMap encode(Tensor images) {
        int hh = images.dim(2);
        int ww = images.dim(3);
        int h = (hh + 7) / 8;
        int w = (ww + 7) / 8;
        float[] out = new float[3 * h * w];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    double s = 0;
                    int n = 0;
                    for (int dy = 0; dy < 8 && y * 8 + dy < hh; dy++) {
                        for (int dx = 0; dx < 8 && x * 8 + dx < ww; dx++) {
                            s += images.get(0, c, y * 8 + dy, x * 8 + dx);
                            n++;
                        }
                    }
                    out[(c * h + y) * w + x] = (float) (s / n);
                }
            }
        }
        return new Map(3, h, w, out);
    }

    @Override
    public List<Tensor> encodeLayers(Tensor images) {
        throw new UnsupportedOperationException();
    }

    static double[] meanStd(float[] d, int c, int plane, int[] positions) {
        double s = 0;
        for (int p : positions) {
            s += d[c * plane + p];
        }
        double m = s / positions.length;
        double v = 0;
        for (int p : positions) {
            v += (d[c * plane + p] - m) * (d[c * plane + p] - m);
        }
        return new double[] {m, Math.sqrt(v / (positions.length - 1) + EPS)};
    }

    static int[] all(int n) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        return a;
    }

    @Override
    public FeatureMap transfer(TransferPlan plan) {
        Map content = (Map) plan.content();
        int plane = content.h * content.w;
        float[] out = new float[content.d.length];
        int[] regions = plan.regions();
        double[] weights = plan.weights();
        for (int c = 0; c < 3; c++) {
            for (int k = 0; k < plan.styles().size(); k++) {
                Map s = (Map) plan.styles().get(k);
                double[] st = meanStd(s.d, c, s.h * s.w, all(s.h * s.w));
                int[] pos;
                if (regions == null) {
                    pos = all(plane);
                } else {
                    final int kk = k;
                    pos = java.util.stream.IntStream.range(0, plane).filter(p -> regions[p] == kk).toArray();
                }
                double[] ct = meanStd(content.d, c, plane, pos);
                double wk = regions == null ? weights[k] : 1.0;
                for (int p : pos) {
                    out[c * plane + p] += (float) (wk * ((content.d[c * plane + p] - ct[0]) / ct[1] * st[1] + st[0]));
                }
            }
            for (int p = 0; p < plane; p++) {
                out[c * plane + p] = (float) (plan.alpha() * out[c * plane + p]
                        + (1 - plan.alpha()) * content.d[c * plane + p]);
            }
        }
        return new Map(3, content.h, content.w, out);
    }

    @Override
    public Tensor decode(FeatureMap features) {
        Map m = (Map) features;
        int h = m.h * 8;
        int w = m.w * 8;
        float[] out = new float[3 * h * w];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    out[(c * h + y) * w + x] = m.d[(c * m.h + y / 8) * m.w + x / 8];
                }
            }
        }
        return Tensor.of(out, 1, 3, h, w);
    }

    @Override
    public FeatureMap upload(Tensor features) {
        return new Map(features.dim(1), features.dim(2), features.dim(3), features.toArray());
    }

    @Override
    public Tensor mean(Tensor features) {
        throw new UnsupportedOperationException();
    }

    @Override
    public Tensor std(Tensor features) {
        throw new UnsupportedOperationException();
    }

    @Override
    public String describe() {
        return "fake";
    }

    /** How often {@link #trimMemory} was called. */
    public volatile int trims;

    @Override
    public void trimMemory() {
        trims++;
    }

    @Override
    public void close() {
        closed = true;
    }
}
