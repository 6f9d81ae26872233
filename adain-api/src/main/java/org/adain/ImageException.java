package org.adain;

/** An image file could not be read or written: missing, truncated, corrupt, unsupported or too large. */
public class ImageException extends AdainException {
    public ImageException(String message) {
        super(message);
    }

    public ImageException(String message, Throwable cause) {
        super(message, cause);
    }
}
