package org.adain.testkit.formats;

import static org.adain.testkit.formats.FormatFixtures.MARKER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.adain.ModelException;
import org.adain.format.PyTorchWeightsReader;
import org.adain.format.Torch7WeightsReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files built to attack the reader: pickles that run code, zip archives that escape or explode, sizes that lie,
 * structures that exhaust memory or the stack, Torch7 streams with foreign classes or Lua bytecode. Each is
 * refused with a {@link ModelException} naming the file, before anything it asks for is done.
 */
class HostileInputsTest {
    private final PyTorchWeightsReader pth = new PyTorchWeightsReader();
    private final Torch7WeightsReader t7 = new Torch7WeightsReader();

    @TempDir
    Path dir;

    // ---- code execution --------------------------------------------------------------------------

    private List<Path> markerPlaces(Path fixtureDir) {
        return List.of(Path.of(MARKER).toAbsolutePath(), Path.of(System.getProperty("java.io.tmpdir"), MARKER),
                dir.resolve(MARKER), fixtureDir.resolve(MARKER));
    }

    /**
     * The fixtures' pickles call {@code os.system('touch adain-pwned-marker')} on REDUCE (GLOBAL 'posix system');
     * make_torch_fixtures.py checked that torch.load really creates the marker. Our reader must refuse the global by
     * name, and no marker may appear anywhere the command could have run.
     */
    @Test
    void maliciousPickleIsRefusedAndRunsNothing() {
        for (String evil : List.of(FormatFixtures.EVIL_ZIP, FormatFixtures.EVIL_LEGACY)) {
            Path f = FormatFixtures.copyTo(evil, dir);
            for (Path p : markerPlaces(f.getParent())) {
                assertThat(p).as("marker must not exist before the test (delete it: " + p + ")").doesNotExist();
            }
            String text = new String(FormatFixtures.bytes(evil), StandardCharsets.ISO_8859_1);
            assertThat(text).as("the fixture really carries the payload").contains("posix\nsystem")
                    .contains("touch " + MARKER);
            String name = f.getFileName().toString();
            assertThatThrownBy(() -> pth.readDecoder(f)).isInstanceOf(ModelException.class)
                    .hasMessageStartingWith(name)
                    .hasMessageContaining("refused pickle global 'posix.system': only state-dict types are allowed");
            assertThatThrownBy(() -> pth.readEncoder(f)).isInstanceOf(ModelException.class)
                    .hasMessageContaining("refused pickle global 'posix.system'");
            for (Path p : markerPlaces(f.getParent())) {
                assertThat(p).as("nothing was executed").doesNotExist();
            }
        }
    }

    // ---- a torch zip archive, rebuilt with changes ---------------------------------------------

    private Map<String, byte[]> entries(String fixture) throws IOException {
        Map<String, byte[]> out = new LinkedHashMap<>();
        try (ZipFile z = new ZipFile(FormatFixtures.copyTo(fixture, dir.resolve("src")).toFile())) {
            for (ZipEntry e : java.util.Collections.list(z.entries())) {
                out.put(e.getName(), z.getInputStream(e).readAllBytes());
            }
        }
        return out;
    }

    private Path zip(String name, Map<String, byte[]> entries, boolean deflate) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(bos)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                ZipEntry ze = new ZipEntry(e.getKey());
                if (!deflate) {
                    CRC32 crc = new CRC32();
                    crc.update(e.getValue());
                    ze.setMethod(ZipEntry.STORED);
                    ze.setSize(e.getValue().length);
                    ze.setCompressedSize(e.getValue().length);
                    ze.setCrc(crc.getValue());
                }
                z.putNextEntry(ze);
                z.write(e.getValue());
                z.closeEntry();
            }
        }
        return Files.write(dir.resolve(name), bos.toByteArray());
    }

    @Test
    void theRebuiltArchiveItselfReads() throws Exception {
        Path f = zip("rebuilt.pth", entries(FormatFixtures.ZIP_DECODER), false);
        assertThat(pth.readDecoder(f).inputChannels()).isEqualTo(24);
        Path g = zip("deflated.pth", entries(FormatFixtures.ZIP_DECODER), true);
        assertThat(pth.readDecoder(g).inputChannels()).isEqualTo(24);
    }

    @Test
    void zipPathTraversalIsRefused() throws Exception {
        for (String bad : List.of("../evil.sh", "decoder/../../evil.sh", "/etc/cron.d/evil", "C:/evil.bat",
                "decoder\\..\\evil")) {
            Map<String, byte[]> e = entries(FormatFixtures.ZIP_DECODER);
            e.put(bad, "echo pwned".getBytes(StandardCharsets.US_ASCII));
            Path f = zip("traversal.pth", e, false);
            assertThatThrownBy(() -> pth.readDecoder(f)).as(bad).isInstanceOf(ModelException.class)
                    .hasMessageStartingWith("traversal.pth: the zip entry name")
                    .hasMessageContaining("absolute or leaves the archive");
        }
    }

    @Test
    void zipBombIsRefusedBeforeInflating() throws Exception {
        Map<String, byte[]> e = entries(FormatFixtures.ZIP_DECODER);
        e.put("decoder/data/99", new byte[16 << 20]); // 16 MiB of zeros deflate ~1000:1
        Path f = zip("bomb.pth", e, true);
        assertThat(Files.size(f)).isLessThan(200_000);
        assertThatThrownBy(() -> pth.readDecoder(f)).isInstanceOf(ModelException.class)
                .hasMessageStartingWith("bomb.pth: the zip entry 'decoder/data/99' would inflate")
                .hasMessageContaining("zip bomb");
    }

    @Test
    void duplicateEntriesAreRefused() throws Exception {
        // ZipOutputStream refuses duplicate names: add a twin under another name of the same length, then rename it
        Map<String, byte[]> e = entries(FormatFixtures.ZIP_DECODER);
        e.put("decoder/data/XX", e.get("decoder/data/10"));
        byte[] b = Files.readAllBytes(zip("dup.pth", e, false));
        byte[] from = "decoder/data/XX".getBytes(StandardCharsets.US_ASCII);
        byte[] to = "decoder/data/10".getBytes(StandardCharsets.US_ASCII);
        int patched = 0;
        for (int at = LayoutErrorsTest.indexOf(b, from, 0); at >= 0; at = LayoutErrorsTest.indexOf(b, from, at + 1)) {
            System.arraycopy(to, 0, b, at, to.length);
            patched++;
        }
        assertThat(patched).as("local and central headers").isEqualTo(2);
        Path f = Files.write(dir.resolve("dup.pth"), b);
        assertThatThrownBy(() -> pth.readDecoder(f)).isInstanceOf(ModelException.class)
                .hasMessageStartingWith("dup.pth: the zip archive holds the entry 'decoder/data/10' twice");
    }

    @Test
    void storageLargerThanItsEntryIsRefused() throws Exception {
        Map<String, byte[]> e = entries(FormatFixtures.ZIP_DECODER);
        e.put("decoder/data/0", Arrays.copyOf(e.get("decoder/data/0"), 100));
        Path f = zip("short.pth", e, false);
        assertThatThrownBy(() -> pth.readDecoder(f)).isInstanceOf(ModelException.class)
                .hasMessageStartingWith("short.pth: storage '0' should hold 3456 float32 values (13824 bytes), but "
                        + "its entry 'decoder/data/0' has only 100 bytes");
    }

    @Test
    void zipWithoutPickleIsNotATorchFile() throws Exception {
        Map<String, byte[]> e = entries(FormatFixtures.ZIP_DECODER);
        e.remove("decoder/data.pkl");
        Path f = zip("nopickle.pth", e, false);
        assertThatThrownBy(() -> pth.readDecoder(f)).isInstanceOf(ModelException.class)
                .hasMessageStartingWith("nopickle.pth: is a zip archive without '<archive>/data.pkl'");
    }

    // ---- hand-made pickles -------------------------------------------------------------------------

    private Path pickle(String name, byte[] data) throws IOException {
        Map<String, byte[]> e = new LinkedHashMap<>();
        e.put("archive/data.pkl", data);
        e.put("archive/version", "3\n".getBytes(StandardCharsets.US_ASCII));
        return zip(name, e, false);
    }

    private static byte[] bytes(Object... parts) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (Object p : parts) {
            if (p instanceof String s) {
                b.writeBytes(s.getBytes(StandardCharsets.ISO_8859_1));
            } else if (p instanceof Integer i) {
                b.write(i);
            } else {
                b.writeBytes((byte[]) p);
            }
        }
        return b.toByteArray();
    }

    private void refused(String name, byte[] pickle, String message) throws IOException {
        Path f = pickle(name, pickle);
        assertThatThrownBy(() -> pth.readDecoder(f)).as(name).isInstanceOf(ModelException.class)
                .hasMessageStartingWith(name + (message.contains("state dict") ? ": " : " (archive/data.pkl): "))
                .hasMessageContaining(message);
    }

    @Test
    void otherCodeRunningGlobalsAreRefused() throws Exception {
        refused("eval.pth", bytes(0x80, 2, "cbuiltins\neval\n", "X", new byte[] {4, 0, 0, 0}, "1+1", 0x85, "R."),
                "refused pickle global 'builtins.eval'");
        // protocol 4 spells globals with STACK_GLOBAL from two strings
        refused("stackglobal.pth", bytes(0x80, 4, 0x8c, 8, "builtins", 0x8c, 4, "exec", 0x93, "."),
                "refused pickle global 'builtins.exec'");
        refused("subprocess.pth", bytes(0x80, 2, "csubprocess\nPopen\n."), "refused pickle global 'subprocess.Popen'");
        refused("numpy.pth", bytes(0x80, 2, "cnumpy.core.multiarray\n_reconstruct\n."),
                "the file holds numpy arrays, not torch tensors");
    }

    @Test
    void allowedGlobalsCannotBeAbused() throws Exception {
        refused("storagecall.pth", bytes(0x80, 2, "ctorch\nFloatStorage\n)R."), "calls torch.FloatStorage");
        refused("inst.pth", bytes(0x80, 2, "(ios\nsystem\n."), "creates an arbitrary object");
        refused("build.pth", bytes(0x80, 2, "]}b."), "sets the state of a list of 0");
        refused("ext.pth", bytes(0x80, 2, 0x82, 1, "."), "extension registry");
        // _rebuild_tensor_v2(None, 0, (1,), (1,), False, {1: 1})
        refused("hooks.pth", bytes(0x80, 2, "ctorch._utils\n_rebuild_tensor_v2\n", "(NK", 0, "K", 1, 0x85, "K", 1,
                0x85, 0x89, "}K", 1, "K", 1, "stR."), "backward hooks");
    }

    @Test
    void pickleResourceAbuseIsBounded() throws Exception {
        byte[] deep = new byte[2 + 1 + 100 + 1];
        deep[0] = (byte) 0x80;
        deep[1] = 2;
        deep[2] = ')';
        Arrays.fill(deep, 3, 103, (byte) 0x85); // TUPLE1 × 100
        deep[103] = '.';
        refused("deep.pth", deep, "nests tuples more than 32 deep");

        byte[] marks = new byte[(1 << 20) + 10];
        Arrays.fill(marks, (byte) '(');
        refused("marks.pth", marks, "grows its stack beyond");

        refused("hugestring.pth", bytes(0x80, 2, "X", new byte[] {(byte) 0xf0, (byte) 0xff, (byte) 0xff, 0x7f}, "."),
                "declares a string of 2147483632 bytes");
        refused("hugelong.pth", bytes(0x80, 2, 0x8b, new byte[] {0, 0, 0, 0x10}, "."), "integer of 268435456 bytes");
        refused("memo.pth", bytes(0x80, 2, "h", 7, "."), "memo entry 7, which was never stored");
        refused("underflow.pth", bytes(0x80, 2, "0."), "pops from an empty stack");
        refused("opcode.pth", bytes(0x80, 2, "I42\n."), "pickle opcode 'I'");
        refused("notdict.pth", bytes(0x80, 2, "K\u0007."), "holds the integer 7, not a state dict");
    }

    @Test
    void lyingTensorViewsAreRefused() throws Exception {
        // '1.weight' is the 3456 values of storage '0' from offset 0; move its offset to 100, past the storage's end
        Map<String, byte[]> e = entries(FormatFixtures.ZIP_DECODER);
        byte[] pkl = e.get("decoder/data.pkl");
        byte[] view = {'Q', 'K', 0, '(', 'K', 16, 'K', 24};
        int at = LayoutErrorsTest.indexOf(pkl, view, 0);
        assertThat(at).isPositive();
        pkl[at + 2] = 100;
        Path f = zip("lying.pth", e, false);
        assertThatThrownBy(() -> pth.readDecoder(f)).isInstanceOf(ModelException.class)
                .hasMessageStartingWith("lying.pth: key '1.weight' (shape [16, 24, 3, 3], strides [216, 9, 3, 1], "
                        + "offset 100) reaches element 3555 of its storage, which holds only 3456");
    }

    // ---- Torch7 ------------------------------------------------------------------------------------

    @Test
    void t7UnknownClassIsRefusedByName() {
        Path f = FormatFixtures.copyTo(FormatFixtures.T7_UNKNOWN_CLASS, dir);
        assertThatThrownBy(() -> t7.readDecoder(f)).isInstanceOf(ModelException.class)
                .hasMessageStartingWith("unknown_class.t7: unknown Torch class 'nn.Linear' at the root object "
                        + "(nn.Sequential).modules.[2]");
    }

    @Test
    void t7LuaBytecodeIsNeverLoaded() {
        Path f = FormatFixtures.copyTo(FormatFixtures.T7_LUA_FUNCTION, dir);
        assertThatThrownBy(() -> t7.readEncoder(f)).isInstanceOf(ModelException.class)
                .hasMessageStartingWith("lua_function.t7: ")
                .hasMessageContaining("is a Lua function (compiled bytecode), which is never loaded");
    }

    /** A minimal torch7 binary writer for crafted streams (see make_torch_fixtures.py for the format). */
    private static final class T7 {
        final ByteArrayOutputStream b = new ByteArrayOutputStream();

        T7 i32(int v) {
            for (int k = 0; k < 4; k++) {
                b.write(v >>> (8 * k));
            }
            return this;
        }

        T7 i64(long v) {
            for (int k = 0; k < 8; k++) {
                b.write((int) (v >>> (8 * k)));
            }
            return this;
        }

        T7 str(String s) {
            byte[] d = s.getBytes(StandardCharsets.UTF_8);
            i32(d.length);
            b.writeBytes(d);
            return this;
        }

        T7 torch(int ref, String cls) {
            return i32(4).i32(ref).str("V 1").str(cls);
        }

        byte[] bytes() {
            return b.toByteArray();
        }
    }

    private void t7Refused(String name, byte[] data, String message) throws IOException {
        Path f = Files.write(dir.resolve(name), data);
        assertThatThrownBy(() -> t7.readDecoder(f)).as(name).isInstanceOf(ModelException.class)
                .hasMessageStartingWith(name + ": ")
                .hasMessageContaining(message);
    }

    @Test
    void t7ResourceAbuseIsBounded() throws Exception {
        t7Refused("bigtable.t7", new T7().i32(3).i32(1).i32(Integer.MAX_VALUE).bytes(),
                "is a table of 2147483647 entries, more than the file can hold");
        t7Refused("bigstorage.t7", new T7().torch(1, "torch.FloatStorage").i64(1L << 40).bytes(),
                "declares 1099511627776 elements of 4 bytes, more than the");
        T7 deep = new T7();
        for (int i = 1; i <= 100; i++) {
            deep.i32(3).i32(i).i32(1).i32(2).str("x"); // { x = { x = ... } }
        }
        t7Refused("deep.t7", deep.i32(0).bytes(), "nested more than 64 levels deep");
        t7Refused("bigstring.t7", new T7().i32(2).i32(Integer.MAX_VALUE).bytes(), "a string declares 2147483647 bytes");
        t7Refused("dims.t7", new T7().torch(1, "torch.FloatTensor").i32(1000).bytes(), "has 1000 dimensions");
        t7Refused("tag.t7", new T7().i32(9).bytes(), "unknown type tag 9");
        t7Refused("cudnn.t7", new T7().torch(1, "cudnn.SpatialConvolution").bytes(),
                "unknown Torch class 'cudnn.SpatialConvolution'");
        t7Refused("wrongstorage.t7", new T7().torch(1, "torch.FloatTensor").i32(1).i64(4).i64(1).i64(1)
                .torch(2, "torch.LongStorage").i64(4).i64(0).i64(0).i64(0).i64(0).bytes(),
                "expected a torch.FloatStorage");
        t7Refused("table.t7", new T7().i32(3).i32(1).i32(0).bytes(), "not an nn.Sequential model");
    }

    @Test
    void t7AsciiModeIsExplained() throws Exception {
        Path f = Files.write(dir.resolve("ascii.t7"), "4\n1\n3\nV 1\n13\nnn.Sequential\n3\n2\n0\n"
                .getBytes(StandardCharsets.US_ASCII));
        byte[] head = Files.readAllBytes(f);
        assertThat(t7.canRead(f, head)).isTrue();
        assertThatThrownBy(() -> t7.readEncoder(f)).isInstanceOf(ModelException.class)
                .hasMessageStartingWith("ascii.t7: is an ASCII-mode Torch7 file");
    }
}
