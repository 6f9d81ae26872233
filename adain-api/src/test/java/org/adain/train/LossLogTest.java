package org.adain.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.adain.AdainException;
import org.adain.spi.LossTerms;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LossLogTest {
    static LossLog.Row row(long it, double content) {
        return LossLog.Row.of(it, new LossTerms(content, new double[] {0.1 * it, 0.2, 0.3, 1e-7}), 1, 10, 1e-4 / it,
                0.5 * it);
    }

    @Test
    void readsBackExactlyWhatTheWriterWrote(@TempDir Path dir) {
        Path csv = dir.resolve("losses.csv");
        try (LossLogWriter w = LossLogWriter.open(csv, 0)) {
            w.append(row(1, 2.3125));
            w.append(row(2, 1.0 / 3));
        }
        List<LossLog.Row> rows = LossLog.read(csv);
        assertThat(rows).containsExactly(row(1, 2.3125), row(2, 1.0 / 3));
        LossLog.Row r = rows.get(1);
        assertThat(r.iteration()).isEqualTo(2);
        assertThat(r.content()).isEqualTo(1.0 / 3); // Double.toString reads back exactly
        assertThat(r.styleLayers()).containsExactly(0.2, 0.2, 0.3, 1e-7);
        assertThat(r.style()).isEqualTo(0.2 + 0.2 + 0.3 + 1e-7);
        assertThat(r.total()).isEqualTo(1.0 / 3 + 10 * (0.2 + 0.2 + 0.3 + 1e-7));
        assertThat(r.lr()).isEqualTo(1e-4 / 2);
        assertThat(r.seconds()).isEqualTo(1.0);
        assertThatThrownBy(() -> rows.add(row(3, 1))).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void aRowBeingWrittenIsLeftOutAndAnEmptyLogHasNoRows(@TempDir Path dir) throws Exception {
        Path csv = dir.resolve("losses.csv");
        try (LossLogWriter w = LossLogWriter.open(csv, 0)) {
            assertThat(LossLog.read(csv)).isEmpty();
            w.append(row(1, 2));
        }
        Files.writeString(csv, "2,1.5,0.", java.nio.file.StandardOpenOption.APPEND);
        assertThat(LossLog.read(csv)).containsExactly(row(1, 2));
        Files.writeString(csv, LossLog.HEADER);
        assertThat(LossLog.read(csv)).isEmpty();
        Files.writeString(csv, LossLog.HEADER + "\r\n" + row(1, 2).csv() + "\r\n");
        assertThat(LossLog.read(csv)).containsExactly(row(1, 2));
    }

    @Test
    void aFileThatIsNoLossLogIsRefusedByName(@TempDir Path dir) throws Exception {
        Path missing = dir.resolve("nope.csv");
        assertThatThrownBy(() -> LossLog.read(missing)).isInstanceOf(AdainException.class)
                .hasMessage("Loss log " + missing + " does not exist");
        assertThatThrownBy(() -> LossLog.read(dir)).isInstanceOf(AdainException.class)
                .hasMessageContaining("is not a regular file");
        Path other = Files.writeString(dir.resolve("other.csv"), "a,b,c\n1,2,3\n");
        assertThatThrownBy(() -> LossLog.read(other)).isInstanceOf(AdainException.class)
                .hasMessageContaining(other.toString()).hasMessageContaining("found 'a,b,c'");
        Path bad = Files.writeString(dir.resolve("bad.csv"), LossLog.HEADER + "\n" + row(1, 2).csv() + "\n"
                + "2,x,0,0,0,0,0,0,0,0\n" + row(3, 2).csv() + "\n");
        assertThatThrownBy(() -> LossLog.read(bad)).isInstanceOf(AdainException.class)
                .hasMessageContaining(bad + ", line 3").hasMessageContaining("\"x\"");
        Path shortRow = Files.writeString(dir.resolve("short.csv"), LossLog.HEADER + "\n1,2,3\n");
        assertThatThrownBy(() -> LossLog.read(shortRow)).isInstanceOf(AdainException.class)
                .hasMessageContaining("line 2").hasMessageContaining("got 3");
    }

    @Test
    void rowsCopyTheirStyleTerms() {
        double[] layers = {1, 2, 3, 4};
        LossLog.Row r = new LossLog.Row(1, 0, layers, 10, 100, 1e-4, 1);
        layers[0] = 9;
        r.styleLayers()[1] = 9;
        assertThat(r.styleLayers()).containsExactly(1, 2, 3, 4);
        assertThatThrownBy(() -> new LossLog.Row(1, 0, new double[3], 0, 0, 0, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("got 3");
    }
}
