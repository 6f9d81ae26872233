package org.adain.examples.cli;

import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * The logging of an {@code adain} process: silent unless {@code --debug}, so stderr holds only the command's own
 * progress and its one {@code adain: error:} line. Two routes reach stderr: DL4J/ND4J log through SLF4J, whose
 * binding here is slf4j-simple (default level in {@code simplelogger.properties}: off); adain logs its decisions
 * through {@link System.Logger} ("org.adain", "org.adain.dl4j"), which the JDK sends to java.util.logging. With
 * {@code --debug} SLF4J logs at INFO and adain at DEBUG, both as "LEVEL logger - message" lines. A level or JUL
 * configuration given on the command line ({@code -Dorg.slf4j.simpleLogger.defaultLogLevel=...},
 * {@code -Djava.util.logging.config.file=...}) wins.
 *
 * <pre>{@code
 * CliLogging.configure(debug);   // first thing in main, before any library logs
 * }</pre>
 */
final class CliLogging {
    /** slf4j-simple's level property; read once, when the first SLF4J logger is made. */
    static final String SLF4J_LEVEL = "org.slf4j.simpleLogger.defaultLogLevel";
    /** The System.Logger names of adain's modules share this prefix. */
    static final String ADAIN_LOGGERS = "org.adain";

    /** Held: java.util.logging keeps loggers weakly and would forget the level set on them. */
    private static Logger adain;

    private CliLogging() {
    }

    /**
     * Sets both routes up. Must run before the first logger of either exists: in {@code main}, not in
     * {@link AdainCli#run}, which tests call in a JVM that has logged already.
     *
     * @param debug whether {@code --debug} was given
     */
    static void configure(boolean debug) {
        if (System.getProperty(SLF4J_LEVEL) == null) {
            System.setProperty(SLF4J_LEVEL, debug ? "info" : "off");
        }
        if (System.getProperty("java.util.logging.config.file") != null
                || System.getProperty("java.util.logging.config.class") != null) {
            return;
        }
        Logger root = Logger.getLogger("");
        if (!debug) {
            root.setLevel(Level.OFF);
            return;
        }
        adain = Logger.getLogger(ADAIN_LOGGERS);
        adain.setLevel(Level.FINE);
        for (Handler h : root.getHandlers()) {
            if (h instanceof ConsoleHandler) {
                h.setLevel(Level.FINE);
                h.setFormatter(new OneLine());
            }
        }
    }

    /** "INFO org.adain - Backend 'dl4j' chosen: ...", like slf4j-simple's lines; System.Logger's DEBUG for FINE. */
    static final class OneLine extends Formatter {
        @Override
        public String format(LogRecord record) {
            Level l = record.getLevel();
            String level = l == Level.FINE ? "DEBUG" : l == Level.FINER || l == Level.FINEST ? "TRACE"
                    : l == Level.WARNING ? "WARN" : l == Level.SEVERE ? "ERROR" : l.getName();
            StringBuilder sb = new StringBuilder(level).append(' ').append(record.getLoggerName()).append(" - ")
                    .append(formatMessage(record)).append(System.lineSeparator());
            if (record.getThrown() != null) {
                sb.append(record.getThrown()).append(System.lineSeparator());
            }
            return sb.toString();
        }
    }
}
