package org.adain;

/** No usable backend: none on the classpath, the requested one missing, or its native library failing. */
public class BackendException extends AdainException {
    public BackendException(String message) {
        super(message);
    }

    public BackendException(String message, Throwable cause) {
        super(message, cause);
    }
}
