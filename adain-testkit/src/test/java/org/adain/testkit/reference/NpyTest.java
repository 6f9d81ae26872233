package org.adain.testkit.reference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpyTest {

    /** Builds an .npy byte image: header dict text as given, padded to 64 bytes, then the payload. */
    static byte[] npy(int major, String dict, byte[] payload) {
        int pre = major == 1 ? 10 : 12;
        StringBuilder h = new StringBuilder(dict);
        while ((pre + h.length() + 1) % 64 != 0) {
            h.append(' ');
        }
        h.append('\n');
        byte[] hb = h.toString().getBytes(StandardCharsets.ISO_8859_1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) major, 0});
        ByteBuffer len = ByteBuffer.allocate(major == 1 ? 2 : 4).order(ByteOrder.LITTLE_ENDIAN);
        if (major == 1) {
            len.putShort((short) hb.length);
        } else {
            len.putInt(hb.length);
        }
        out.writeBytes(len.array());
        out.writeBytes(hb);
        out.writeBytes(payload);
        return out.toByteArray();
    }

    static byte[] doubles(double... v) {
        ByteBuffer b = ByteBuffer.allocate(8 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (double d : v) {
            b.putDouble(d);
        }
        return b.array();
    }

    static byte[] floats(float... v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) {
            b.putFloat(f);
        }
        return b.array();
    }

    static String dict(String descr, boolean fortran, String shape) {
        return "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") + ", 'shape': " + shape
                + ", }";
    }

    @Test
    void readsFloat64Version1() {
        Npy.Array a = Npy.read(npy(1, dict("<f8", false, "(2, 3)"), doubles(1, 2, 3, 4, 5, -6.5)), "a.npy");
        assertThat(a.shape()).containsExactly(2, 3);
        assertThat(a.data()).containsExactly(1, 2, 3, 4, 5, -6.5);
        assertThat(a.get(1, 2)).isEqualTo(-6.5);
        assertThat(a.maxAbs()).isEqualTo(6.5);
    }

    @Test
    void readsFloat32Version2AndOtherKeyOrder() {
        byte[] b = npy(2, "{'shape': (3,), 'fortran_order': False, 'descr': '<f4'}", floats(0.5f, 0.1f, -2f));
        Npy.Array a = Npy.read(b, "b.npy");
        assertThat(a.shape()).containsExactly(3);
        assertThat(a.data()).containsExactly(0.5, (double) 0.1f, -2.0);
    }

    @Test
    void readsScalarAndEmpty() {
        assertThat(Npy.read(npy(1, dict("<f8", false, "()"), doubles(7)), "s.npy").shape()).isEmpty();
        Npy.Array e = Npy.read(npy(1, dict("<f8", false, "(0, 4)"), new byte[0]), "e.npy");
        assertThat(e.shape()).containsExactly(0, 4);
        assertThat(e.size()).isZero();
    }

    @Test
    void rejectsWhatItDoesNotSupportNamingTheFile() {
        assertThatThrownBy(() -> Npy.read("not numpy at all".getBytes(StandardCharsets.US_ASCII), "x.npy"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("x.npy").hasMessageContaining("magic");
        assertThatThrownBy(() -> Npy.read(npy(1, dict(">f8", false, "(1,)"), doubles(1)), "big.npy"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("big.npy").hasMessageContaining(">f8");
        assertThatThrownBy(() -> Npy.read(npy(1, dict("<i4", false, "(2,)"), doubles(1)), "int.npy"))
                .hasMessageContaining("int.npy").hasMessageContaining("<i4");
        assertThatThrownBy(() -> Npy.read(npy(1, dict("<f8", true, "(1, 2)"), doubles(1, 2)), "f.npy"))
                .hasMessageContaining("f.npy").hasMessageContaining("fortran_order");
        assertThatThrownBy(() -> Npy.read(npy(1, dict("<f8", false, "(3,)"), doubles(1, 2)), "short.npy"))
                .hasMessageContaining("short.npy").hasMessageContaining("needs 24 data bytes");
        assertThatThrownBy(() -> Npy.read(npy(1, dict("<f8", false, "(1,)"), doubles(1, 2)), "long.npy"))
                .hasMessageContaining("long.npy").hasMessageContaining("the file has 16");
        assertThatThrownBy(() -> Npy.read(npy(1, dict("<f8", false, "(2)"), doubles(1, 2)), "tuple.npy"))
                .hasMessageContaining("tuple.npy").hasMessageContaining("trailing comma");
        assertThatThrownBy(() -> Npy.read(npy(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (1,), 'x': 1}",
                doubles(1)), "extra.npy")).hasMessageContaining("extra.npy").hasMessageContaining("header");
        byte[] v4 = npy(2, dict("<f8", false, "(1,)"), doubles(1));
        v4[6] = 4;
        assertThatThrownBy(() -> Npy.read(v4, "v4.npy")).hasMessageContaining("v4.npy").hasMessageContaining("4.0");
    }

    @Test
    void readsAFileAndNamesItInErrors(@TempDir Path dir) throws Exception {
        Path good = dir.resolve("good.npy");
        Files.write(good, npy(1, dict("<f8", false, "(1, 1)"), doubles(3)));
        assertThat(Npy.read(good).data()).containsExactly(3);
        Path bad = dir.resolve("bad.npy");
        Files.write(bad, new byte[] {1, 2, 3});
        assertThatThrownBy(() -> Npy.read(bad)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(bad.toString());
    }

    @Test
    void arrayChecksShapesAndIndices() {
        assertThatThrownBy(() -> new Npy.Array(new int[] {2, 2}, new double[3]))
                .isInstanceOf(IllegalArgumentException.class);
        Npy.Array a = new Npy.Array(new int[] {2}, new double[] {1, 2});
        assertThatThrownBy(() -> a.get(2)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThat(a.maxAbsDiff(new Npy.Array(new int[] {2}, new double[] {1, 2.5}))).isEqualTo(0.5);
        assertThatThrownBy(() -> a.maxAbsDiff(new Npy.Array(new int[] {1, 2}, new double[] {1, 2})))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
