package org.adain;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * The loss curves as a PNG ({@code losses.png}): iteration on x, loss on a logarithmic y axis, one curve per term
 * (total, content, style and its four layers; unweighted except the total). Long runs are drawn as the
 * geometric mean of the iterations that fall on each pixel column, so 160 000 iterations stay readable.
 * Drawn with Java2D alone (works headless).
 */
final class LossPlot {
    static final int WIDTH = 960;
    static final int HEIGHT = 560;
    private static final int LEFT = 80;
    private static final int RIGHT = 215;
    private static final int TOP = 44;
    private static final int BOTTOM = 60;

    private record Curve(String label, Color color, float width, ToDoubleFunction<LossLog.Row> value) {
    }

    private static final List<Curve> CURVES = List.of(
            new Curve("total", new Color(0x111111), 2.2f, LossLog.Row::total),
            new Curve("content", new Color(0x1f77b4), 1.8f, LossLog.Row::content),
            new Curve("style (sum)", new Color(0xd62728), 1.8f, LossLog.Row::style),
            new Curve("style relu1_1", new Color(0xff9896), 1f, r -> r.styleLayers()[0]),
            new Curve("style relu2_1", new Color(0xff7f0e), 1f, r -> r.styleLayers()[1]),
            new Curve("style relu3_1", new Color(0x2ca02c), 1f, r -> r.styleLayers()[2]),
            new Curve("style relu4_1", new Color(0x9467bd), 1f, r -> r.styleLayers()[3]));

    private LossPlot() {
    }

    /** Draws the rows (at least one) into a PNG at {@code file}, written atomically. */
    static void write(List<LossLog.Row> rows, Path file) {
        Images.write(render(rows), file);
    }

    static BufferedImage render(List<LossLog.Row> rows) {
        BufferedImage img = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, WIDTH, HEIGHT);
            int pw = WIDTH - LEFT - RIGHT;
            int ph = HEIGHT - TOP - BOTTOM;
            long x0 = rows.isEmpty() ? 0 : rows.get(0).iteration();
            long x1 = rows.isEmpty() ? 1 : rows.get(rows.size() - 1).iteration();
            if (x1 <= x0) {
                x1 = x0 + 1;
            }
            double lo = Double.POSITIVE_INFINITY;
            double hi = Double.NEGATIVE_INFINITY;
            for (LossLog.Row r : rows) {
                for (Curve c : CURVES) {
                    double v = c.value().applyAsDouble(r);
                    if (v > 0 && Double.isFinite(v)) {
                        lo = Math.min(lo, v);
                        hi = Math.max(hi, v);
                    }
                }
            }
            if (!(lo <= hi)) {
                lo = 1e-3;
                hi = 1;
            }
            double dLo = Math.floor(Math.log10(lo));
            double dHi = Math.ceil(Math.log10(hi));
            if (dHi <= dLo) {
                dHi = dLo + 1;
            }
            // grid and axes
            g.setColor(new Color(0xe6e6e6));
            g.setStroke(new BasicStroke(1f));
            for (double d = dLo; d <= dHi; d++) {
                int y = yOf(d, dLo, dHi, ph);
                g.drawLine(LEFT, y, LEFT + pw, y);
            }
            long[] xt = ticks(x0, x1);
            for (long t : xt) {
                int x = xOf(t, x0, x1, pw);
                g.drawLine(x, TOP, x, TOP + ph);
            }
            g.setColor(Color.DARK_GRAY);
            g.drawRect(LEFT, TOP, pw, ph);
            // curves
            java.awt.Shape clip = g.getClip();
            g.setClip(LEFT, TOP, pw + 1, ph + 1);
            for (int ci = CURVES.size() - 1; ci >= 0; ci--) {
                Curve c = CURVES.get(ci);
                g.setColor(c.color());
                g.setStroke(new BasicStroke(c.width(), BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
                g.draw(path(rows, c, x0, x1, pw, dLo, dHi, ph));
            }
            g.setClip(clip);
            try {
                labels(g, rows, xt, x0, x1, pw, ph, dLo, dHi);
            } catch (RuntimeException | Error e) {
                // no usable font on this machine: the curves alone are still worth having
            }
        } finally {
            g.dispose();
        }
        return img;
    }

    private static void labels(Graphics2D g, List<LossLog.Row> rows, long[] xt, long x0, long x1, int pw, int ph,
            double dLo, double dHi) {
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        FontMetrics fm = g.getFontMetrics();
        g.setColor(Color.BLACK);
        for (double d = dLo; d <= dHi; d++) {
            int y = yOf(d, dLo, dHi, ph);
            String s = "1e" + (int) d;
            g.drawString(s, LEFT - 8 - fm.stringWidth(s), y + fm.getAscent() / 2 - 1);
        }
        for (long t : xt) {
            int x = xOf(t, x0, x1, pw);
            String s = Long.toString(t);
            g.drawString(s, x - fm.stringWidth(s) / 2, TOP + ph + 6 + fm.getAscent());
        }
        String xl = "iteration";
        g.drawString(xl, LEFT + pw / 2 - fm.stringWidth(xl) / 2, HEIGHT - 14);
        java.awt.geom.AffineTransform t = g.getTransform();
        g.rotate(-Math.PI / 2);
        String yl = "loss (log scale)";
        g.drawString(yl, -(TOP + ph / 2) - fm.stringWidth(yl) / 2, 22);
        g.setTransform(t);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        LossLog.Row last = rows.isEmpty() ? null : rows.get(rows.size() - 1);
        String title = "AdaIN decoder training" + (last == null ? ""
                : String.format(Locale.ROOT, ": %d iteration%s, last total loss %.4g", last.iteration(),
                        last.iteration() == 1 ? "" : "s", last.total()));
        g.drawString(title, LEFT, 26);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        int ly = TOP + 10;
        for (Curve c : CURVES) {
            g.setColor(c.color());
            g.setStroke(new BasicStroke(Math.max(2f, c.width())));
            g.drawLine(LEFT + pw + 16, ly, LEFT + pw + 40, ly);
            g.setColor(Color.BLACK);
            g.drawString(c.label(), LEFT + pw + 46, ly + fm.getAscent() / 2 - 1);
            ly += 20;
        }
        g.setColor(Color.DARK_GRAY);
        g.drawString("terms unweighted;", LEFT + pw + 16, ly + 10);
        g.drawString("total = content weight ·", LEFT + pw + 16, ly + 26);
        g.drawString("content + style weight ·", LEFT + pw + 16, ly + 42);
        g.drawString("style", LEFT + pw + 16, ly + 58);
    }

    /** One point per pixel column: the geometric mean of the positive values that fall on it. */
    private static Path2D path(List<LossLog.Row> rows, Curve c, long x0, long x1, int pw, double dLo, double dHi,
            int ph) {
        Path2D.Double p = new Path2D.Double();
        int col = Integer.MIN_VALUE;
        double sum = 0;
        int n = 0;
        boolean started = false;
        for (int i = 0; i <= rows.size(); i++) {
            int x = i < rows.size() ? xOf(rows.get(i).iteration(), x0, x1, pw) : Integer.MAX_VALUE;
            if (x != col && n > 0) {
                double px = col;
                double py = yOf(sum / n, dLo, dHi, ph);
                if (started) {
                    p.lineTo(px, py);
                } else {
                    p.moveTo(px, py);
                    started = true;
                }
                sum = 0;
                n = 0;
            }
            col = x;
            if (i < rows.size()) {
                double v = c.value().applyAsDouble(rows.get(i));
                if (v > 0 && Double.isFinite(v)) {
                    sum += Math.log10(v);
                    n++;
                }
            }
        }
        if (rows.size() == 1 && started) {
            // a single point: a short tick so it shows
            double py = yOf(Math.log10(Math.max(1e-300, c.value().applyAsDouble(rows.get(0)))), dLo, dHi, ph);
            p.moveTo(LEFT, py);
            p.lineTo(LEFT + 6, py);
        }
        return p;
    }

    private static int xOf(long it, long x0, long x1, int pw) {
        return LEFT + (int) Math.round((double) (it - x0) / (x1 - x0) * pw);
    }

    private static int yOf(double log10, double dLo, double dHi, int ph) {
        return TOP + (int) Math.round((dHi - log10) / (dHi - dLo) * ph);
    }

    /** About five round tick values (1, 2 or 5 × 10^k apart) between x0 and x1. */
    static long[] ticks(long x0, long x1) {
        double span = x1 - x0;
        double raw = span / 5;
        double mag = Math.pow(10, Math.floor(Math.log10(Math.max(raw, 1))));
        double step = mag;
        for (double m : new double[] {1, 2, 5, 10}) {
            if (m * mag >= raw) {
                step = m * mag;
                break;
            }
        }
        long s = Math.max(1, (long) step);
        long first = ((x0 + s - 1) / s) * s;
        int n = (int) ((x1 - first) / s) + 1;
        long[] out = new long[Math.max(0, n)];
        for (int i = 0; i < out.length; i++) {
            out[i] = first + i * s;
        }
        return out;
    }
}
