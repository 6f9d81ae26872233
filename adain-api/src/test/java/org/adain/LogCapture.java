package org.adain;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * What a logger receives through {@link System.Logger}, whose default backend is {@code java.util.logging}: a
 * handler on the JUL logger of that name, at every level, for the test's duration.
 *
 * <pre>{@code
 * try (LogCapture log = new LogCapture("org.adain")) {
 *     ...
 *     assertThat(log.lines()).contains("INFO Backend 'fake' chosen: ...");
 * }
 * }</pre>
 */
final class LogCapture implements AutoCloseable {
    private final Logger logger; // held: JUL keeps loggers only weakly, and would forget the level
    private final Level previousLevel;
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final Handler handler = new Handler() {
        private final SimpleFormatter formatter = new SimpleFormatter();

        @Override
        public void publish(LogRecord record) {
            // System.Logger's DEBUG is JUL's FINE: name it as the caller did
            String level = record.getLevel() == Level.FINE ? "DEBUG" : record.getLevel().getName();
            lines.add(level + " " + formatter.formatMessage(record));
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    LogCapture(String name) {
        logger = Logger.getLogger(name);
        previousLevel = logger.getLevel();
        logger.setLevel(Level.ALL);
        logger.addHandler(handler);
    }

    /** "LEVEL message" per record, in order. */
    List<String> lines() {
        return List.copyOf(lines);
    }

    @Override
    public void close() {
        logger.removeHandler(handler);
        logger.setLevel(previousLevel);
    }
}
