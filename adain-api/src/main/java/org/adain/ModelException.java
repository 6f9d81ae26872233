package org.adain;

/**
 * A weight file is unusable: missing, corrupt, truncated, of an unknown format, with the wrong layers or
 * shapes, or holding NaN/Inf values. The message names the file and the layer at fault.
 *
 * <pre>{@code
 * try {
 *     StyleTransfer.builder().encoder(enc).decoder(dec).build().close();
 * } catch (ModelException e) {
 *     System.err.println("unusable weights: " + e.getMessage());   // names the file and the layer
 * }
 * }</pre>
 */
public class ModelException extends AdainException {
    /**
     * An exception with a message only.
     *
     * @param message what was wrong, naming the file, layer, shape or value at fault
     */
    public ModelException(String message) {
        super(message);
    }

    /**
     * An exception caused by another one.
     *
     * @param message what was wrong, naming the file, layer, shape or value at fault
     * @param cause   the exception that revealed it
     */
    public ModelException(String message, Throwable cause) {
        super(message, cause);
    }
}
