package org.adain;

/**
 * No usable backend (none on the classpath, the requested one missing, its native library failing), or a backend
 * failing at its work: {@link StyleTransfer} wraps whatever a backend throws that is not an {@link AdainException}
 * in one, naming the backend and the step, with the backend's exception as the cause.
 *
 * <pre>{@code
 * try (StyleTransfer st = StyleTransfer.builder().encoder(enc).decoder(dec).backend("dl4j").build()) {
 *     ...
 * } catch (BackendException e) {
 *     System.err.println("no usable backend: " + e.getMessage());
 * }
 * }</pre>
 */
public class BackendException extends AdainException {
    /**
     * An exception with a message only.
     *
     * @param message what was wrong, naming the file, layer, shape or value at fault
     */
    public BackendException(String message) {
        super(message);
    }

    /**
     * An exception caused by another one.
     *
     * @param message what was wrong, naming the file, layer, shape or value at fault
     * @param cause   the exception that revealed it
     */
    public BackendException(String message, Throwable cause) {
        super(message, cause);
    }
}
