package org.adain.examples;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import org.adain.Images;
import org.adain.StyleFeatures;
import org.adain.StyleRequest;
import org.adain.StyleTransfer;

/**
 * Encodes one style once and applies it to many contents (a photo album, video frames): each content then
 * costs one encoder pass and one decoder pass instead of two encoder passes.
 *
 * <pre>{@code
 * java -cp adain.jar org.adain.examples.ReuseStyle vgg_normalised.h5 decoder.h5 starry.jpg out/ a.jpg b.jpg c.jpg
 * }</pre>
 */
public final class ReuseStyle {
    private ReuseStyle() {
    }

    public static void main(String[] args) {
        if (args.length < 5) {
            System.err.println("usage: ReuseStyle ENCODER DECODER STYLE OUTPUT_DIR CONTENT...");
            System.exit(2);
        }
        Path outDir = Path.of(args[3]);
        try (StyleTransfer transfer = StyleTransfer.builder()
                .encoder(Path.of(args[0])).decoder(Path.of(args[1])).build();
                StyleFeatures style = transfer.encodeStyle(Images.read(Path.of(args[2])))) {
            for (int i = 4; i < args.length; i++) {
                Path content = Path.of(args[i]);
                BufferedImage result = transfer.stylize(
                        StyleRequest.builder().content(Images.read(content)).style(style).build());
                Path out = outDir.resolve("styled_" + content.getFileName().toString().replaceAll("\\.[^.]*$", "")
                        + ".png");
                Images.write(result, out);
                System.out.println(out);
            }
        }
    }
}
