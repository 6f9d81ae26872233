package org.adain.testkit.formats;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Random;

/**
 * Seeded mutants of a well-formed file, the way a damaged download or a hostile user changes one: flipped bytes,
 * lying lengths and offsets written over fields (0xffff, 2³²−1, {@code Long.MAX_VALUE}, −1, the file's length…),
 * truncations, inserted random bytes and deleted runs. Half the positions are uniform, half fall within 64 bytes
 * after a "hot spot" (a structure signature, a length field) where a lie does the most harm. The same seed gives
 * the same mutants, so a failure names a mutant that can be made again.
 *
 * <pre>{@code
 * byte[] good = Files.readAllBytes(fixture);
 * List<Integer> hot = Mutants.find(good, "TREE", "HEAP", "OHDR");
 * Random random = new Random(42);
 * Mutants.Mutant m = Mutants.mutate(good, hot, random);   // m.bytes(), m.what()
 * }</pre>
 */
public final class Mutants {
    private Mutants() {
    }

    /**
     * A mutated file and what was done to it, for failure messages.
     *
     * @param bytes the mutated content
     * @param what  what was changed, e.g. "truncated to 1200 bytes"
     */
    public record Mutant(byte[] bytes, String what) {
        /**
         * A mutant; {@code bytes} is kept as given.
         *
         * @param bytes the mutated content
         * @param what  what was changed
         */
        public Mutant {
            Objects.requireNonNull(bytes, "bytes");
            Objects.requireNonNull(what, "what");
        }
    }

    /**
     * Positions where any of the ASCII {@code markers} start in {@code data}: hot spots for {@link #mutate}.
     *
     * @param data    the file's bytes
     * @param markers ASCII signatures, e.g. "TREE", "PK", "torch.FloatTensor"
     * @return the start positions, in marker order, then file order
     */
    public static List<Integer> find(byte[] data, String... markers) {
        List<Integer> out = new ArrayList<>();
        for (String marker : markers) {
            byte[] s = marker.getBytes(StandardCharsets.US_ASCII);
            outer:
            for (int i = 0; i + s.length <= data.length; i++) {
                for (int j = 0; j < s.length; j++) {
                    if (data[i + j] != s[j]) {
                        continue outer;
                    }
                }
                out.add(i);
            }
        }
        return out;
    }

    /**
     * One mutant of {@code original}: 35 % flipped bytes (1–4), 35 % a lying 2-, 4- or 8-byte little-endian value
     * over a field, 15 % a truncation, 15 % 1–64 random bytes inserted or deleted.
     *
     * @param original  the well-formed file, at least 16 bytes; not changed
     * @param hotSpots  positions where lies do the most harm (may be empty)
     * @param random    the seeded source of every choice
     * @return the mutant and a description of it
     * @throws IllegalArgumentException when {@code original} is shorter than 16 bytes
     */
    public static Mutant mutate(byte[] original, List<Integer> hotSpots, Random random) {
        int n = original.length;
        if (n < 16) {
            throw new IllegalArgumentException("a file to mutate needs at least 16 bytes, has " + n);
        }
        int kind = random.nextInt(100);
        if (kind < 35) {
            byte[] b = original.clone();
            int flips = 1 + random.nextInt(4);
            StringBuilder what = new StringBuilder("flipped");
            for (int k = 0; k < flips; k++) {
                int at = position(n, hotSpots, random);
                int mask = 1 + random.nextInt(255);
                b[at] ^= (byte) mask;
                what.append(" byte ").append(at).append(" ^0x").append(Integer.toHexString(mask));
            }
            return new Mutant(b, what.toString());
        }
        if (kind < 70) {
            byte[] b = original.clone();
            long[] lies = {0xffffL, 0xffffffffL, 0x7fffffffL, Long.MAX_VALUE, -1L, n, 2L * n, n - 8, 1L << 40,
                random.nextInt(n), random.nextLong()};
            long lie = lies[random.nextInt(lies.length)];
            int width = new int[] {2, 4, 8}[random.nextInt(3)];
            int at = Math.min(position(n, hotSpots, random), n - width);
            ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
            if (width == 2) {
                bb.putShort(at, (short) lie);
            } else if (width == 4) {
                bb.putInt(at, (int) lie);
            } else {
                bb.putLong(at, lie);
            }
            return new Mutant(b, "wrote the " + width + "-byte value " + lie + " at byte " + at);
        }
        if (kind < 85) {
            int length = random.nextInt(n);
            return new Mutant(Arrays.copyOf(original, length), "truncated to " + length + " bytes");
        }
        int at = position(n, hotSpots, random);
        int count = 1 + random.nextInt(64);
        if (random.nextBoolean()) {
            byte[] b = new byte[n + count];
            System.arraycopy(original, 0, b, 0, at);
            byte[] junk = new byte[count];
            random.nextBytes(junk);
            System.arraycopy(junk, 0, b, at, count);
            System.arraycopy(original, at, b, at + count, n - at);
            return new Mutant(b, "inserted " + count + " random bytes at byte " + at);
        }
        count = Math.min(count, n - at);
        byte[] b = new byte[n - count];
        System.arraycopy(original, 0, b, 0, at);
        System.arraycopy(original, at + count, b, at, n - at - count);
        return new Mutant(b, "deleted " + count + " bytes at byte " + at);
    }

    /** Half uniform, half within 64 bytes after a hot spot (or in the first 64 bytes, the header). */
    private static int position(int n, List<Integer> hotSpots, Random r) {
        if (r.nextBoolean() || hotSpots.isEmpty()) {
            return r.nextInt(n);
        }
        int base = r.nextInt(8) == 0 ? 0 : hotSpots.get(r.nextInt(hotSpots.size()));
        return Math.min(n - 1, base + r.nextInt(64));
    }
}
