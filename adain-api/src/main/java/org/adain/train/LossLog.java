package org.adain.train;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.adain.AdainException;
import org.adain.spi.LossTerms;

/**
 * The loss log a training run writes, {@code OUT/losses.csv} ({@link DecoderTrainer#LOSSES_CSV}): the header
 * {@link #HEADER}, then one row per iteration, flushed as it is written.
 *
 * <pre>
 * iteration,content_loss,style_loss_relu1_1,style_loss_relu2_1,style_loss_relu3_1,style_loss_relu4_1,style_loss,total_loss,lr,seconds
 * 1,2.3125,0.0123,...
 * </pre>
 *
 * {@code iteration} counts steps from 1 (the row of step i, 0-based, has {@code iteration = i + 1} and
 * {@code lr = lr_i}, as the PyTorch port logs it); the loss columns are the step's forward-pass terms, unweighted
 * ({@code style_loss} is the sum of the four layers); {@code total_loss = content_weight · content_loss +
 * style_weight · style_loss}; {@code seconds} is the run's wall-clock time when the step ended, across resumes.
 * Numbers are written with {@link Double#toString}, which reads back exactly. On resume the rows after the
 * checkpoint's iteration (written before a crash, and about to be redone) are dropped.
 *
 * <p>{@link #read} reads it back, e.g. to plot the curves (the {@code adain train} command redraws
 * {@code losses.png} from it at every checkpoint):
 *
 * <pre>{@code
 * List<LossLog.Row> rows = LossLog.read(trainer.outputDirectory().resolve(DecoderTrainer.LOSSES_CSV));
 * double lastTotal = rows.get(rows.size() - 1).total();
 * }</pre>
 */
public final class LossLog {
    /** The header row: the names of the ten columns. */
    public static final String HEADER = "iteration,content_loss,style_loss_relu1_1,style_loss_relu2_1,"
            + "style_loss_relu3_1,style_loss_relu4_1,style_loss,total_loss,lr,seconds";

    private static final int COLUMNS = 10;

    private LossLog() {
    }

    /**
     * One logged iteration: a row of the file.
     *
     * @param iteration   steps done, 1 after the first
     * @param content     the content loss, unweighted
     * @param styleLayers the four style-loss terms (relu1_1, relu2_1, relu3_1, relu4_1), unweighted
     * @param style       their sum
     * @param total       {@code content_weight · content + style_weight · style}
     * @param lr          the learning rate the step used
     * @param seconds     the run's wall-clock time when the step ended, across resumes
     */
    public record Row(long iteration, double content, double[] styleLayers, double style, double total, double lr,
            double seconds) {
        /**
         * Checks and copies the style terms.
         *
         * @param iteration   steps done, 1 after the first
         * @param content     the content loss, unweighted
         * @param styleLayers the four style-loss terms, unweighted (copied)
         * @param style       their sum
         * @param total       the weighted total
         * @param lr          the learning rate the step used
         * @param seconds     the run's wall-clock time when the step ended
         * @throws IllegalArgumentException {@code styleLayers} does not hold 4 values
         */
        public Row {
            if (styleLayers.length != 4) {
                throw new IllegalArgumentException("Expected 4 style-loss terms (relu1_1..relu4_1), got "
                        + styleLayers.length);
            }
            styleLayers = styleLayers.clone();
        }

        /**
         * The four style-loss terms.
         *
         * @return a copy: relu1_1, relu2_1, relu3_1, relu4_1
         */
        @Override
        public double[] styleLayers() {
            return styleLayers.clone();
        }

        static Row of(long iteration, LossTerms l, double contentWeight, double styleWeight, double lr,
                double seconds) {
            return new Row(iteration, l.content(), l.styleLayers(), l.style(), l.total(contentWeight, styleWeight),
                    lr, seconds);
        }

        String csv() {
            StringBuilder sb = new StringBuilder().append(iteration).append(',').append(content);
            for (double v : styleLayers) {
                sb.append(',').append(v);
            }
            return sb.append(',').append(style).append(',').append(total).append(',').append(lr).append(',')
                    .append(seconds).toString();
        }

        static Row parse(String line) {
            String[] f = line.split(",", -1);
            if (f.length != COLUMNS) {
                throw new IllegalArgumentException("expected " + COLUMNS + " columns, got " + f.length);
            }
            double[] layers = new double[4];
            for (int i = 0; i < 4; i++) {
                layers[i] = Double.parseDouble(f[2 + i]);
            }
            return new Row(Long.parseLong(f[0]), Double.parseDouble(f[1]), layers, Double.parseDouble(f[6]),
                    Double.parseDouble(f[7]), Double.parseDouble(f[8]), Double.parseDouble(f[9]));
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Row r && r.iteration == iteration && Double.compare(r.content, content) == 0
                    && Arrays.equals(r.styleLayers, styleLayers) && Double.compare(r.style, style) == 0
                    && Double.compare(r.total, total) == 0 && Double.compare(r.lr, lr) == 0
                    && Double.compare(r.seconds, seconds) == 0;
        }

        @Override
        public int hashCode() {
            return Long.hashCode(iteration) * 31 + Arrays.hashCode(styleLayers) * 17 + Double.hashCode(total);
        }

        @Override
        public String toString() {
            return "LossLog.Row" + "[" + csv() + "]";
        }
    }

    /**
     * Reads a loss log. A last line without its line break is a row being written (the run is live, or crashed
     * mid-row) and is left out; an empty file, or one with only the header, gives no rows.
     *
     * @param file a {@code losses.csv}
     * @return its rows in file order, unmodifiable
     * @throws AdainException the file is missing or unreadable, its header is not {@link #HEADER}, or a complete
     *                        line is not a row (the message names the file and the line)
     */
    public static List<Row> read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new AdainException("Loss log " + file + (Files.exists(file) ? " is not a regular file"
                    : " does not exist"));
        }
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new AdainException("Cannot read the loss log " + file + ": " + e, e);
        }
        if (text.isEmpty()) {
            return List.of();
        }
        String[] lines = text.split("\r?\n", -1);
        // after the last line break comes "" (complete file) or a row still being written
        int complete = lines.length - 1;
        if (!lines[0].equals(HEADER)) {
            String first = lines[0].length() > 80 ? lines[0].substring(0, 80) + "…" : lines[0];
            throw new AdainException("Loss log " + file + " does not start with the header '" + HEADER
                    + "' (found '" + first + "')");
        }
        List<Row> rows = new ArrayList<>(complete);
        for (int i = 1; i < complete; i++) {
            if (lines[i].isBlank()) {
                continue;
            }
            try {
                rows.add(Row.parse(lines[i].strip()));
            } catch (IllegalArgumentException e) {
                throw new AdainException("Loss log " + file + ", line " + (i + 1) + " is not a row of "
                        + COLUMNS + " numbers: " + e.getMessage());
            }
        }
        return Collections.unmodifiableList(rows);
    }
}
