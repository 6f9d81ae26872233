package org.adain;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.adain.spi.LossTerms;

/**
 * The loss log, {@code losses.csv}: a header row, then one row per iteration, flushed as it is written.
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
 */
final class LossLog implements AutoCloseable {
    static final String HEADER = "iteration,content_loss,style_loss_relu1_1,style_loss_relu2_1,style_loss_relu3_1,"
            + "style_loss_relu4_1,style_loss,total_loss,lr,seconds";

    /** One logged iteration. */
    record Row(long iteration, double content, double[] styleLayers, double style, double total, double lr,
            double seconds) {
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
            if (f.length != 10) {
                throw new IllegalArgumentException("expected 10 columns, got " + f.length);
            }
            double[] layers = new double[4];
            for (int i = 0; i < 4; i++) {
                layers[i] = Double.parseDouble(f[2 + i]);
            }
            return new Row(Long.parseLong(f[0]), Double.parseDouble(f[1]), layers, Double.parseDouble(f[6]),
                    Double.parseDouble(f[7]), Double.parseDouble(f[8]), Double.parseDouble(f[9]));
        }
    }

    private final Path file;
    private final List<Row> rows;
    private BufferedWriter out;

    private LossLog(Path file, List<Row> rows, BufferedWriter out) {
        this.file = file;
        this.rows = rows;
        this.out = out;
    }

    /**
     * Opens the log for a run that has done {@code doneIterations} steps: a fresh file when 0, otherwise the
     * existing rows up to that iteration are kept (the file is rewritten atomically without the later ones).
     */
    static LossLog open(Path file, long doneIterations) {
        List<Row> kept = new ArrayList<>();
        try {
            if (doneIterations > 0 && Files.isRegularFile(file)) {
                List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
                for (int i = 1; i < lines.size(); i++) {
                    String line = lines.get(i).strip();
                    if (line.isEmpty()) {
                        continue;
                    }
                    try {
                        Row r = Row.parse(line);
                        if (r.iteration() <= doneIterations) {
                            kept.add(r);
                        }
                    } catch (IllegalArgumentException e) {
                        // a row cut short by a crash: dropped
                    }
                }
            }
            Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), ".losses-", ".tmp");
            try (BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                w.write(HEADER);
                w.newLine();
                for (Row r : kept) {
                    w.write(r.csv());
                    w.newLine();
                }
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
            return new LossLog(file, kept, w);
        } catch (IOException e) {
            throw new AdainException("Cannot write the loss log " + file + ": " + e, e);
        }
    }

    void append(Row r) {
        rows.add(r);
        try {
            out.write(r.csv());
            out.newLine();
            out.flush();
        } catch (IOException e) {
            throw new AdainException("Cannot write the loss log " + file + ": " + e, e);
        }
    }

    List<Row> rows() {
        return Collections.unmodifiableList(rows);
    }

    Path file() {
        return file;
    }

    @Override
    public void close() {
        if (out != null) {
            try {
                out.close();
            } catch (IOException ignored) {
                // every row was flushed when written
            }
            out = null;
        }
    }
}
