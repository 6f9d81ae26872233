package org.adain;

import java.util.Objects;

/**
 * Colour preservation by CORAL on pixels (SEMANTICS §5.3), what {@link StyleRequest.Builder#preserveColor}
 * applies to each style image before encoding: the style's pixels get the mean and covariance of the
 * content's, so the transfer keeps the content's colours.
 *
 * <pre>{@code
 * ImageTensor recoloured = ColorTransfer.coral(style, content);
 * }</pre>
 *
 * <p>With X the 3×P pixel matrix: per-channel mean m and unbiased std d, Xn = (X − m)/d,
 * C = Xn·Xnᵀ + I (a sum over pixels, plus the identity), and
 * {@code result = sqrtm(C_target) · sqrtm(C_source)⁻¹ · Xn_source · d_target + m_target}. The result is not
 * clamped. Computed in double precision.
 */
public final class ColorTransfer {
    private ColorTransfer() {
    }

    /**
     * Recolours {@code source} to the colour statistics of {@code target}.
     *
     * @param source the image to recolour (the style)
     * @param target the image whose colours to take (the content)
     * @return {@code source} with the mean and covariance of {@code target}'s colours, not clamped
     * @throws InvalidRequestException when either image has a constant colour channel (its std is 0 and the
     *                                 normalisation is undefined) or fewer than two pixels
     * @throws NullPointerException    either image is null
     */
    public static ImageTensor coral(ImageTensor source, ImageTensor target) {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(target, "target");
        Stats s = Stats.of(source, "style (source)");
        Stats t = Stats.of(target, "content (target)");
        double[][] transform = multiply(sqrtm(t.cov), inverse(sqrtm(s.cov)));
        float[] src = source.array();
        int plane = source.height() * source.width();
        float[] out = new float[src.length];
        double[] n = new double[3];
        for (int i = 0; i < plane; i++) {
            for (int c = 0; c < 3; c++) {
                n[c] = (src[c * plane + i] - s.mean[c]) / s.std[c];
            }
            for (int r = 0; r < 3; r++) {
                double v = transform[r][0] * n[0] + transform[r][1] * n[1] + transform[r][2] * n[2];
                out[r * plane + i] = (float) (v * t.std[r] + t.mean[r]);
            }
        }
        return ImageTensor.wrap(out, source.height(), source.width());
    }

    private static final class Stats {
        final double[] mean = new double[3];
        final double[] std = new double[3];
        final double[][] cov = new double[3][3];

        static Stats of(ImageTensor img, String role) {
            Stats st = new Stats();
            float[] d = img.array();
            int p = img.height() * img.width();
            if (p < 2) {
                throw new InvalidRequestException("Colour preservation needs at least 2 pixels in the " + role
                        + " image, it has " + p);
            }
            for (int c = 0; c < 3; c++) {
                double sum = 0;
                for (int i = 0; i < p; i++) {
                    sum += d[c * p + i];
                }
                double m = sum / p;
                double ss = 0;
                for (int i = 0; i < p; i++) {
                    double e = d[c * p + i] - m;
                    ss += e * e;
                }
                st.mean[c] = m;
                st.std[c] = Math.sqrt(ss / (p - 1));
                if (!(st.std[c] > 0)) {
                    throw new InvalidRequestException("Colour preservation cannot use the " + role + " image "
                            + img.sizeString() + ": its " + "RGB".charAt(c)
                            + " channel is constant (std 0), so its colour covariance is undefined");
                }
            }
            for (int a = 0; a < 3; a++) {
                for (int b = a; b < 3; b++) {
                    double sum = 0;
                    for (int i = 0; i < p; i++) {
                        sum += (d[a * p + i] - st.mean[a]) / st.std[a] * ((d[b * p + i] - st.mean[b]) / st.std[b]);
                    }
                    st.cov[a][b] = sum + (a == b ? 1.0 : 0.0);
                    st.cov[b][a] = st.cov[a][b];
                }
            }
            return st;
        }
    }

    /** Square root of a symmetric positive-definite 3×3 matrix via its eigendecomposition (= its SVD). */
    static double[][] sqrtm(double[][] a) {
        double[][] v = new double[3][3];
        double[] lambda = SymmetricEigen.decompose(a, v);
        double[][] r = new double[3][3];
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                double s = 0;
                for (int k = 0; k < 3; k++) {
                    s += v[i][k] * Math.sqrt(Math.max(lambda[k], 0)) * v[j][k];
                }
                r[i][j] = s;
            }
        }
        return r;
    }

    static double[][] multiply(double[][] a, double[][] b) {
        double[][] r = new double[3][3];
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                r[i][j] = a[i][0] * b[0][j] + a[i][1] * b[1][j] + a[i][2] * b[2][j];
            }
        }
        return r;
    }

    static double[][] inverse(double[][] m) {
        double det = m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1])
                - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
                + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
        double[][] r = new double[3][3];
        r[0][0] = (m[1][1] * m[2][2] - m[1][2] * m[2][1]) / det;
        r[0][1] = (m[0][2] * m[2][1] - m[0][1] * m[2][2]) / det;
        r[0][2] = (m[0][1] * m[1][2] - m[0][2] * m[1][1]) / det;
        r[1][0] = (m[1][2] * m[2][0] - m[1][0] * m[2][2]) / det;
        r[1][1] = (m[0][0] * m[2][2] - m[0][2] * m[2][0]) / det;
        r[1][2] = (m[0][2] * m[1][0] - m[0][0] * m[1][2]) / det;
        r[2][0] = (m[1][0] * m[2][1] - m[1][1] * m[2][0]) / det;
        r[2][1] = (m[0][1] * m[2][0] - m[0][0] * m[2][1]) / det;
        r[2][2] = (m[0][0] * m[1][1] - m[0][1] * m[1][0]) / det;
        return r;
    }

    /** Cyclic Jacobi rotations for small symmetric matrices; converges to machine precision in a few sweeps. */
    static final class SymmetricEigen {
        private SymmetricEigen() {
        }

        /** Returns the eigenvalues; {@code vectors} receives the eigenvectors as columns. */
        static double[] decompose(double[][] input, double[][] vectors) {
            int n = input.length;
            double[][] a = new double[n][];
            for (int i = 0; i < n; i++) {
                a[i] = input[i].clone();
                java.util.Arrays.fill(vectors[i], 0);
                vectors[i][i] = 1;
            }
            for (int sweep = 0; sweep < 100; sweep++) {
                double off = 0;
                for (int p = 0; p < n; p++) {
                    for (int q = p + 1; q < n; q++) {
                        off += a[p][q] * a[p][q];
                    }
                }
                if (off < 1e-30) {
                    break;
                }
                for (int p = 0; p < n; p++) {
                    for (int q = p + 1; q < n; q++) {
                        if (Math.abs(a[p][q]) < 1e-300) {
                            continue;
                        }
                        double theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
                        double t = Math.signum(theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
                        if (theta == 0) {
                            t = 1;
                        }
                        double c = 1 / Math.sqrt(t * t + 1);
                        double s = t * c;
                        for (int k = 0; k < n; k++) {
                            double akp = a[k][p];
                            double akq = a[k][q];
                            a[k][p] = c * akp - s * akq;
                            a[k][q] = s * akp + c * akq;
                        }
                        for (int k = 0; k < n; k++) {
                            double apk = a[p][k];
                            double aqk = a[q][k];
                            a[p][k] = c * apk - s * aqk;
                            a[q][k] = s * apk + c * aqk;
                        }
                        for (int k = 0; k < n; k++) {
                            double vkp = vectors[k][p];
                            double vkq = vectors[k][q];
                            vectors[k][p] = c * vkp - s * vkq;
                            vectors[k][q] = s * vkp + c * vkq;
                        }
                    }
                }
            }
            double[] lambda = new double[n];
            for (int i = 0; i < n; i++) {
                lambda[i] = a[i][i];
            }
            return lambda;
        }
    }
}
