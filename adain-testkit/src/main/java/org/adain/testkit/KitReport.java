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

    /** Reference cases run, over all groups. */
    synchronized int cases() {
        return groups.values().stream().mapToInt(Group::cases).sum();
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
        /** The compared value with the largest error relative to its tolerance; -1 until one is compared. */
        private double worstRatio = -1;
        private double worstError;
        private double worstTolerance;
        private String worstWhere = "";
        /** The first failure that has no value to compare (an exception, a wrong shape); null if none. */
        private String failedWithoutValue;
        private String skipped;

        Group(String name) {
            this.name = name;
        }

        String name() {
            return name;
        }

        synchronized int cases() {
            return cases;
        }

        synchronized void noteCase() {
            cases++;
        }

        synchronized void noteFailedCase() {
            failed++;
        }

        /**
         * Records why the group is skipped.
         *
         * @return true the first time, so the caller reports the reason once however many tests it skips
         */
        synchronized boolean noteSkipped(String reason) {
            boolean first = skipped == null;
            skipped = reason;
            return first;
        }

        /** A compared value: the worst of an array (or a number) against its tolerance. */
        synchronized void noteError(String caseName, String array, double error, double tolerance) {
            double ratio = tolerance > 0 ? error / tolerance : error == 0 ? 0 : Double.POSITIVE_INFINITY;
            if (ratio > worstRatio || Double.isNaN(ratio)) {
                worstRatio = ratio;
                worstError = error;
                worstTolerance = tolerance;
                worstWhere = caseName + " · " + array;
            }
        }

        /** A failure with no value to compare: it must not stand in for the worst error of the values compared. */
        synchronized void noteFailureWithoutValue(String caseName, String what) {
            if (failedWithoutValue == null) {
                failedWithoutValue = caseName + " · " + what;
            }
        }

        synchronized String line() {
            if (skipped != null) {
                return String.format(Locale.ROOT, "  %-22s SKIPPED: %s", name, skipped);
            }
            boolean compared = worstRatio >= 0;
            String err = compared ? Double.isInfinite(worstError) ? "non-finite"
                    : String.format(Locale.ROOT, "%.3g", worstError)
                    : failedWithoutValue != null ? "(no value)" : "-";
            String tol = compared ? String.format(Locale.ROOT, "%.3g", worstTolerance) : "-";
            String where = worstWhere;
            if (failedWithoutValue != null) {
                where = compared ? where + "; failed without a value: " + failedWithoutValue : failedWithoutValue;
            }
            return String.format(Locale.ROOT, "  %-22s %5d %6d  %-11s %-11s %s", name, cases, failed, err, tol,
                    where);
        }
    }
}
