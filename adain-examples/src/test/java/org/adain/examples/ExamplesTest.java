package org.adain.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The runnable examples do what their Javadoc says, on the testkit's small models and images. */
class ExamplesTest {
    @TempDir
    Path dir;

    String encoder;
    String decoder;
    String content;
    String style;

    @BeforeEach
    void copyFixtures() throws IOException {
        encoder = copy("models/encoder_tf2.h5");
        decoder = copy("models/decoder_tf2.h5");
        content = copy("images/content_48x64.png");
        style = copy("images/style_0.png");
    }

    String copy(String resource) throws IOException {
        Path target = dir.resolve(Path.of(resource).getFileName().toString());
        try (InputStream in = getClass().getClassLoader().getResourceAsStream("org/adain/testkit/reference/"
                + resource)) {
            Files.copy(in, target);
        }
        return target.toString();
    }

    static BufferedImage read(Path p) throws IOException {
        BufferedImage img = ImageIO.read(p.toFile());
        assertThat(img).as(p.toString()).isNotNull();
        return img;
    }

    @Test
    void quickStart() throws IOException {
        Path out = dir.resolve("quick.png");
        QuickStart.main(new String[] {encoder, decoder, content, style, out.toString()});
        // Default size 512 on the shorter side.
        assertThat(read(out).getHeight()).isEqualTo(512);
    }

    @Test
    void reuseStyle() throws IOException {
        String second = copy("images/content_40x40.png");
        ReuseStyle.main(new String[] {encoder, decoder, style, dir.toString(), content, second});
        assertThat(read(dir.resolve("styled_content_48x64.png")).getWidth()).isEqualTo(682);
        assertThat(read(dir.resolve("styled_content_40x40.png")).getWidth()).isEqualTo(512);
    }

    @Test
    void spatialControl() throws IOException {
        String mask = copy("images/mask_48x64.png");
        String style1 = copy("images/style_1.png");
        Path out = dir.resolve("masked.jpg");
        SpatialControl.main(new String[] {encoder, decoder, content, mask, style, style1, out.toString()});
        assertThat(read(out).getHeight()).isEqualTo(512);
    }
}
