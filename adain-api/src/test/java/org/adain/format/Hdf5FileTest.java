package org.adain.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.adain.ModelException;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The HDF5 reader against files written by h5py in seven flavours of the format (superblocks 0–3, object headers
 * v1 and v2, old- and new-style groups, compact and dense links and attributes, every layout and chunk index HDF5
 * 1.10 writes for small datasets, 4-byte offsets, a user block): each must read as the same content. Then
 * refusals by name, and corruptions built from these files.
 */
class Hdf5FileTest {
    @TempDir
    Path dir;

    private Hdf5File open(String fixture) {
        return Hdf5File.open(Hdf5Fixtures.copy(fixture, dir), fixture);
    }

    @Nested
    class EveryFlavourReadsTheSameContent {
        @ParameterizedTest
        @ValueSource(strings = {"earliest.h5", "sb1.h5", "v18.h5", "latest.h5", "early_alloc.h5", "small_offsets.h5",
            "userblock.h5"})
        void content(String fixture) {
            try (Hdf5File h5 = open(fixture)) {
                assertThat(h5.superblockVersion()).isEqualTo(Hdf5Fixtures.FLAVOURS.get(fixture));
                assertThat(h5.string("/", "fixed", 100)).isEqualTo("fixed");
                assertThat(h5.string("/", "vlen", 100)).isEqualTo("variable length");
                assertThat(h5.stringList("/", "names", 100)).containsExactly("a", "bb", "ccc");
                assertThat(h5.stringList("/", "empty", 100)).isEmpty();
                assertThat(h5.stringList("/", "absent", 100)).isNull();
                assertThat(h5.hasRootAttribute("ints")).isTrue();
                assertThat(h5.hasRootAttribute("nope")).isFalse();
                assertThat(ints(h5.root().attribute("ints"))).containsExactly(1, -2, 3);

                List<String> members = new ArrayList<>(h5.object("g").links().keySet());
                members.sort(null);
                assertThat(members).hasSize(Hdf5Fixtures.MEMBERS).startsWith("m000").endsWith("m039");
                for (int i = 0; i < Hdf5Fixtures.MEMBERS; i++) {
                    Hdf5Object m = h5.object(String.format("g/m%03d", i));
                    assertThat(m.isGroup()).as("g/m%03d", i).isTrue();
                    assertThat(ints(m.attribute("index"))).containsExactly(i);
                }
                Hdf5Object attrs = h5.object("attrs");
                for (int i = 0; i < Hdf5Fixtures.ATTRS; i++) {
                    assertThat(ints(attrs.attribute(String.format("a%02d", i)))).containsExactly(i);
                }
                assertThat(attrs.attribute("a12")).isNull();

                for (String name : Hdf5Fixtures.DATASETS) {
                    Hdf5File.FloatData want = Hdf5Fixtures.expected(name);
                    Hdf5File.FloatData got = h5.readFloats("data/" + name);
                    assertThat(got.shape()).as(name).containsExactly(want.shape());
                    assertThat(h5.datasetShape("data/" + name)).as(name).containsExactly(want.shape());
                    assertThat(got.data()).as(name).containsExactly(want.data());
                }
                assertThat(h5.exists("data/contiguous")).isTrue();
                assertThat(h5.exists("data/nothing")).isFalse();
                assertThat(h5.exists("nothing/at/all")).isFalse();
            }
        }

        /** int64/int32 attribute values, decoded independently of the reader's float conversion. */
        private long[] ints(Hdf5Attributes.Attribute a) {
            assertThat(a).isNotNull();
            Hdf5Buf d = a.data().fresh();
            long[] out = new long[(int) a.count()];
            for (int i = 0; i < out.length; i++) {
                long v = d.uvar((int) a.type().size(), "a value");
                out[i] = a.type().size() == 4 ? (int) v : v;
            }
            return out;
        }

        @Test
        void theNewStyleFlavourReallyUsesDenseLinksAndAttributes() {
            try (Hdf5File h5 = open("latest.h5")) {
                Hdf5Object g = h5.object("g");
                assertThat(g.messages()).extracting(Hdf5Object.Message::type).contains(Hdf5Object.LINK_INFO)
                        .doesNotContain(Hdf5Object.LINK, Hdf5Object.SYMBOL_TABLE);
                Hdf5Object attrs = h5.object("attrs");
                assertThat(attrs.messages()).extracting(Hdf5Object.Message::type)
                        .contains(Hdf5Object.ATTRIBUTE_INFO).doesNotContain(Hdf5Object.ATTRIBUTE);
            }
            try (Hdf5File h5 = open("earliest.h5")) {
                assertThat(h5.object("g").messages()).extracting(Hdf5Object.Message::type)
                        .contains(Hdf5Object.SYMBOL_TABLE);
            }
        }
    }

    @Nested
    class RefusedByName {
        @Test
        void foreignFilters() {
            try (Hdf5File h5 = open("earliest.h5")) {
                assertThatThrownBy(() -> h5.readFloats("refused/lzf")).isInstanceOf(ModelException.class)
                        .hasMessage("earliest.h5: dataset 'refused/lzf' is compressed with the filter 'lzf' "
                                + "(filter 32000); only deflate (gzip), shuffle and fletcher32 are read. Save the "
                                + "weights uncompressed or with gzip");
                assertThatThrownBy(() -> h5.readFloats("refused/scaleoffset")).isInstanceOf(ModelException.class)
                        .hasMessageContaining("the filter 'scaleoffset' (filter 6)");
            }
        }

        @Test
        void chunkIndexesOfUnlimitedDimensions() {
            try (Hdf5File h5 = open("latest.h5")) {
                assertThatThrownBy(() -> h5.readFloats("refused/extensible")).isInstanceOf(ModelException.class)
                        .hasMessageStartingWith("latest.h5: dataset 'refused/extensible' indexes its chunks with an "
                                + "extensible array");
                assertThatThrownBy(() -> h5.readFloats("refused/btree2")).isInstanceOf(ModelException.class)
                        .hasMessageStartingWith("latest.h5: dataset 'refused/btree2' indexes its chunks with a "
                                + "version 2 B-tree");
            }
            try (Hdf5File h5 = open("earliest.h5")) {
                // the same datasets in the 1.8 format use the v1 B-tree, which is read
                assertThat(h5.readFloats("refused/extensible").data()).containsExactly(Hdf5Fixtures.values(8));
                assertThat(h5.readFloats("refused/btree2").data()).containsExactly(Hdf5Fixtures.values(8));
            }
        }

        @Test
        void softAndExternalLinks() {
            for (String f : List.of("earliest.h5", "latest.h5")) {
                try (Hdf5File h5 = open(f)) {
                    assertThatThrownBy(() -> h5.readFloats("refused/soft")).isInstanceOf(ModelException.class)
                            .hasMessage(f + ": 'refused/soft' is a soft link; only hard links are followed (Keras "
                                    + "writes no others)");
                    assertThatThrownBy(() -> h5.exists("refused/external/x")).isInstanceOf(ModelException.class)
                            .hasMessageContaining("'refused/external' is an external link");
                }
            }
        }

        @Test
        void nonNumericDataAndNonStringNames() {
            try (Hdf5File h5 = open("earliest.h5")) {
                assertThatThrownBy(() -> h5.stringList("/", "ints", 100)).isInstanceOf(ModelException.class)
                        .hasMessage("earliest.h5: attribute 'ints' of the root group holds 3 non-string values; "
                                + "expected a list of names");
                assertThatThrownBy(() -> h5.readFloats("g")).isInstanceOf(ModelException.class)
                        .hasMessage("earliest.h5: 'g': is a group, not a dataset");
                assertThatThrownBy(() -> h5.exists("data/contiguous/x")).isInstanceOf(ModelException.class)
                        .hasMessage("earliest.h5: 'data/contiguous': is not a group, so it has no member 'x'");
            }
        }
    }

    @Nested
    class NotHdf5OrBroken {
        @Test
        void missingEmptyAndForeignFiles() throws IOException {
            assertThatThrownBy(() -> Hdf5File.open(dir.resolve("none.h5"), "none.h5"))
                    .isInstanceOf(ModelException.class).hasMessageStartingWith("none.h5: no such file");
            Path empty = Files.createFile(dir.resolve("empty.h5"));
            assertThatThrownBy(() -> Hdf5File.open(empty, "empty.h5")).isInstanceOf(ModelException.class)
                    .hasMessage("empty.h5: not an HDF5 file (no HDF5 signature); a Keras .h5 file is expected");
            assertThatThrownBy(() -> Hdf5File.open(dir, "dir")).isInstanceOf(ModelException.class)
                    .hasMessageStartingWith("dir: not a regular file");
        }

        @Test
        void truncatedFile() throws IOException {
            Path f = Hdf5Fixtures.copy("earliest.h5", dir);
            byte[] all = Files.readAllBytes(f);
            Files.write(f, Arrays.copyOf(all, all.length - 1000));
            assertThatThrownBy(() -> Hdf5File.open(f, "cut.h5")).isInstanceOf(ModelException.class)
                    .hasMessage("cut.h5: the file is truncated: the superblock says it ends at byte " + all.length
                            + ", but it has " + (all.length - 1000) + " bytes");
        }

        @Test
        void aFlippedByteInAVersion2HeaderFailsItsChecksum() throws IOException {
            Path f = Hdf5Fixtures.copy("latest.h5", dir);
            long address;
            try (Hdf5File h5 = Hdf5File.open(f, "latest.h5")) {
                address = h5.object("data/contiguous").address();
            }
            byte[] all = Files.readAllBytes(f);
            all[(int) address + 30] ^= 0x10;
            Files.write(f, all);
            try (Hdf5File h5 = Hdf5File.open(f, "latest.h5")) {
                assertThatThrownBy(() -> h5.readFloats("data/contiguous")).isInstanceOf(ModelException.class)
                        .hasMessageStartingWith("latest.h5: the object header of 'data/contiguous' at address "
                                + address)
                        .hasMessageContaining("the checksum does not match");
            }
        }

        @Test
        void aGroupBTreeWhoseTwoChildrenAreOneNodeIsACycle() throws IOException {
            Path f = Hdf5Fixtures.copy("earliest.h5", dir);
            long btree;
            try (Hdf5File h5 = Hdf5File.open(f, "earliest.h5")) {
                btree = h5.object("g").message(Hdf5Object.SYMBOL_TABLE, "symbol table").read().offset("b-tree");
            }
            byte[] all = Files.readAllBytes(f);
            ByteBuffer b = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
            // TREE, type, level, entries, left, right, then key 0, child 0, key 1, child 1 (8-byte fields)
            int node = (int) btree;
            assertThat(new String(all, node, 4, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("TREE");
            assertThat(b.getShort(node + 6)).as("entries").isGreaterThan((short) 1);
            long child0 = b.getLong(node + 24 + 8);
            b.putLong(node + 24 + 8 + 16, child0);
            Files.write(f, all);
            try (Hdf5File h5 = Hdf5File.open(f, "earliest.h5")) {
                assertThatThrownBy(() -> h5.object("g/m000")).isInstanceOf(ModelException.class)
                        .hasMessageStartingWith("earliest.h5: a ").hasMessageContaining(" of 'g' at address " + child0
                                + ": is reached twice");
            }
        }

        @Test
        void aDataspaceThatClaimsMoreThanTheFileHoldsIsRefusedBeforeReading() throws IOException {
            Path f = Hdf5Fixtures.copy("earliest.h5", dir);
            byte[] all = Files.readAllBytes(f);
            // the dataspace message of data/contiguous: version 1, rank 2, then dims 3 and 4 as 8-byte integers
            byte[] dims = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(3).putLong(4).array();
            int at = indexOf(all, dims);
            assertThat(at).isPositive();
            ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN).putLong(at, 1L << 34);
            Files.write(f, all);
            try (Hdf5File h5 = Hdf5File.open(f, "earliest.h5")) {
                assertThatThrownBy(() -> h5.readFloats("data/contiguous")).isInstanceOf(ModelException.class)
                        .hasMessageStartingWith("earliest.h5: dataset 'data/contiguous' has 68719476736 values, "
                                + "more than any VGG-19 layer");
            }
        }

        @Test
        void chunkedDataThatWouldDecompressToMoreThanTheBudgetIsRefusedBeforeItIsAllocated() throws IOException {
            Path f = Hdf5Fixtures.copy("earliest.h5", dir);
            byte[] all = Files.readAllBytes(f);
            // data/chunked is [10, 7] in (4, 3) chunks: claim [2^20, 7], 29 MB of float32 in 786432 chunks
            byte[] dims = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(10).putLong(7).array();
            int at = indexOf(all, dims);
            assertThat(at).isPositive();
            ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN).putLong(at, 1L << 20);
            Files.write(f, all);
            try (Hdf5File h5 = Hdf5File.open(f, "earliest.h5")) {
                assertThatThrownBy(() -> h5.readFloats("data/chunked")).isInstanceOf(ModelException.class)
                        .hasMessageStartingWith("earliest.h5: reading the data of dataset 'data/chunked' would bring "
                                + "the work on this file past 16 MiB for a file of " + all.length + " bytes");
            }
        }

        private int indexOf(byte[] hay, byte[] needle) {
            outer:
            for (int i = 0; i + needle.length <= hay.length; i++) {
                for (int j = 0; j < needle.length; j++) {
                    if (hay[i + j] != needle[j]) {
                        continue outer;
                    }
                }
                return i;
            }
            return -1;
        }
    }
}
