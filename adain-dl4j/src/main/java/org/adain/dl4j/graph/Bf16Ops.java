package org.adain.dl4j.graph;

import org.bytedeco.javacpp.ShortPointer;

/**
 * The bf16 networks' data movement that oneDNN has no primitive for, as row copies on native NHWC bf16 buffers:
 * reflection padding of 1 and nearest ×2 upsampling written straight into a padded map (like
 * {@link GraphOps#upsampleNearest2ReflectPad1}, which saves a full-size intermediate). Values are moved, never
 * converted, so both are exact.
 */
final class Bf16Ops {
    private Bf16Ops() {
    }

    /**
     * Writes {@code reflectPad1(x)} (or {@code reflectPad1(upsampleNearest2(x))} when {@code upsample}) of the NHWC
     * map {@code src}, of NCHW dims {@code in}, into {@code dst}, which holds {@code n × (f·h + 2) × (f·w + 2) × c}
     * elements (f = 2 when upsampling, else 1). Needs h, w ≥ 2 (without upsampling). Each source row is read once,
     * laid out as a whole padded row in Java and written to its one or two destination rows; the top and bottom border
     * rows are then copies of destination rows 2 and {@code h' − 1} (PyTorch's reflection: {@code x[-1] = x[1]}).
     */
    static void reflectPad1(ShortPointer src, ShortPointer dst, long[] in, boolean upsample) {
        int c = Math.toIntExact(in[1]);
        long h = in[2];
        int w = Math.toIntExact(in[3]);
        int f = upsample ? 2 : 1;
        long ph = f * h + 2;
        int uw = f * w;
        int pw = uw + 2;
        short[] rowIn = new short[Math.multiplyExact(w, c)];
        short[] rowOut = new short[Math.multiplyExact(pw, c)];
        long outRow = (long) pw * c;
        for (long b = 0; b < in[0]; b++) {
            for (long y = 0; y < h; y++) {
                src.position((b * h + y) * w * c).get(rowIn, 0, rowIn.length);
                if (upsample) {
                    for (int px = 0; px < pw; px++) {
                        System.arraycopy(rowIn, reflect(px - 1, uw) / 2 * c, rowOut, px * c, c);
                    }
                } else {
                    System.arraycopy(rowIn, 0, rowOut, c, rowIn.length);
                    System.arraycopy(rowIn, c, rowOut, 0, c);
                    System.arraycopy(rowIn, (w - 2) * c, rowOut, (pw - 1) * c, c);
                }
                for (int r = 0; r < f; r++) {
                    dst.position((b * ph + 1 + f * y + r) * outRow).put(rowOut, 0, rowOut.length);
                }
            }
            copyRow(dst, b * ph + 2, b * ph, rowOut);
            copyRow(dst, b * ph + ph - 3, b * ph + ph - 1, rowOut);
        }
        src.position(0);
        dst.position(0);
    }

    /** Copies a whole row of {@code buf} through {@code row} (a row's length). */
    private static void copyRow(ShortPointer buf, long fromRow, long toRow, short[] row) {
        buf.position(fromRow * row.length).get(row, 0, row.length);
        buf.position(toRow * row.length).put(row, 0, row.length);
    }

    /** Index {@code i} of {@code -1..n} mirrored into {@code 0..n-1} without repeating the edge. */
    private static int reflect(int i, int n) {
        return i < 0 ? -i : i >= n ? 2 * n - 2 - i : i;
    }
}
