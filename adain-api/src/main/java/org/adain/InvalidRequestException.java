package org.adain;

/** A parameter, a mask or an image given to the library is unusable (alpha out of range, bad weights, image too small...). */
public class InvalidRequestException extends AdainException {
    public InvalidRequestException(String message) {
        super(message);
    }

    public InvalidRequestException(String message, Throwable cause) {
        super(message, cause);
    }
}
