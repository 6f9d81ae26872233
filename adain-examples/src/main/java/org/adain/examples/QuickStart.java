package org.adain.examples;

import java.nio.file.Path;
import org.adain.Images;
import org.adain.StyleRequest;
import org.adain.StyleTransfer;

/**
 * The README's quick start: one content, one style, default settings (shorter side 512, alpha 1).
 *
 * <pre>{@code
 * java -cp adain.jar org.adain.examples.QuickStart vgg_normalised.h5 decoder.h5 photo.jpg starry.jpg out.png
 * }</pre>
 */
public final class QuickStart {
    private QuickStart() {
    }

    public static void main(String[] args) {
        if (args.length != 5) {
            System.err.println("usage: QuickStart ENCODER DECODER CONTENT STYLE OUTPUT");
            System.exit(2);
        }
        try (StyleTransfer transfer = StyleTransfer.builder()
                .encoder(Path.of(args[0])).decoder(Path.of(args[1])).build()) {
            StyleRequest request = StyleRequest.builder()
                    .content(Images.read(Path.of(args[2]))).style(Images.read(Path.of(args[3]))).build();
            Images.write(transfer.stylize(request), Path.of(args[4]));
        }
    }
}
