package org.adain.examples.bench;

/** Command-line values of the benchmark programs; a bad one is an {@link IllegalArgumentException} naming it. */
final class Args {
    private Args() {
    }

    /** The argument after option {@code name}, at {@code i}. */
    static String value(String[] args, int i, String name) {
        if (i >= args.length) {
            throw new IllegalArgumentException(name + " needs a value");
        }
        return args[i];
    }

    /** {@link #value} as an integer of at least {@code min}. */
    static int intValue(String[] args, int i, String name, int min) {
        String s = value(args, i, name);
        int v;
        try {
            v = Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " needs an integer, got " + s);
        }
        if (v < min) {
            throw new IllegalArgumentException(name + " must be at least " + min + ", got " + v);
        }
        return v;
    }

    /** {@link #value} as a {@link org.adain.Precision} by its CLI name ({@code float32}, {@code bf16}). */
    static org.adain.Precision precision(String[] args, int i, String name) {
        String s = value(args, i, name);
        try {
            return org.adain.Precision.ofCliName(s);
        } catch (org.adain.AdainException e) {
            throw new IllegalArgumentException(name + ": " + e.getMessage(), e);
        }
    }
}
