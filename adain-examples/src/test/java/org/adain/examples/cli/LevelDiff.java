package org.adain.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;

/**
 * How far apart two images of one size are in 8-bit levels: the largest difference of any red, green or blue
 * sample, and how many pixels differ at all.
 *
 * @param max             the largest per-channel difference, 0..255
 * @param differingPixels pixels with any channel different
 * @param pixels          width × height
 */
record LevelDiff(int max, int differingPixels, int pixels) {
    /** Fails unless both images have the same width and height. */
    static LevelDiff of(BufferedImage a, BufferedImage b) {
        assertThat(b.getWidth()).as("width").isEqualTo(a.getWidth());
        assertThat(b.getHeight()).as("height").isEqualTo(a.getHeight());
        int max = 0;
        int differing = 0;
        for (int y = 0; y < a.getHeight(); y++) {
            for (int x = 0; x < a.getWidth(); x++) {
                int p = a.getRGB(x, y);
                int q = b.getRGB(x, y);
                int worst = 0;
                for (int shift = 0; shift <= 16; shift += 8) {
                    worst = Math.max(worst, Math.abs(((p >> shift) & 0xFF) - ((q >> shift) & 0xFF)));
                }
                max = Math.max(max, worst);
                differing += worst > 0 ? 1 : 0;
            }
        }
        return new LevelDiff(max, differing, a.getWidth() * a.getHeight());
    }

    @Override
    public String toString() {
        return differingPixels + " of " + pixels + " pixels differ, by at most " + max + " level"
                + (max == 1 ? "" : "s");
    }
}
