package org.adain;

/**
 * Base of every exception this library throws on purpose. Unchecked, so fluent call chains stay short;
 * the message always names what was wrong (file, layer, shape or value) and, where we know it, how to
 * fix it.
 *
 * <pre>{@code
 * try (StyleTransfer st = StyleTransfer.builder().encoder(enc).decoder(dec).build()) {
 *     ...
 * } catch (AdainException e) {
 *     System.err.println(e.getMessage());
 * }
 * }</pre>
 */
public class AdainException extends RuntimeException {
    /**
     * An exception with a message only.
     *
     * @param message what was wrong, naming the file, layer, shape or value at fault
     */
    public AdainException(String message) {
        super(message);
    }

    /**
     * An exception caused by another one.
     *
     * @param message what was wrong, naming the file, layer, shape or value at fault
     * @param cause   the exception that revealed it
     */
    public AdainException(String message, Throwable cause) {
        super(message, cause);
    }
}
