package org.adain;

/**
 * A parameter, a mask or an image given to the library is unusable (alpha out of range, bad weights, image too small...).
 *
 * <pre>{@code
 * try {
 *     StyleRequest.builder().content(photo).style(painting).alpha(1.5).build();
 * } catch (InvalidRequestException e) {
 *     System.err.println(e.getMessage());   // "alpha must be in [0, 1], got 1.5"
 * }
 * }</pre>
 */
public class InvalidRequestException extends AdainException {
    /**
     * An exception with a message only.
     *
     * @param message what was wrong, naming the file, layer, shape or value at fault
     */
    public InvalidRequestException(String message) {
        super(message);
    }

    /**
     * An exception caused by another one.
     *
     * @param message what was wrong, naming the file, layer, shape or value at fault
     * @param cause   the exception that revealed it
     */
    public InvalidRequestException(String message, Throwable cause) {
        super(message, cause);
    }
}
