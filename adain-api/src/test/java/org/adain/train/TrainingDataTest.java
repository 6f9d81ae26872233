package org.adain.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.adain.ImageTensor;
import org.adain.InvalidRequestException;
import org.adain.spi.Tensor;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingDataTest {
    private static final BatchLoader.Plan PLAN = new BatchLoader.Plan(7, 2, DecoderTrainer.Transform.PORT, 32, 16);

    @Test
    void portResizesBothSidesThenCropsRandomly() {
        ImageTensor img = ImageTensor.fromImage(TrainingFixtures.rgb(70, 40, 1));
        ImageTensor out = TrainingData.transform(img, DecoderTrainer.Transform.PORT, 32, 16, new SplittableRandom(5));
        assertThat(out.width()).isEqualTo(16);
        assertThat(out.height()).isEqualTo(16);
        ImageTensor resized = img.resizeTo(32, 32);
        SplittableRandom same = new SplittableRandom(5);
        int top = same.nextInt(32 - 16 + 1);
        int left = same.nextInt(32 - 16 + 1);
        assertThat(out).isEqualTo(resized.crop(top, left, 16, 16));
    }

    @Test
    void paperKeepsTheAspectThenCropsRandomly() {
        ImageTensor img = ImageTensor.fromImage(TrainingFixtures.rgb(70, 40, 2));
        ImageTensor resized = img.resize(32, false);
        assertThat(resized.height()).isEqualTo(32);
        assertThat(resized.width()).isEqualTo(56); // int(32 · 70 / 40)
        for (long seed = 0; seed < 20; seed++) {
            ImageTensor out = TrainingData.transform(img, DecoderTrainer.Transform.PAPER, 32, 16,
                    new SplittableRandom(seed));
            SplittableRandom same = new SplittableRandom(seed);
            int top = same.nextInt(32 - 16 + 1);
            int left = same.nextInt(56 - 16 + 1);
            assertThat(out).isEqualTo(resized.crop(top, left, 16, 16));
        }
        // crop = size on the square side: the only offset is 0
        ImageTensor whole = TrainingData.transform(img, DecoderTrainer.Transform.PORT, 16, 16, new SplittableRandom(1));
        assertThat(whole).isEqualTo(img.resizeTo(16, 16));
    }

    @Test
    void greyRgbaAndPaletteFilesBecomeRgb(@TempDir Path dir) {
        Path grey = TrainingFixtures.png(TrainingFixtures.grey(20, 12), dir.resolve("grey.png"));
        Path rgba = TrainingFixtures.png(TrainingFixtures.rgba(20, 12), dir.resolve("rgba.png"));
        Path pal = TrainingFixtures.png(TrainingFixtures.palette(20, 12), dir.resolve("palette.png"));
        ImageTensor g = TrainingData.read(grey);
        assertThat(g.get(0, 3, 5)).isEqualTo(((5 * 9 + 3 * 3) % 256) / 255f);
        assertThat(g.get(1, 3, 5)).isEqualTo(g.get(0, 3, 5));
        assertThat(g.get(2, 3, 5)).isEqualTo(g.get(0, 3, 5));
        ImageTensor a = TrainingData.read(rgba); // alpha dropped, not composited
        assertThat(a.get(0, 4, 6)).isEqualTo(30 / 255f);
        assertThat(a.get(1, 4, 6)).isEqualTo(28 / 255f);
        assertThat(a.get(2, 4, 6)).isEqualTo(200 / 255f);
        ImageTensor p = TrainingData.read(pal);
        assertThat(new float[] {p.get(0, 0, 0), p.get(1, 0, 0), p.get(2, 0, 0)}).containsExactly(1f, 0f, 0f);
        assertThat(new float[] {p.get(0, 0, 5), p.get(1, 0, 5), p.get(2, 0, 5)}).containsExactly(0f, 1f, 0f);
        // and through the loader: all three usable in a batch of 3×16×16 samples
        TrainingData data = TrainingData.scan(dir, "content");
        BatchLoader.Plan plan = new BatchLoader.Plan(1, 3, DecoderTrainer.Transform.PAPER, 16, 16);
        try (BatchLoader l = new BatchLoader(data, data, plan, 0, 0, 1, 1)) {
            BatchLoader.Batch b = l.next();
            assertThat(b.contents().shape()).containsExactly(3, 3, 16, 16);
            assertThat(b.skips()).isEmpty();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void scanFindsImagesInSubdirectoriesSortedAndIgnoresOthers(@TempDir Path dir) {
        TrainingFixtures.png(TrainingFixtures.rgb(10, 10, 0), dir.resolve("b.png"));
        TrainingFixtures.png(TrainingFixtures.rgb(10, 10, 0), dir.resolve("sub/a.PNG"));
        TrainingFixtures.text(dir.resolve("notes.txt"), "not an image");
        TrainingFixtures.text(dir.resolve("._b.jpg"), "macOS resource fork");
        TrainingFixtures.png(TrainingFixtures.rgb(10, 10, 0), dir.resolve(".hidden/c.png"));
        TrainingData d = TrainingData.scan(dir, "style");
        assertThat(d.files()).containsExactly(dir.resolve("b.png"), dir.resolve("sub/a.PNG"));
    }

    @Test
    void badDirectoriesGiveClearErrorsNamingThem(@TempDir Path dir) throws Exception {
        Path missing = dir.resolve("missing");
        assertThatThrownBy(() -> TrainingData.scan(missing, "content")).isInstanceOf(InvalidRequestException.class)
                .hasMessage("The content directory " + missing + " does not exist");
        Path empty = Files.createDirectories(dir.resolve("empty"));
        TrainingFixtures.text(empty.resolve("readme.txt"), "no images here");
        assertThatThrownBy(() -> TrainingData.scan(empty, "style")).isInstanceOf(InvalidRequestException.class)
                .hasMessageStartingWith("The style directory " + empty + " holds no images")
                .hasMessageContaining(".jpg");
        Path file = TrainingFixtures.text(dir.resolve("file.png"), "x");
        assertThatThrownBy(() -> TrainingData.scan(file, "content")).isInstanceOf(InvalidRequestException.class)
                .hasMessage("The content directory " + file + " is not a directory");
        assertThatThrownBy(() -> TrainingData.scan(null, "content")).isInstanceOf(InvalidRequestException.class)
                .hasMessage("No content directory given");
    }

    @Test
    void unreadableDirectoryIsAClearError(@TempDir Path dir) throws Exception {
        Path locked = TrainingFixtures.imageDir(dir.resolve("locked"), "c", 1);
        Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("---------"));
        try {
            Assumptions.assumeFalse(Files.isReadable(locked), "running as root: permissions are not enforced");
            assertThatThrownBy(() -> TrainingData.scan(locked, "content")).isInstanceOf(InvalidRequestException.class)
                    .hasMessage("The content directory " + locked + " cannot be read (permission denied)");
        } finally {
            Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("rwx------"));
        }
    }

    @Test
    void unreadableFilesAreSkippedWithAWarningAndCounted(@TempDir Path dir) throws Exception {
        Path c = TrainingFixtures.imageDir(dir.resolve("c"), "c", 3);
        TrainingFixtures.truncated(c.resolve("c_9_truncated.png"));
        TrainingFixtures.text(c.resolve("c_8_text.jpg"), "this is not a JPEG");
        Path s = TrainingFixtures.imageDir(dir.resolve("s"), "s", 2);
        TrainingData contents = TrainingData.scan(c, "content");
        TrainingData styles = TrainingData.scan(s, "style");
        assertThat(contents.size()).isEqualTo(5);
        List<BatchLoader.Skip> skips = new ArrayList<>();
        try (BatchLoader l = new BatchLoader(contents, styles, PLAN, 0, 0, 1, 2)) {
            for (int i = 0; i < 6; i++) { // 12 contents: more than two passes over the 5 files
                BatchLoader.Batch b = l.next();
                assertThat(b.contents().shape()).containsExactly(2, 3, 16, 16);
                skips.addAll(b.skips());
            }
        }
        assertThat(skips).extracting(BatchLoader.Skip::file).containsExactlyInAnyOrder(
                c.resolve("c_9_truncated.png"), c.resolve("c_8_text.jpg"));
        assertThat(skips).extracting(BatchLoader.Skip::skippedSoFar).containsExactly(1, 2);
        assertThat(skips).allSatisfy(k -> assertThat(k.reason()).contains(k.file().getFileName().toString()));
        assertThat(contents.badCount()).isEqualTo(2);
    }

    @Test
    void aDirectoryWithoutAnyReadableImageFailsNamingIt(@TempDir Path dir) {
        Path c = dir.resolve("c");
        TrainingFixtures.truncated(c.resolve("a.png"));
        TrainingFixtures.text(c.resolve("b.jpg"), "nope");
        Path s = TrainingFixtures.imageDir(dir.resolve("s"), "s", 2);
        TrainingData contents = TrainingData.scan(c, "content");
        try (BatchLoader l = new BatchLoader(contents, TrainingData.scan(s, "style"), PLAN, 0, 0, 1, 1)) {
            l.start();
            assertThatThrownBy(l::take).isInstanceOf(InvalidRequestException.class)
                    .hasMessageStartingWith("None of the 2 image files in the content directory " + c + " can be read");
        }
    }

    @Test
    void batchesDependOnTheSeedAndCursorOnlyNotOnThreads(@TempDir Path dir) throws Exception {
        Path c = TrainingFixtures.imageDir(dir.resolve("c"), "c", 5);
        Path s = TrainingFixtures.imageDir(dir.resolve("s"), "s", 3);
        TrainingData contents = TrainingData.scan(c, "content");
        TrainingData styles = TrainingData.scan(s, "style");
        List<BatchLoader.Batch> one = new ArrayList<>();
        try (BatchLoader l = new BatchLoader(contents, styles, PLAN, 0, 0, 2, 1).start()) {
            for (int i = 0; i < 5; i++) {
                one.add(l.take());
            }
        }
        try (BatchLoader l = new BatchLoader(contents, styles, PLAN, 0, 0, 1, 3).start()) {
            for (int i = 0; i < 5; i++) {
                BatchLoader.Batch b = l.take();
                assertThat(b.contents()).isEqualTo(one.get(i).contents());
                assertThat(b.styles()).isEqualTo(one.get(i).styles());
                assertThat(b.contentCursor()).isEqualTo(one.get(i).contentCursor());
            }
        }
        // resuming from the cursors after batch 1 gives batches 2, 3, 4 again
        BatchLoader.Batch after1 = one.get(1);
        try (BatchLoader l = new BatchLoader(contents, styles, PLAN, after1.contentCursor(), after1.styleCursor(), 1,
                2)) {
            for (int i = 2; i < 5; i++) {
                BatchLoader.Batch b = l.next();
                assertThat(b.contents()).isEqualTo(one.get(i).contents());
                assertThat(b.styles()).isEqualTo(one.get(i).styles());
            }
        }
        // another seed, another sequence
        BatchLoader.Plan other = new BatchLoader.Plan(8, 2, DecoderTrainer.Transform.PORT, 32, 16);
        try (BatchLoader l = new BatchLoader(contents, styles, other, 0, 0, 1, 1)) {
            Tensor first = l.next().contents();
            assertThat(first).isNotEqualTo(one.get(0).contents());
        }
    }

    @Test
    void eachPassVisitsEveryFileOnceInASeededOrder() {
        int[] p = TrainingData.permutation(3, 0, 0, 10);
        int[] sorted = p.clone();
        Arrays.sort(sorted);
        assertThat(sorted).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
        assertThat(TrainingData.permutation(3, 0, 0, 10)).containsExactly(p);
        assertThat(TrainingData.permutation(3, 0, 1, 10)).isNotEqualTo(p);
        assertThat(TrainingData.permutation(3, 1, 0, 10)).isNotEqualTo(p);
    }
}
