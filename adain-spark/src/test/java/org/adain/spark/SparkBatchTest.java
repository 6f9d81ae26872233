package org.adain.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.adain.examples.cli.AdainCli;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Spark job in local mode (2 threads, each task tried at most twice) on 50 generated images and 3 corrupt ones:
 * the same bytes as adain batch, exactly one output per image after a retried task, nothing rewritten by a second
 * run.
 */
class SparkBatchTest {
    static final String TESTKIT = "org/adain/testkit/reference/";
    static final int GOOD = 50;

    @TempDir
    static Path dir;
    static SparkSession spark;
    static Path encoder;
    static Path decoder;
    static Path style;
    static Path photos;

    @BeforeAll
    static void start() throws IOException {
        encoder = copy("models/encoder_tf2.h5");
        decoder = copy("models/decoder_tf2.h5");
        style = copy("images/style_0.png");
        photos = dir.resolve("photos");
        Random random = new Random(11);
        for (int i = 0; i < GOOD; i++) {
            int w = 24 + random.nextInt(40);
            int h = 24 + random.nextInt(40);
            BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    img.setRGB(x, y, random.nextInt(1 << 24));
                }
            }
            Path f = photos.resolve("set" + i % 3 + "/sub" + i % 2 + "/img" + i + (i % 5 == 0 ? ".jpg" : ".png"));
            Files.createDirectories(f.getParent());
            ImageIO.write(img, i % 5 == 0 ? "jpeg" : "png", f.toFile());
        }
        byte[] png = Files.readAllBytes(photos.resolve("set1/sub1/img1.png"));
        Files.write(photos.resolve("set0/truncated.png"), java.util.Arrays.copyOf(png, png.length / 2));
        Files.writeString(photos.resolve("set1/text.jpg"), "not a jpeg");
        Files.write(photos.resolve("set2/empty.png"), new byte[0]);
        spark = SparkSession.builder().master("local[2,2]").appName("adain-spark-test")
                .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1").getOrCreate();
    }

    @AfterAll
    static void stop() {
        if (spark != null) {
            spark.stop();
        }
    }

    @AfterEach
    void noHook() {
        ExecutorTask.beforeRename = null;
    }

    static Path copy(String resource) throws IOException {
        Path target = dir.resolve(Path.of(resource).getFileName().toString());
        try (InputStream in = SparkBatchTest.class.getClassLoader().getResourceAsStream(TESTKIT + resource)) {
            Files.copy(in, target);
        }
        return target;
    }

    static SparkBatch job(Path out) {
        return SparkBatch.builder().encoder(encoder.toString()).decoder(decoder.toString())
                .content(photos.toUri().toString()).style("s", style.toString()).output(out.toUri().toString())
                .contentSize(0).styleSize(0).partitions(6).build();
    }

    /** Relative path → bytes of every file under root. */
    static Map<String, byte[]> files(Path root) throws IOException {
        Map<String, byte[]> all = new HashMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                all.put(root.relativize(p).toString().replace('\\', '/'), Files.readAllBytes(p));
            }
        }
        return all;
    }

    @Test
    void outputsEqualAdainBatchByteForByteAndTheCorruptImagesAreReported() throws IOException {
        Path out = dir.resolve("out-spark");
        SparkBatch.Result r = job(out).run(spark);

        assertThat(r.stylized()).isEqualTo(GOOD);
        assertThat(r.failed()).isEqualTo(3);
        assertThat(r.skipped()).isZero();
        assertThat(r.pixels()).isPositive();
        Path cliOut = dir.resolve("out-cli");
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        int code = AdainCli.run(new String[] {"batch", "--encoder", encoder.toString(), "--decoder",
            decoder.toString(), "--content", photos.toString(), "--style", "s=" + style, "--content-size", "0",
            "--style-size", "0", "--output", cliOut.toString(), "-q"}, new PrintStream(stdout, true,
                StandardCharsets.UTF_8), new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        assertThat(code).isEqualTo(AdainCli.EXIT_SOME_FAILED);

        Map<String, byte[]> spark = files(out);
        Map<String, byte[]> cli = files(cliOut);
        assertThat(spark.keySet()).isEqualTo(cli.keySet()).hasSize(GOOD + 1).contains("failures.csv");
        for (String name : cli.keySet()) {
            if (!name.equals("failures.csv")) {
                assertThat(spark.get(name)).as(name).isEqualTo(cli.get(name));
            }
        }
        List<String> rows = Files.readAllLines(out.resolve("failures.csv"));
        assertThat(rows).hasSize(4);
        assertThat(rows.get(0)).isEqualTo("path,error");
        assertThat(String.join("\n", rows)).contains("truncated.png", "text.jpg", "empty.png");
    }

    @Test
    void aTaskThatFailsOnceIsRetriedAndLeavesExactlyOneOutputPerImage() throws IOException {
        Path out = dir.resolve("out-retry");
        Set<String> failedOnce = ConcurrentHashMap.newKeySet();
        // After the temporary file is written, before the rename: the worst moment for a task to die.
        ExecutorTask.beforeRename = target -> {
            if (target.endsWith("img7__s.png") && failedOnce.add(target)) {
                throw new IllegalStateException("injected failure, first attempt only");
            }
        };
        SparkBatch.Result r = job(out).run(spark);

        assertThat(failedOnce).hasSize(1);
        assertThat(r.stylized() + r.skipped()).isEqualTo(GOOD);
        assertThat(r.failed()).isEqualTo(3);
        Map<String, byte[]> written = files(out);
        assertThat(written).hasSize(GOOD + 1);
        assertThat(written.keySet()).allMatch(n -> n.equals("failures.csv") || n.contains("__s."));
        assertThat(written.keySet()).noneMatch(n -> n.contains(".adain-"));
    }

    @Test
    void aSecondRunWritesNothingNewAndRemovesLeftoverTemporaryFiles() throws IOException {
        Path out = dir.resolve("out-twice");
        job(out).run(spark);
        Map<String, FileTime> times = new HashMap<>();
        try (Stream<Path> s = Files.walk(out)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                times.put(p.toString(), Files.getLastModifiedTime(p));
            }
        }
        Path leftover = out.resolve("set0/.adain-img0__s.png-0-0-99.tmp");
        Files.write(leftover, new byte[] {1, 2, 3});

        SparkBatch.Result again = job(out).run(spark);

        assertThat(again.stylized()).isZero();
        assertThat(again.skipped()).isEqualTo(GOOD);
        assertThat(again.failed()).isEqualTo(3);
        assertThat(leftover).doesNotExist();
        try (Stream<Path> s = Files.walk(out)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                if (!p.getFileName().toString().equals("failures.csv")) {
                    assertThat(Files.getLastModifiedTime(p)).as(p.toString()).isEqualTo(times.get(p.toString()));
                }
            }
        }
    }

    @Test
    void commandLineOfTheEntryPoint() {
        SparkBatch job = SparkBatchMain.parse(new String[] {"--encoder", "e.h5", "--decoder", "d.h5", "--content",
            "hdfs://nn:8020/photos", "--style", "mix=hdfs://nn:8020/a.png:3,b.png", "--output", "out", "--crop",
            "--tiling-threshold", "off"});
        assertThat(job.styles.get(0).name()).isEqualTo("mix");
        assertThat(job.styles.get(0).images()).containsExactly("hdfs://nn:8020/a.png", "b.png");
        assertThat(job.styles.get(0).weights()).containsExactly(3.0, 1.0);
        assertThat(job.crop).isTrue();
        assertThat(job.tilingThreshold).isEqualTo(Long.MAX_VALUE);
        assertThat(SparkBatchMain.style("hdfs://nn:8020/art/starry.jpg").name()).isEqualTo("starry");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> SparkBatchMain.parse(new String[] {"--bogus",
            "x"})).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--bogus");
    }
}
