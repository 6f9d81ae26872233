package org.adain.examples.cli;

import org.adain.AdainException;

/**
 * An unusable input found by the CLI itself, or a library error given the context (which file) the library
 * could not know. Reported like every {@link AdainException}: one line, exit code 1.
 */
final class InputException extends AdainException {
    InputException(String message) {
        super(message);
    }

    InputException(String message, Throwable cause) {
        super(message, cause);
    }
}
