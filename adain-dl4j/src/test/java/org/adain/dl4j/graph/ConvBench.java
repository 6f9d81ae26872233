package org.adain.dl4j.graph;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * What {@link ConvPrecisionBenchmark} (ND4J) and {@link DnnlConvBenchmark} (oneDNN directly) share: the same
 * inputs for a shape, and what they measure besides wall time (process CPU time, load average, medians, errors).
 */
final class ConvBench {
    private ConvBench() {
    }

    /**
     * CPU time of every thread of this process in nanoseconds, OpenMP workers included: the sum of the first field
     * of /proc/self/task/{@literal *}/schedstat (nanosecond resolution; the JMX process CPU time counts in 10 ms
     * ticks, too coarse for a 50 ms convolution). Falls back to JMX where /proc is missing.
     */
    static long processCpuNanos() {
        long sum = 0;
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
            for (Path t : tasks) {
                try {
                    String s = Files.readString(t.resolve("schedstat"));
                    sum += Long.parseLong(s.substring(0, s.indexOf(' ')));
                } catch (IOException | RuntimeException e) {
                    // a thread that ended between the listing and the read: its time is lost either way
                }
            }
            return sum;
        } catch (IOException | RuntimeException e) {
            return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                    .getProcessCpuTime();
        }
    }

    /** The three load averages of /proc/loadavg, comma-separated; "n/a" where there is none. */
    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
            return f[0] + "," + f[1] + "," + f[2];
        } catch (IOException | RuntimeException e) {
            return "n/a";
        }
    }

    static double median(List<Double> v) {
        if (v.isEmpty()) {
            return Double.NaN;
        }
        List<Double> s = new ArrayList<>(v);
        s.sort(null);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    static String list(List<Double> v) {
        StringBuilder sb = new StringBuilder();
        for (double d : v) {
            sb.append(sb.length() == 0 ? "" : ",").append(String.format(Locale.ROOT, "%.1f", d));
        }
        return sb.toString();
    }

    /** max |a − b| / max |b|: the error on the output's own scale (a ReLU output has many exact zeros). NaN wins. */
    static double relError(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new IllegalStateException("outputs differ in length: " + a.length + " vs " + b.length);
        }
        double maxDiff = 0;
        for (int i = 0; i < a.length; i++) {
            double d = Math.abs((double) a[i] - b[i]);
            if (!(d <= maxDiff)) {
                maxDiff = d;
            }
        }
        return maxDiff / maxAbs(b);
    }

    static double maxAbs(float[] a) {
        double m = 0;
        for (float v : a) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }

    /**
     * The inputs of one {@code channels → channels} 3×3 conv at {@code side}², batch 1: {x as NCHW, kernel as
     * [kh, kw, in, out] (HWIO, ND4J's YXIO), bias}. Activations like a ReLU map's (uniform [0, 1)), a He-scaled
     * uniform kernel, a small bias; the seed depends only on the channels, so both benchmarks see the same numbers.
     */
    static float[][] inputs(int channels, int side) {
        SplittableRandom rnd = new SplittableRandom(20261206L + channels);
        float[] x = uniform(rnd, channels * side * side, 0, 1);
        double he = Math.sqrt(2.0 / (9 * channels)) * Math.sqrt(3);
        float[] kernel = uniform(rnd, 9 * channels * channels, -he, he);
        float[] bias = uniform(rnd, channels, -0.1, 0.1);
        return new float[][] {x, kernel, bias};
    }

    private static float[] uniform(SplittableRandom rnd, int n, double lo, double hi) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (lo + (hi - lo) * rnd.nextDouble());
        }
        return a;
    }
}
