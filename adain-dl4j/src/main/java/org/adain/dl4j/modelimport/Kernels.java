package org.adain.dl4j.modelimport;

import org.adain.ModelException;
import org.adain.spi.ConvLayer;

/** Kernel layout conversions into {@link ConvLayer}'s OIHW, and ConvLayer construction naming the file. */
final class Kernels {
    private Kernels() {
    }

    /**
     * Keras/TensorFlow kernel {@code [kh][kw][in][out]} (HWIO) to PyTorch's {@code [out][in][kh][kw]} (OIHW):
     * {@code oihw[o][i][y][x] = hwio[y][x][i][o]}.
     */
    static float[] hwioToOihw(float[] hwio, int kh, int kw, int in, int out) {
        if ((long) kh * kw * in * out != hwio.length) {
            throw new IllegalArgumentException("kernel of " + hwio.length + " values is not " + kh + "×" + kw + "×"
                    + in + "×" + out);
        }
        float[] oihw = new float[hwio.length];
        int dst = 0;
        for (int o = 0; o < out; o++) {
            for (int i = 0; i < in; i++) {
                for (int y = 0; y < kh; y++) {
                    for (int x = 0; x < kw; x++) {
                        oihw[dst++] = hwio[((y * kw + x) * in + i) * out + o];
                    }
                }
            }
        }
        return oihw;
    }

    /**
     * Builds the ConvLayer; its own checks (lengths, NaN/Inf) name the layer but not the file, so the file is
     * prefixed here.
     */
    static ConvLayer convLayer(String file, String name, int out, int in, int kh, int kw, float[] oihw,
            float[] bias) {
        try {
            return new ConvLayer(name, out, in, kh, kw, oihw, bias);
        } catch (ModelException e) {
            throw new ModelException(file + ": " + e.getMessage(), e);
        }
    }
}
