package org.adain.examples;

import java.nio.file.Path;
import org.adain.Images;
import org.adain.SpatialMask;
import org.adain.StyleRequest;
import org.adain.StyleTransfer;

/**
 * Two styles in one picture: a black-and-white mask (the content's size) gives the first style to its white
 * part and the second to its black part; alpha 0.8 keeps a little more of the content.
 *
 * <pre>{@code
 * java -cp adain.jar org.adain.examples.SpatialControl vgg_normalised.h5 decoder.h5 photo.jpg mask.png \
 *     sky_style.jpg ground_style.jpg out.png
 * }</pre>
 */
public final class SpatialControl {
    private SpatialControl() {
    }

    public static void main(String[] args) {
        if (args.length != 7) {
            System.err.println("usage: SpatialControl ENCODER DECODER CONTENT MASK WHITE_STYLE BLACK_STYLE OUTPUT");
            System.exit(2);
        }
        try (StyleTransfer transfer = StyleTransfer.builder()
                .encoder(Path.of(args[0])).decoder(Path.of(args[1])).build()) {
            StyleRequest request = StyleRequest.builder()
                    .content(Images.read(Path.of(args[2])))
                    .mask(SpatialMask.fromImage(Images.read(Path.of(args[3]))))
                    .style(Images.read(Path.of(args[4])))
                    .style(Images.read(Path.of(args[5])))
                    .alpha(0.8)
                    .build();
            Images.write(transfer.stylize(request), Path.of(args[6]));
        }
    }
}
