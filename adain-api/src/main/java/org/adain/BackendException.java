package org.adain;

/**
 * No usable backend (none on the classpath, the requested one missing, its native library failing), or a backend
 * or weight-file reader failing at its work.
 *
 * <p>The cause tells an unexpected failure apart: when a backend or a reader throws something that is not an
 * {@link AdainException} (a bug in it, or a native library failing in a way it did not foresee), the API throws a
 * {@code BackendException} naming the backend or reader and the step, whose cause is that unchecked exception.
 * Report those with the stack trace. (The {@code adain} command line exits with its internal-error code for
 * them.)
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
