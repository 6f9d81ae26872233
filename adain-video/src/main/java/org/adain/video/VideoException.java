package org.adain.video;

import org.adain.AdainException;

/**
 * A video or frame sequence that cannot be read or written: a missing, empty, truncated or corrupt file, a codec
 * the bundled FFmpeg cannot decode, frames of differing sizes, or an output that would overwrite something. The
 * message names the file. No partial output is left behind when it is thrown.
 *
 * <pre>{@code
 * try {
 *     stylizer.stylize(Path.of("in.mp4"), Path.of("out.mp4"));
 * } catch (VideoException e) {
 *     System.err.println(e.getMessage());   // e.g. "in.mp4 is empty (0 bytes)"
 * }
 * }</pre>
 */
public class VideoException extends AdainException {
    private static final long serialVersionUID = 1L;

    /**
     * An error without a cause.
     *
     * @param message what is wrong, naming the file
     */
    public VideoException(String message) {
        super(message);
    }

    /**
     * An error with the underlying cause (usually FFmpeg's, through JavaCV).
     *
     * @param message what is wrong, naming the file
     * @param cause   the underlying failure
     */
    public VideoException(String message, Throwable cause) {
        super(message, cause);
    }
}
