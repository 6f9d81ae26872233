package org.adain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BatchLayoutTest {
    @Test
    void outputPathKeepsTheDirectoryAndAWritableExtension() {
        assertThat(BatchLayout.outputPath("2024/june/beach.JPG", "night")).isEqualTo("2024/june/beach__night.JPG");
        assertThat(BatchLayout.outputPath("a.png", "s")).isEqualTo("a__s.png");
        assertThat(BatchLayout.outputPath("scan.bmp", "s")).isEqualTo("scan__s.png");
        assertThat(BatchLayout.outputPath("dir/no_extension", "s")).isEqualTo("dir/no_extension__s.png");
        assertThat(BatchLayout.outputPath("x.tar.jpeg", "s")).isEqualTo("x.tar__s.jpeg");
        assertThatThrownBy(() -> BatchLayout.outputPath("a.png", "a/b"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'a/b'");
        assertThatThrownBy(() -> BatchLayout.outputPath("dir/", "s")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void styleNames() {
        assertThat(BatchLayout.isStyleName("starry_night-2.v1")).isTrue();
        assertThat(BatchLayout.isStyleName("")).isFalse();
        assertThat(BatchLayout.isStyleName(".hidden")).isFalse();
        assertThat(BatchLayout.isStyleName("a b")).isFalse();
        assertThat(BatchLayout.isStyleName("x".repeat(65))).isFalse();
        assertThatThrownBy(() -> BatchLayout.isStyleName(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void failureRowsAreCsvWithPrintableErrors() {
        assertThat(BatchLayout.csvField("a/b.png")).isEqualTo("a/b.png");
        assertThat(BatchLayout.csvField("a,b")).isEqualTo("\"a,b\"");
        assertThat(BatchLayout.csvField("say \"hi\"")).isEqualTo("\"say \"\"hi\"\"\"");
        assertThat(BatchLayout.csvField("two\nlines")).isEqualTo("\"two\nlines\"");
        assertThat(BatchLayout.failureRow("in/a,b.png", "bad \u001b[31m byte, here"))
                .isEqualTo("\"in/a,b.png\",\"bad \\x1b[31m byte, here\"");
        assertThat(BatchLayout.failureRow("p", "e".repeat(2000))).hasSizeLessThan(BatchLayout.MAX_ERROR_CHARS + 10);
    }

    @Test
    void bytesInAndOutMatchTheFileMethods(@TempDir Path dir) throws Exception {
        BufferedImage img = ImagesTest.gradient(33, 21);
        for (String name : new String[] {"a.png", "b.jpg"}) {
            Path f = dir.resolve(name);
            Images.write(img, f);
            byte[] encoded = Images.encode(img, name);
            assertThat(encoded).as(name).isEqualTo(Files.readAllBytes(f));
            BufferedImage fromBytes = Images.read(encoded, "mem/" + name);
            BufferedImage fromFile = Images.read(f);
            assertThat(fromBytes.getWidth()).isEqualTo(33);
            assertThat(fromBytes.getRGB(5, 7)).isEqualTo(fromFile.getRGB(5, 7));
        }
        assertThatThrownBy(() -> Images.read(new byte[0], "hdfs://x/empty.png")).isInstanceOf(ImageException.class)
                .hasMessageContaining("hdfs://x/empty.png").hasMessageContaining("empty");
        byte[] png = Images.encode(img, "c.png");
        assertThatThrownBy(() -> Images.read(java.util.Arrays.copyOf(png, png.length / 2), "half.png"))
                .isInstanceOf(ImageException.class).hasMessageContaining("half.png");
        assertThatThrownBy(() -> Images.encode(img, "c.tiff")).isInstanceOf(ImageException.class);
    }

    @Test
    void parseStyleReadsNamesImagesAndWeights() {
        assertThat(BatchLayout.parseStyle("starry.jpg"))
                .isEqualTo(new BatchLayout.StyleSpec("starry", List.of("starry.jpg"), null));
        assertThat(BatchLayout.parseStyle("night=dir/starry.jpg"))
                .isEqualTo(new BatchLayout.StyleSpec("night", List.of("dir/starry.jpg"), null));
        assertThat(BatchLayout.parseStyle("mix=starry.jpg:3,scream.jpg:1"))
                .isEqualTo(new BatchLayout.StyleSpec("mix", List.of("starry.jpg", "scream.jpg"), List.of(3.0, 1.0)));
        // a weight on one image only: the others weigh 1
        assertThat(BatchLayout.parseStyle("m=a.png:0.5,b.png").weights()).containsExactly(0.5, 1.0);
    }

    @Test
    void parseStyleKeepsColonsThatBelongToThePath() {
        assertThat(BatchLayout.parseStyle("C:\\art\\starry.jpg"))
                .isEqualTo(new BatchLayout.StyleSpec("starry", List.of("C:\\art\\starry.jpg"), null));
        assertThat(BatchLayout.parseStyle("s=hdfs://host:8020/art/a.png").images())
                .containsExactly("hdfs://host:8020/art/a.png");
        assertThat(BatchLayout.parseStyle("hdfs://host:8020/art/a.png:2"))
                .isEqualTo(new BatchLayout.StyleSpec("a", List.of("hdfs://host:8020/art/a.png"), List.of(2.0)));
    }

    @Test
    void parseStyleNamesWhatIsWrong() {
        assertThatThrownBy(() -> BatchLayout.parseStyle("s=a.png,,b.png"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'s=a.png,,b.png'")
                .hasMessageContaining("empty image path");
        assertThatThrownBy(() -> BatchLayout.parseStyle("s=a.png:-1"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("weight -1.0 of a.png");
        assertThatThrownBy(() -> BatchLayout.parseStyle("s=a.png:NaN"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must be finite");
        assertThatThrownBy(() -> BatchLayout.parseStyle("s=a.png:0,b.png:0"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("weights are all 0");
        assertThatThrownBy(() -> BatchLayout.parseStyle("a/b=x.png"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("style name 'a/b'");
        assertThatThrownBy(() -> BatchLayout.parseStyle("dir/.hidden"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("style name '.hidden'")
                .hasMessageContaining("NAME=IMAGE");
        assertThatThrownBy(() -> BatchLayout.parseStyle("s=\u0007.png,"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'s=\\x07.png,'")
                .hasMessageNotContaining("\u0007");
        assertThatThrownBy(() -> new BatchLayout.StyleSpec("s", List.of("a.png"), List.of(1.0, 2.0)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1 images but 2 weights");
        assertThatThrownBy(() -> new BatchLayout.StyleSpec("s", List.of(), null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no image");
    }
}
