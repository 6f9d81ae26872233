package org.adain.format;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;

/**
 * The HDF5 feature fixtures written by h5py ({@code adain-testkit/oracle/make_hdf5_fixtures.py}): one content in
 * seven flavours of the format. See the script for the content.
 */
final class Hdf5Fixtures {
    static final String ROOT = "org/adain/format/hdf5/";

    /** Fixture → superblock version. */
    static final Map<String, Integer> FLAVOURS = Map.of("earliest.h5", 0, "sb1.h5", 1, "v18.h5", 2, "latest.h5", 3,
            "early_alloc.h5", 3, "small_offsets.h5", 0, "userblock.h5", 0);

    static final int MEMBERS = 40;
    static final int ATTRS = 12;
    static final List<String> DATASETS = List.of("contiguous", "compact", "chunked", "chunked_plain", "single",
            "fletcher", "f16be", "f64be", "i16", "u8");

    private Hdf5Fixtures() {
    }

    static Path copy(String name, Path dir) {
        try (InputStream in = Hdf5Fixtures.class.getClassLoader().getResourceAsStream(ROOT + name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + ROOT + name
                        + " (regenerate with /usr/bin/python3 adain-testkit/oracle/make_hdf5_fixtures.py)");
            }
            Path p = dir.resolve(name);
            Files.copy(in, p, StandardCopyOption.REPLACE_EXISTING);
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The script's VALUES(n): i * 0.5 - 3. */
    static float[] values(int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = i * 0.5f - 3;
        }
        return v;
    }

    /** What each dataset of 'data/' holds: shape and values. */
    static Hdf5File.FloatData expected(String dataset) {
        switch (dataset) {
            case "contiguous":
                return new Hdf5File.FloatData(new long[] {3, 4}, values(12));
            case "compact":
                return new Hdf5File.FloatData(new long[] {4}, values(4));
            case "chunked":
                return new Hdf5File.FloatData(new long[] {10, 7}, values(70));
            case "chunked_plain":
                return new Hdf5File.FloatData(new long[] {200, 3}, values(600));
            case "single":
                return new Hdf5File.FloatData(new long[] {5, 5}, values(25));
            case "fletcher":
                return new Hdf5File.FloatData(new long[] {6}, values(6));
            case "f16be":
                return new Hdf5File.FloatData(new long[] {8}, values(8));
            case "f64be":
                return new Hdf5File.FloatData(new long[] {2, 3}, values(6));
            case "i16":
                // numpy casts toward zero: -3, -2.5, -2, -1.5, -1 -> -3, -2, -2, -1, -1
                return new Hdf5File.FloatData(new long[] {5}, new float[] {-3, -2, -2, -1, -1});
            case "u8":
                return new Hdf5File.FloatData(new long[] {4}, new float[] {0, 0, 1, 1});
            default:
                throw new IllegalArgumentException(dataset);
        }
    }
}
