package org.adain;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import org.adain.spi.FeatureMap;
import org.adain.spi.StyleModel;
import org.adain.spi.Tensor;

/**
 * Tiled encoding and decoding for images too large to run through the network in one piece, for any backend
 * (only {@link StyleModel#encode}, {@link StyleModel#upload} and {@link StyleModel#decode} are used).
 *
 * <p>Two passes. The encoder runs on overlapping tiles of the image; the valid interior of each tile's relu4_1
 * is copied into one full feature map, which is uploaded once, so AdaIN (and masks, alpha, style mixes) work on
 * the statistics of the whole image, exactly as without tiling. The decoder then runs on overlapping tiles of
 * the target feature map and the interior of each decoded tile is pasted into the output. Only the tile's
 * activations and the full relu4_1 map (1/64 of the pixels × 512 channels: 2× the image's float size) are ever
 * alive at once; the untiled network holds 64-channel maps of the full image.
 *
 * <h2>Overlap: the receptive fields (SEMANTICS §6, §7)</h2>
 * Work in relu4_1 positions ("features", 8 pixels each). Tile origins are multiples of 8 pixels, so the three
 * 2×2/2 pools of a tile see the same windows as those of the whole image (ceil and floor mode agree wherever a
 * window is complete; only the image's own last window can be incomplete, and a tile that ends there ends there
 * too).
 * <p><b>Encoder</b>, both flavours: every 3×3 conv looks 1 position beyond its output on each side, at its own
 * stride; the 1×1 preprocessing conv and the Keras flavour's Caffe arithmetic look at nothing else. Feature i
 * covers pixels [8i, 8i+7] through the pools; walking back: conv4_1 (stride 8) ±1 → relu3_4 positions
 * [2i−2, 2i+3] at stride 4; conv3_4…3_1 ±4 → [2i−6, 2i+7]; pool → stride-2 positions [4i−12, 4i+15]; conv2_2,
 * 2_1 ±2 → [4i−14, 4i+17]; pool → pixels [8i−28, 8i+35]; conv1_2, 1_1 ±2 → pixels [8i−30, 8i+37]. So feature i
 * depends on 30 pixels beyond its own 8 on each side: a receptive field of 68 pixels. The padding a tile adds at
 * a border (reflection for the normalised VGG, zeros for the Keras one) only reaches features whose field
 * crosses that border, so features at least {@code ceil(30/8) = 4} positions inside a tile border are exact
 * (where the tile border is the image's border, the padding is the image's own and nothing is discarded). The
 * Keras flavour's reflection to a multiple of 8 only happens at the image's bottom/right edge, from pixels the
 * last tile holds (tiles are ≥ 80 pixels).
 * <p><b>Decoder</b>: output pixel y of the last level depends on: the two 3×3 convs at full scale ±2 → y−2..y+2;
 * nearest ×2 → ⌊·/2⌋; two convs ±2; ×2; four convs ±4; ×2; conv ±1 at feature scale. For a feature's first
 * pixel y = 8i that reaches down to feature i−4 and for its last y = 8i+7 up to i+4 (the same 3.75 features
 * rounded to whole ones): decoded pixels of features at least 4 positions inside a tile border are exact.
 * <p>Both margins are {@value #MARGIN} features (32 pixels). Results differ from the untiled run only by the
 * order of floating-point sums inside the backend's convolutions (about 1e-6 relative).
 */
final class Tiling {
    /** Overlap kept on each inner side of a tile, in relu4_1 positions, for both the encoder and the decoder. */
    static final int MARGIN = 4;
    /** Smallest tile side in pixels: two margins and two positions of interior, times 8. */
    static final int MIN_TILE = 8 * (2 * MARGIN + 2);

    private final long thresholdPixels;
    private final int tileFeatures;

    /**
     * @param thresholdPixels tile images with more pixels than this
     * @param tileSize        tile side in pixels, overlap included; a multiple of 8, at least {@link #MIN_TILE}
     */
    Tiling(long thresholdPixels, int tileSize) {
        if (tileSize < MIN_TILE || tileSize % 8 != 0) {
            throw new InvalidRequestException("The tile size must be a multiple of 8 and at least " + MIN_TILE
                    + " pixels (two overlaps of " + (8 * MARGIN) + " and some interior), got " + tileSize);
        }
        if (thresholdPixels < 0) {
            throw new InvalidRequestException("The tiling threshold must be ≥ 0 pixels, got " + thresholdPixels);
        }
        this.thresholdPixels = thresholdPixels;
        this.tileFeatures = tileSize / 8;
    }

    /** Whether an image of this size is processed in tiles. */
    boolean applies(long height, long width) {
        return height * width > thresholdPixels;
    }

    /** One tile along one axis, in relu4_1 positions: the tile is [start, end), its valid part [from, to). */
    record Span(int start, int end, int from, int to) {
    }

    /**
     * Covers {@code n} positions with tiles of at most {@code length}, each overlapping the next so that every
     * inner border has {@code margin} discarded positions; the valid parts partition [0, n).
     */
    static List<Span> spans(int n, int length, int margin) {
        if (length < 2 * margin + 1) {
            throw new IllegalArgumentException("Tile length " + length + " leaves no interior with margin " + margin);
        }
        List<Span> spans = new ArrayList<>();
        int pos = 0;
        while (pos < n) {
            int start = Math.max(0, pos - margin);
            int end;
            int to;
            if (start + length >= n) { // the last tile: end at the image's edge, as large as allowed
                start = Math.max(0, n - length);
                end = n;
                to = n;
            } else {
                end = start + length;
                to = end - margin;
            }
            spans.add(new Span(start, end, pos, to));
            pos = to;
        }
        return spans;
    }

    /** relu4_1 of a {@code N×3×H×W} image, encoded tile by tile, as one backend feature map. */
    FeatureMap encode(StyleModel model, Tensor images) {
        int n = images.dim(0);
        int ch = images.dim(1);
        int h = images.dim(2);
        int w = images.dim(3);
        int fh = (h + 7) / 8;
        int fw = (w + 7) / 8;
        List<Span> rows = spans(fh, tileFeatures, MARGIN);
        List<Span> cols = spans(fw, tileFeatures, MARGIN);
        AdainLog.LOGGER.log(Level.DEBUG, () -> "Encoding a " + w + "×" + h + " image (" + ((long) h * w)
                + " pixels, over the tiling threshold of " + thresholdPixels + ") in " + cols.size() + "×"
                + rows.size() + " tiles of up to " + (8 * tileFeatures) + "×" + (8 * tileFeatures) + " pixels");
        float[] full = null;
        int fc = -1;
        for (Span r : rows) {
            for (Span c : cols) {
                int y0 = 8 * r.start();
                int y1 = Math.min(h, 8 * r.end());
                int x0 = 8 * c.start();
                int x1 = Math.min(w, 8 * c.end());
                Tensor tile = crop(images, n, ch, h, w, y0, y1, x0, x1);
                Tensor f;
                try (FeatureMap m = model.encode(tile)) {
                    f = m.toTensor();
                }
                int th = f.dim(2);
                int tw = f.dim(3);
                if (th != r.end() - r.start() || tw != c.end() - c.start()) {
                    throw new BackendException("The backend encoded a " + (x1 - x0) + "×" + (y1 - y0)
                            + " tile to a " + tw + "×" + th + " feature map; expected "
                            + (c.end() - c.start()) + "×" + (r.end() - r.start()));
                }
                if (full == null) {
                    fc = f.dim(1);
                    full = new float[Math.toIntExact((long) n * fc * fh * fw)];
                }
                for (int b = 0; b < n; b++) {
                    for (int k = 0; k < fc; k++) {
                        for (int y = r.from(); y < r.to(); y++) {
                            int src = ((b * fc + k) * th + (y - r.start())) * tw + (c.from() - c.start());
                            int dst = ((b * fc + k) * fh + y) * fw + c.from();
                            for (int x = 0; x < c.to() - c.from(); x++) {
                                full[dst + x] = f.getFlat(src + x);
                            }
                        }
                    }
                }
            }
        }
        return model.upload(Tensor.wrap(full, n, fc, fh, fw));
    }

    /**
     * The decoded image of {@code features}, decoded tile by tile: {@code N×3×8h×8w} like {@link StyleModel#decode}.
     * Copies the features to the heap and then closes every map in {@code release} (the call's full-size
     * temporaries, which would otherwise stay alive through the decoding).
     */
    Tensor decode(StyleModel model, FeatureMap features, List<FeatureMap> release) {
        Tensor f = features.toTensor();
        for (FeatureMap m : release) {
            m.close();
        }
        int n = f.dim(0);
        int fc = f.dim(1);
        int fh = f.dim(2);
        int fw = f.dim(3);
        int oh = 8 * fh;
        int ow = 8 * fw;
        List<Span> rows = spans(fh, tileFeatures, MARGIN);
        List<Span> cols = spans(fw, tileFeatures, MARGIN);
        AdainLog.LOGGER.log(Level.DEBUG, () -> "Decoding a " + ow + "×" + oh + " image in " + cols.size() + "×"
                + rows.size() + " tiles of up to " + (8 * tileFeatures) + "×" + (8 * tileFeatures) + " pixels");
        float[] out = null;
        int oc = -1;
        for (Span r : rows) {
            for (Span c : cols) {
                Tensor tile = crop(f, n, fc, fh, fw, r.start(), r.end(), c.start(), c.end());
                Tensor img;
                try (FeatureMap m = model.upload(tile)) {
                    img = model.decode(m);
                }
                int th = img.dim(2);
                int tw = img.dim(3);
                if (th != 8 * (r.end() - r.start()) || tw != 8 * (c.end() - c.start())) {
                    throw new BackendException("The backend decoded a " + (c.end() - c.start()) + "×"
                            + (r.end() - r.start()) + " feature tile to a " + tw + "×" + th + " image; expected 8×");
                }
                if (out == null) {
                    oc = img.dim(1);
                    out = new float[Math.toIntExact((long) n * oc * oh * ow)];
                }
                for (int b = 0; b < n; b++) {
                    for (int k = 0; k < oc; k++) {
                        for (int y = 8 * r.from(); y < 8 * r.to(); y++) {
                            int src = ((b * oc + k) * th + (y - 8 * r.start())) * tw + 8 * (c.from() - c.start());
                            int dst = ((b * oc + k) * oh + y) * ow + 8 * c.from();
                            for (int x = 0; x < 8 * (c.to() - c.from()); x++) {
                                out[dst + x] = img.getFlat(src + x);
                            }
                        }
                    }
                }
            }
        }
        return Tensor.wrap(out, n, oc, oh, ow);
    }

    /** Rows [y0, y1) and columns [x0, x1) of an {@code n×ch×h×w} tensor. */
    private static Tensor crop(Tensor t, int n, int ch, int h, int w, int y0, int y1, int x0, int x1) {
        int th = y1 - y0;
        int tw = x1 - x0;
        float[] d = new float[n * ch * th * tw];
        int i = 0;
        for (int b = 0; b < n; b++) {
            for (int k = 0; k < ch; k++) {
                for (int y = y0; y < y1; y++) {
                    int src = ((b * ch + k) * h + y) * w + x0;
                    for (int x = 0; x < tw; x++) {
                        d[i++] = t.getFlat(src + x);
                    }
                }
            }
        }
        return Tensor.wrap(d, n, ch, th, tw);
    }
}
