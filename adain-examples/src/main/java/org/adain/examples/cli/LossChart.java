package org.adain.examples.cli;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.ToDoubleFunction;
import org.adain.AdainException;
import org.adain.Images;
import org.adain.train.DecoderTrainer;
import org.adain.train.LossLog;
import org.adain.train.TrainingListener;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * {@code OUT/losses.png}, the loss curves of {@code adain train}, drawn with XChart from the run's
 * {@code losses.csv} ({@link LossLog}): iteration on x, loss on a logarithmic y axis, one curve per term (total,
 * content, style and its four layers; unweighted except the total). A long run is drawn as the geometric mean of
 * the iterations in each of at most {@value #MAX_POINTS} bins, so 160 000 iterations stay readable and quick to
 * draw. As a listener it redraws the plot at every checkpoint, when the log holds every row up to it.
 */
final class LossChart implements TrainingListener {
    /** File name of the plot in the output directory. */
    static final String FILE_NAME = "losses.png";
    static final int WIDTH = 960;
    static final int HEIGHT = 560;
    /** Bins a long run is averaged into: about one per horizontal pixel of the plot area. */
    static final int MAX_POINTS = 800;

    /** One curve: its legend label, colour, line width and the column it plots. */
    record Curve(String label, Color color, float width, ToDoubleFunction<LossLog.Row> value) {
    }

    /**
     * In drawing order, which is also the legend's: XChart draws later series over earlier ones, so the four layers
     * come first and the total last, on top (the content loss and the relu4_1 term can coincide).
     */
    static final List<Curve> CURVES = List.of(
            new Curve("style relu1_1", new Color(0xff9896), 1f, r -> r.styleLayers()[0]),
            new Curve("style relu2_1", new Color(0xff7f0e), 1f, r -> r.styleLayers()[1]),
            new Curve("style relu3_1", new Color(0x2ca02c), 1f, r -> r.styleLayers()[2]),
            new Curve("style relu4_1", new Color(0x9467bd), 1f, r -> r.styleLayers()[3]),
            new Curve("style (sum)", new Color(0xd62728), 1.8f, LossLog.Row::style),
            new Curve("content", new Color(0x1f77b4), 1.8f, LossLog.Row::content),
            new Curve("total (weighted)", new Color(0x111111), 2.2f, LossLog.Row::total));

    private final Path csv;
    private final Path png;
    private final Consumer<String> warn;
    private long drawnAt = -1;

    /**
     * @param outputDirectory the run's output directory (holds {@code losses.csv}; gets {@code losses.png})
     * @param warn            receives a one-line warning when the plot cannot be drawn; the run goes on
     */
    LossChart(Path outputDirectory, Consumer<String> warn) {
        this.csv = outputDirectory.resolve(DecoderTrainer.LOSSES_CSV);
        this.png = outputDirectory.resolve(FILE_NAME);
        this.warn = warn;
    }

    Path file() {
        return png;
    }

    @Override
    public void checkpointWritten(Path file, long iteration) {
        redraw(iteration);
    }

    /**
     * Draws the plot unless it was drawn at {@code iteration} already (the checkpoint at the end of a run). A plot
     * that fails (an unreadable log, no usable font) is a warning: the curves are worth less than the run.
     */
    void redraw(long iteration) {
        if (iteration == drawnAt) {
            return;
        }
        try {
            List<LossLog.Row> rows = LossLog.read(csv);
            if (!rows.isEmpty()) {
                Images.write(render(rows), png);
            }
            drawnAt = iteration;
        } catch (RuntimeException | Error e) {
            if (e instanceof OutOfMemoryError oom) {
                throw oom;
            }
            // AWT without a usable font fails with an Error, not an exception
            warn.accept("cannot draw " + png + ": " + (e instanceof AdainException ? e.getMessage() : e.toString()));
        }
    }

    /** The chart of at least one row as an image of {@value #WIDTH}×{@value #HEIGHT}. */
    static BufferedImage render(List<LossLog.Row> rows) {
        LossLog.Row last = rows.get(rows.size() - 1);
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT)
                .title(String.format(Locale.ROOT, "AdaIN decoder training: %d iteration%s, last total loss %.4g",
                        last.iteration(), last.iteration() == 1 ? "" : "s", last.total()))
                .xAxisTitle("iteration").yAxisTitle("loss (log scale; terms unweighted)").build();
        // XChart puts a labelled tick on every x value when they are equally spaced (0, 1, 2 ... of a short run,
        // crowded); an axis end half an iteration past the last keeps its usual round-number ticks.
        chart.getStyler().setXAxisMin(0.0).setXAxisMax(last.iteration() + 0.5).setXAxisDecimalPattern("#,##0")
                .setYAxisLogarithmic(true).setYAxisLogarithmicDecadeOnly(true).setPlotGridLinesVisible(true)
                .setPlotGridLinesColor(new Color(0xebebeb)).setPlotGridLinesStroke(new BasicStroke(1f))
                .setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12))
                .setAxisTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        chart.getStyler().setChartBackgroundColor(Color.WHITE).setPlotBackgroundColor(Color.WHITE)
                .setPlotBorderColor(Color.DARK_GRAY).setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 15))
                .setChartTitleBoxVisible(false).setLegendPosition(Styler.LegendPosition.OutsideE)
                .setLegendBorderColor(Color.WHITE).setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12))
                .setAntiAlias(true);
        for (Curve c : CURVES) {
            double[][] xy = binned(rows, c.value());
            if (xy[0].length == 0) {
                continue; // no positive value to put on a log axis
            }
            XYSeries s = chart.addSeries(c.label(), xy[0], xy[1]);
            s.setLineColor(c.color());
            s.setMarkerColor(c.color());
            s.setLineStyle(new BasicStroke(c.width(), BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
            s.setMarker(xy[0].length == 1 ? SeriesMarkers.CIRCLE : SeriesMarkers.NONE); // a lone point shows
        }
        if (chart.getSeriesMap().isEmpty()) {
            throw new AdainException("No positive finite loss in " + rows.size() + " rows to draw on a log scale");
        }
        return BitmapEncoder.getBufferedImage(chart);
    }

    /**
     * The points of one curve: every row when there are at most {@value #MAX_POINTS}, else the geometric mean of
     * the values (and the mean iteration) of each of {@value #MAX_POINTS} equal iteration ranges. Zero, negative and
     * non-finite values are left out: a log axis cannot show them.
     */
    static double[][] binned(List<LossLog.Row> rows, ToDoubleFunction<LossLog.Row> value) {
        long x0 = rows.get(0).iteration();
        long span = rows.get(rows.size() - 1).iteration() - x0 + 1;
        int bins = (int) Math.min(MAX_POINTS, Math.max(1, span));
        double[] sumX = new double[bins];
        double[] sumLog = new double[bins];
        int[] n = new int[bins];
        for (LossLog.Row r : rows) {
            double v = value.applyAsDouble(r);
            if (!(v > 0) || !Double.isFinite(v)) {
                continue;
            }
            int b = (int) Math.min(bins - 1, Math.max(0, (r.iteration() - x0) * bins / span));
            sumX[b] += r.iteration();
            sumLog[b] += Math.log(v);
            n[b]++;
        }
        List<double[]> points = new ArrayList<>();
        for (int b = 0; b < bins; b++) {
            if (n[b] > 0) {
                points.add(new double[] {sumX[b] / n[b], Math.exp(sumLog[b] / n[b])});
            }
        }
        double[][] xy = new double[2][points.size()];
        for (int i = 0; i < points.size(); i++) {
            xy[0][i] = points.get(i)[0];
            xy[1][i] = points.get(i)[1];
        }
        return xy;
    }
}
