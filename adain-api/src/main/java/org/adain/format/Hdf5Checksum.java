package org.adain.format;

/**
 * The checksums of the HDF5 format: Bob Jenkins' lookup3 {@code hashlittle} with initial value 0, which the newer
 * structures (superblock v2/v3, object header v2, v2 B-trees, fractal heaps, fixed arrays) end with, and the
 * Fletcher-32 of the {@code fletcher32} filter.
 */
final class Hdf5Checksum {
    private Hdf5Checksum() {
    }

    /** lookup3 hashlittle of {@code len} bytes of {@code b} from {@code off}, initval 0. */
    static int lookup3(byte[] b, int off, int len) {
        int a = 0xdeadbeef + len;
        int bb = a;
        int c = a;
        int k = off;
        int n = len;
        while (n > 12) {
            a += word(b, k);
            bb += word(b, k + 4);
            c += word(b, k + 8);
            // mix
            a -= c;
            a ^= Integer.rotateLeft(c, 4);
            c += bb;
            bb -= a;
            bb ^= Integer.rotateLeft(a, 6);
            a += c;
            c -= bb;
            c ^= Integer.rotateLeft(bb, 8);
            bb += a;
            a -= c;
            a ^= Integer.rotateLeft(c, 16);
            c += bb;
            bb -= a;
            bb ^= Integer.rotateLeft(a, 19);
            a += c;
            c -= bb;
            c ^= Integer.rotateLeft(bb, 4);
            bb += a;
            n -= 12;
            k += 12;
        }
        if (n == 0) {
            return c;
        }
        // the last 1..12 bytes, zero-padded (the byte-wise tail of hashlittle)
        int[] t = new int[12];
        for (int i = 0; i < n; i++) {
            t[i] = b[k + i] & 0xff;
        }
        a += t[0] | t[1] << 8 | t[2] << 16 | t[3] << 24;
        bb += t[4] | t[5] << 8 | t[6] << 16 | t[7] << 24;
        c += t[8] | t[9] << 8 | t[10] << 16 | t[11] << 24;
        // final
        c ^= bb;
        c -= Integer.rotateLeft(bb, 14);
        a ^= c;
        a -= Integer.rotateLeft(c, 11);
        bb ^= a;
        bb -= Integer.rotateLeft(a, 25);
        c ^= bb;
        c -= Integer.rotateLeft(bb, 16);
        a ^= c;
        a -= Integer.rotateLeft(c, 4);
        bb ^= a;
        bb -= Integer.rotateLeft(a, 14);
        c ^= bb;
        c -= Integer.rotateLeft(bb, 24);
        return c;
    }

    private static int word(byte[] b, int k) {
        return (b[k] & 0xff) | (b[k + 1] & 0xff) << 8 | (b[k + 2] & 0xff) << 16 | (b[k + 3] & 0xff) << 24;
    }

    /**
     * HDF5's Fletcher-32 ({@code H5_checksum_fletcher32}): 16-bit big-endian words, an odd last byte as the high
     * byte of a final word, sums reduced modulo 65535.
     */
    static int fletcher32(byte[] b, int off, int len) {
        long sum1 = 0;
        long sum2 = 0;
        int words = len / 2;
        int k = off;
        while (words > 0) {
            int block = Math.min(words, 360);
            words -= block;
            for (int i = 0; i < block; i++) {
                sum1 += ((b[k] & 0xff) << 8) | (b[k + 1] & 0xff);
                sum2 += sum1;
                k += 2;
            }
            sum1 = (sum1 & 0xffff) + (sum1 >>> 16);
            sum2 = (sum2 & 0xffff) + (sum2 >>> 16);
        }
        if ((len & 1) != 0) {
            sum1 += (b[k] & 0xff) << 8;
            sum2 += sum1;
            sum1 = (sum1 & 0xffff) + (sum1 >>> 16);
            sum2 = (sum2 & 0xffff) + (sum2 >>> 16);
        }
        sum1 = (sum1 & 0xffff) + (sum1 >>> 16);
        sum2 = (sum2 & 0xffff) + (sum2 >>> 16);
        return (int) ((sum2 << 16) | sum1);
    }
}
