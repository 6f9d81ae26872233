package org.adain;

/**
 * A weight file is unusable: missing, corrupt, truncated, of an unknown format, with the wrong layers or
 * shapes, or holding NaN/Inf values. The message names the file and the layer at fault.
 */
public class ModelException extends AdainException {
    public ModelException(String message) {
        super(message);
    }

    public ModelException(String message, Throwable cause) {
        super(message, cause);
    }
}
