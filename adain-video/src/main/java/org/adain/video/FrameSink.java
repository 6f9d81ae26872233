package org.adain.video;

import java.awt.image.BufferedImage;

/**
 * Where stylised frames go. Everything is written to a temporary sibling of the output first; {@link #commit()}
 * renames it into place, {@link #abort()} deletes it, so a failed run leaves no output that looks valid.
 */
interface FrameSink {
    void write(BufferedImage frame);

    /** Finishes the file(s) and moves them to the output. */
    void commit();

    /** Deletes whatever was written. Safe to call after a failure at any point; never throws. */
    void abort();

    /** What was written, e.g. "H.264 (libopenh264) in mp4". */
    String description();
}
