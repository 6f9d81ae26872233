package org.adain.testkit;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * What one run of the kit saw, per group: cases run and failed, the worst error relative to its tolerance, or
 * why the group was skipped. Printed as a table when the kit finishes.
 */
final class KitReport {
    private final String backend;
    private final Map<String, Group> groups = new LinkedHashMap<>();

    KitReport(String backend) {
        this.backend = backend;
    }

    synchronized Group group(String name) {
        return groups.computeIfAbsent(name, Group::new);
    }

    /** The summary table, one line per group. */
    synchronized String table() {
        StringBuilder sb = new StringBuilder();
        sb.append("adain conformance kit: backend ").append(backend).append('\n');
        sb.append(String.format(Locale.ROOT, "  %-22s %5s %6s  %-11s %-11s %s%n", "group", "cases", "failed",
                "worst|err|", "tolerance", "where"));
        for (Group g : groups.values()) {
            sb.append(g.line()).append('\n');
        }
        return sb.toString();
    }

    /** One group's tally. */
    static final class Group {
        private final String name;
        private int cases;
        private int failed;
        private double worstRatio = -1;
        private double worstError;
        private double worstTolerance;
        private String worstWhere = "";
        private String skipped;

        Group(String name) {
            this.name = name;
        }

        String name() {
            return name;
        }

        synchronized void noteCase() {
            cases++;
        }

        synchronized void noteFailedCase() {
            failed++;
        }

        synchronized void noteSkipped(String reason) {
            skipped = reason;
        }

        synchronized void noteError(String caseName, String array, double error, double tolerance) {
            double ratio = tolerance > 0 ? error / tolerance : error == 0 ? 0 : Double.POSITIVE_INFINITY;
            if (ratio > worstRatio || Double.isNaN(ratio)) {
                worstRatio = ratio;
                worstError = error;
                worstTolerance = tolerance;
                worstWhere = caseName + " · " + array;
            }
        }

        synchronized String line() {
            if (skipped != null) {
                return String.format(Locale.ROOT, "  %-22s SKIPPED: %s", name, skipped);
            }
            String err = worstRatio < 0 ? "-" : Double.isInfinite(worstError) ? "(no value)"
                    : String.format(Locale.ROOT, "%.3g", worstError);
            String tol = worstRatio < 0 ? "-" : String.format(Locale.ROOT, "%.3g", worstTolerance);
            return String.format(Locale.ROOT, "  %-22s %5d %6d  %-11s %-11s %s", name, cases, failed, err, tol,
                    worstWhere);
        }
    }
}
