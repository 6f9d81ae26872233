package org.adain;

/**
 * An image file could not be read or written: missing, truncated, corrupt, unsupported or too large.
 *
 * <pre>{@code
 * try {
 *     BufferedImage photo = Images.read(Path.of("photo.jpg"));
 * } catch (ImageException e) {
 *     System.err.println(e.getMessage());   // names the file and what is wrong with it
 * }
 * }</pre>
 */
public class ImageException extends AdainException {
    /**
     * An exception with a message only.
     *
     * @param message what was wrong, naming the file, layer, shape or value at fault
     */
    public ImageException(String message) {
        super(message);
    }

    /**
     * An exception caused by another one.
     *
     * @param message what was wrong, naming the file, layer, shape or value at fault
     * @param cause   the exception that revealed it
     */
    public ImageException(String message, Throwable cause) {
        super(message, cause);
    }
}
