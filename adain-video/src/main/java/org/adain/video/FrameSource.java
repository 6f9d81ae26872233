package org.adain.video;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;

/** Decoded frames, one at a time, from a video file or a frame directory. Used by one thread. */
interface FrameSource extends AutoCloseable {
    /** Frames per second (a frame directory's is the one configured). */
    double frameRate();

    int width();

    int height();

    /** Frames the input says it has, or -1 if it does not say. */
    long frameCount();

    /** Whether there is an audio stream to copy. */
    boolean hasAudio();

    /** The next frame (a fresh image the caller may keep), or null after the last. */
    BufferedImage next();

    @Override
    void close();

    /** The checks every input gets before any native code or large allocation sees it. */
    static void requireReadable(Path input) {
        if (!Files.exists(input)) {
            throw new VideoException("Input " + input + " does not exist");
        }
        if (!Files.isReadable(input)) {
            throw new VideoException("Input " + input + " is not readable");
        }
    }
}
