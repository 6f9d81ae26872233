package org.adain.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.adain.AdainException;
import org.adain.spi.ConvLayer;
import org.adain.spi.DecoderWeights;
import org.adain.spi.Tensor;
import org.adain.spi.TrainingState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointsTest {
    static Checkpoints.Checkpoint checkpoint(long iteration) {
        DecoderWeights w = DecoderTrainer.freshDecoder(TrainingFixtures.encoder(), iteration);
        List<Tensor[]> m = new ArrayList<>();
        List<Tensor[]> v = new ArrayList<>();
        for (ConvLayer c : w.convs()) {
            float[] k = c.kernelOihw();
            k[0] = -0.0f;
            k[1] = Float.MIN_VALUE; // subnormal: must survive bit for bit
            m.add(new Tensor[] {Tensor.of(k, c.outChannels(), c.inChannels(), 3, 3),
                Tensor.of(c.bias(), c.outChannels())});
            float[] sq = c.kernelOihw();
            for (int i = 0; i < sq.length; i++) {
                sq[i] *= sq[i];
            }
            v.add(new Tensor[] {Tensor.of(sq, c.outChannels(), c.inChannels(), 3, 3),
                Tensor.of(c.bias(), c.outChannels())});
        }
        TreeMap<String, String> settings = new TreeMap<>();
        settings.put("batch", "8");
        settings.put("transform", "PORT");
        return new Checkpoints.Checkpoint(new TrainingState(iteration, w, m, v), 42, 3 * iteration, 5 * iteration,
                1.5 * iteration, settings);
    }

    static void assertSame(Checkpoints.Checkpoint a, Checkpoints.Checkpoint b) {
        assertThat(b.iteration()).isEqualTo(a.iteration());
        assertThat(b.seed()).isEqualTo(a.seed());
        assertThat(b.contentCursor()).isEqualTo(a.contentCursor());
        assertThat(b.styleCursor()).isEqualTo(a.styleCursor());
        assertThat(b.elapsedSeconds()).isEqualTo(a.elapsedSeconds());
        assertThat(b.settings()).isEqualTo(a.settings());
        for (int k = 0; k < DecoderWeights.CONV_COUNT; k++) {
            ConvLayer x = a.state().weights().convs().get(k);
            ConvLayer y = b.state().weights().convs().get(k);
            assertThat(y.name()).isEqualTo(x.name());
            assertThat(bits(y.kernelOihw())).containsExactly(bits(x.kernelOihw()));
            assertThat(bits(y.bias())).containsExactly(bits(x.bias()));
            for (int j = 0; j < 2; j++) {
                assertThat(b.state().firstMoments().get(k)[j].shape())
                        .containsExactly(a.state().firstMoments().get(k)[j].shape());
                assertThat(bits(b.state().firstMoments().get(k)[j].toArray()))
                        .containsExactly(bits(a.state().firstMoments().get(k)[j].toArray()));
                assertThat(bits(b.state().secondMoments().get(k)[j].toArray()))
                        .containsExactly(bits(a.state().secondMoments().get(k)[j].toArray()));
            }
        }
    }

    static int[] bits(float[] v) {
        int[] b = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = Float.floatToRawIntBits(v[i]);
        }
        return b;
    }

    static List<String> names(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void roundTripIsBitExact(@TempDir Path dir) {
        Checkpoints.Checkpoint c = checkpoint(12);
        Path f = Checkpoints.write(dir, c, 3);
        assertThat(f.getFileName().toString()).isEqualTo("checkpoint-000000012.adain");
        assertSame(c, Checkpoints.read(f));
    }

    @Test
    void keepsTheNewestKAndLeavesNoTemporaryFiles(@TempDir Path dir) throws Exception {
        for (long it = 10; it <= 50; it += 10) {
            Checkpoints.write(dir, checkpoint(it), 2);
        }
        assertThat(names(dir)).containsExactly("checkpoint-000000040.adain", "checkpoint-000000050.adain");
    }

    @Test
    void aCrashMidWriteLeavesThePreviousCheckpointUsable(@TempDir Path dir) throws Exception {
        Checkpoints.write(dir, checkpoint(10), 3);
        // what a crash during the next write leaves: a partial temporary file, never a partial checkpoint
        byte[] partial = Files.readAllBytes(dir.resolve("checkpoint-000000010.adain"));
        Files.write(dir.resolve(".checkpoint-123.tmp"), java.util.Arrays.copyOf(partial, partial.length / 3));
        List<String> warnings = new ArrayList<>();
        Path[] found = new Path[1];
        Checkpoints.Checkpoint c = Checkpoints.latest(dir, warnings::add, found);
        assertThat(c.iteration()).isEqualTo(10);
        assertThat(warnings).isEmpty();
        // the next successful write removes the leftover
        Checkpoints.write(dir, checkpoint(20), 3);
        assertThat(names(dir)).containsExactly("checkpoint-000000010.adain", "checkpoint-000000020.adain");
    }

    @Test
    void aDamagedNewestCheckpointFallsBackToTheOlderOneWithAWarning(@TempDir Path dir) throws Exception {
        Checkpoints.write(dir, checkpoint(10), 3);
        Path newest = Checkpoints.write(dir, checkpoint(20), 3);
        byte[] b = Files.readAllBytes(newest);
        b[b.length / 2] ^= 0x40; // one flipped bit
        Files.write(newest, b);
        assertThatThrownBy(() -> Checkpoints.read(newest)).isInstanceOf(AdainException.class)
                .hasMessageContaining(newest.toString()).hasMessageContaining("checksum mismatch");
        List<String> warnings = new ArrayList<>();
        Path[] found = new Path[1];
        Checkpoints.Checkpoint c = Checkpoints.latest(dir, warnings::add, found);
        assertThat(c.iteration()).isEqualTo(10);
        assertThat(found[0].getFileName().toString()).isEqualTo("checkpoint-000000010.adain");
        assertThat(warnings).singleElement().asString().contains("checkpoint-000000020.adain");

        Files.write(newest, java.util.Arrays.copyOf(b, 100)); // truncated
        assertThatThrownBy(() -> Checkpoints.read(newest)).isInstanceOf(AdainException.class)
                .hasMessageContaining("checksum mismatch");
        Path notOne = Files.writeString(dir.resolve("checkpoint-000000030.adain"), "hello, not a checkpoint file");
        assertThatThrownBy(() -> Checkpoints.read(notOne)).hasMessageContaining("not an adain checkpoint");
    }

    @Test
    void noCheckpointDirectoryMeansNoCheckpoint(@TempDir Path dir) {
        assertThat(Checkpoints.latest(dir.resolve("none"), w -> { }, null)).isNull();
        assertThat(Checkpoints.list(dir.resolve("none"))).isEmpty();
    }
}
