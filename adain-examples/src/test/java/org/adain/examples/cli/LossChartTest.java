package org.adain.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.adain.train.LossLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LossChartTest {
    /** A falling curve: content 2/√i, style layers i^-0.3 · (1, 2, 3, 4) / 100, total with weights 1 and 10. */
    static List<LossLog.Row> run(int iterations) {
        List<LossLog.Row> rows = new ArrayList<>();
        for (int i = 1; i <= iterations; i++) {
            double content = 2 / Math.sqrt(i);
            double f = Math.pow(i, -0.3) / 100;
            double[] layers = {f, 2 * f, 3 * f, 4 * f};
            rows.add(new LossLog.Row(i, content, layers, 10 * f, content + 100 * f, 1e-4, i * 0.1));
        }
        return rows;
    }

    static Path log(Path dir, List<LossLog.Row> rows) throws Exception {
        StringBuilder sb = new StringBuilder(LossLog.HEADER).append('\n');
        for (LossLog.Row r : rows) {
            sb.append(r.iteration()).append(',').append(r.content());
            for (double v : r.styleLayers()) {
                sb.append(',').append(v);
            }
            sb.append(',').append(r.style()).append(',').append(r.total()).append(',').append(r.lr()).append(',')
                    .append(r.seconds()).append('\n');
        }
        return Files.writeString(dir.resolve("losses.csv"), sb);
    }

    /** Pixels of exactly colour {@code c} left of the legend (which is outside the plot, on the right). */
    static long pixelsOf(BufferedImage img, Color c) {
        long n = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth() * 7 / 10; x++) {
                if ((img.getRGB(x, y) & 0xffffff) == (c.getRGB() & 0xffffff)) {
                    n++;
                }
            }
        }
        return n;
    }

    static LossChart.Curve curve(String label) {
        return LossChart.CURVES.stream().filter(c -> c.label().equals(label)).findFirst().orElseThrow();
    }

    @Test
    void everyCurveIsDrawnInItsColour() {
        BufferedImage img = LossChart.render(run(300));
        assertThat(img.getWidth()).isEqualTo(LossChart.WIDTH);
        assertThat(img.getHeight()).isEqualTo(LossChart.HEIGHT);
        for (LossChart.Curve c : LossChart.CURVES) {
            assertThat(pixelsOf(img, c.color())).as(c.label()).isGreaterThan(20);
        }
    }

    @Test
    void aLongRunIsAveragedGeometricallyIntoBins() {
        List<LossLog.Row> rows = run(160_000);
        double[][] xy = LossChart.binned(rows, LossLog.Row::content);
        assertThat(xy[0]).hasSize(LossChart.MAX_POINTS);
        // bin 0 holds iterations 1..200: the mean iteration and the geometric mean of 2/√i
        assertThat(xy[0][0]).isEqualTo(100.5);
        double logSum = 0;
        for (int i = 1; i <= 200; i++) {
            logSum += Math.log(2 / Math.sqrt(i));
        }
        assertThat(xy[1][0]).isCloseTo(Math.exp(logSum / 200), within(1e-12));
        // a short run is drawn point by point
        double[][] few = LossChart.binned(run(5), LossLog.Row::total);
        assertThat(few[0]).containsExactly(1, 2, 3, 4, 5);
        assertThat(few[1][2]).isCloseTo(run(5).get(2).total(), within(1e-15));
    }

    @Test
    void valuesALogAxisCannotShowAreLeftOut() {
        List<LossLog.Row> rows = new ArrayList<>(run(4));
        rows.set(1, new LossLog.Row(2, 0, new double[] {1, 1, 1, 1}, 4, 40, 1e-4, 1));
        rows.set(2, new LossLog.Row(3, Double.NaN, new double[] {1, 1, 1, 1}, 4, 40, 1e-4, 1));
        assertThat(LossChart.binned(rows, LossLog.Row::content)[0]).containsExactly(1, 4);
        // a run without content loss (content weight 0 still logs it, but a zero curve is simply not drawn)
        List<LossLog.Row> noContent = new ArrayList<>();
        for (LossLog.Row r : run(10)) {
            noContent.add(new LossLog.Row(r.iteration(), 0, r.styleLayers(), r.style(), r.total(), r.lr(), 0));
        }
        BufferedImage img = LossChart.render(noContent);
        assertThat(pixelsOf(img, curve("content").color())).isZero();
        assertThat(pixelsOf(img, curve("total (weighted)").color())).isGreaterThan(20);
    }

    @Test
    void theListenerRedrawsAtCheckpointsAndAProblemIsAWarningNotAFailure(@TempDir Path dir) throws Exception {
        List<String> warnings = new ArrayList<>();
        LossChart chart = new LossChart(dir, warnings::add);
        Path csv = log(dir, run(20));
        chart.checkpointWritten(dir.resolve("checkpoints/checkpoint-000000020.adain"), 20);
        assertThat(warnings).isEmpty();
        assertThat(Fixtures.read(chart.file()).getWidth()).isEqualTo(LossChart.WIDTH);

        // drawn at 20 already: the end of the run does not draw it again
        Files.delete(chart.file());
        chart.redraw(20);
        assertThat(chart.file()).doesNotExist();

        Files.writeString(csv, "not,a,loss,log\n");
        chart.redraw(21);
        assertThat(chart.file()).doesNotExist();
        assertThat(warnings).singleElement().asString().startsWith("cannot draw " + chart.file())
                .contains("does not start with the header");
    }
}
