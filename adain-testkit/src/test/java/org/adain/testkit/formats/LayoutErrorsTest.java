package org.adain.testkit.formats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.adain.ModelException;
import org.adain.format.PyTorchWeightsReader;
import org.adain.format.Torch7WeightsReader;
import org.adain.spi.WeightsReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Files that are well-formed but not the AdaIN layout, or cut short, or damaged: each is a {@link ModelException}
 * that starts with the file name and says what is wrong, never another exception.
 */
class LayoutErrorsTest {
    private final PyTorchWeightsReader pth = new PyTorchWeightsReader();
    private final Torch7WeightsReader t7 = new Torch7WeightsReader();

    @TempDir
    Path dir;

    private Path file(String name) {
        return FormatFixtures.copyTo(name, dir);
    }

    @Test
    void missingKeyIsNamedWithItsRole() {
        assertThatThrownBy(() -> pth.readDecoder(file(FormatFixtures.BAD_MISSING_KEY)))
                .isInstanceOf(ModelException.class)
                .hasMessageStartingWith("decoder_missing_key.pth: missing key '28.bias' (decoder conv 8 is module 28)");
    }

    @Test
    void extraNumericKeyIsRefused() {
        assertThatThrownBy(() -> pth.readEncoder(file(FormatFixtures.BAD_EXTRA_KEY)))
                .isInstanceOf(ModelException.class)
                .hasMessageStartingWith("vgg_extra_key.pth: unexpected key '60.weight'")
                .hasMessageContaining("conv modules 0, 2, 5, 9, 12, 16, 19, 22, 25, 29, 32, 35, 38, 42, 45, 48, 51");
    }

    @Test
    void extraNamedKeyIsRefused() {
        assertThatThrownBy(() -> pth.readDecoder(file(FormatFixtures.BAD_FOO_KEY)))
                .isInstanceOf(ModelException.class)
                .hasMessageStartingWith("decoder_foo_key.pth: unexpected key 'foo'");
    }

    @Test
    void wrongShapeNamesKeyShapeAndExpectation() {
        assertThatThrownBy(() -> pth.readDecoder(file(FormatFixtures.BAD_WRONG_SHAPE)))
                .isInstanceOf(ModelException.class)
                .hasMessageStartingWith("decoder_wrong_shape.pth: key '28.weight' has shape [3, 16, 3, 3], expected "
                        + "[3, 4, 3, 3]")
                .hasMessageContaining("takes the 4 channels that key '25.weight' gives");
    }

    @Test
    void nanIsRefusedNamingFileAndKey() {
        assertThatThrownBy(() -> pth.readDecoder(file(FormatFixtures.BAD_NAN)))
                .isInstanceOf(ModelException.class)
                .hasMessageStartingWith("decoder_nan.pth: key '14.weight' (decoder conv 4)")
                .hasMessageContaining("NaN");
    }

    @Test
    void wholePickledModelIsRefusedWithAHint() {
        assertThatThrownBy(() -> pth.readDecoder(file(FormatFixtures.BAD_WHOLE_MODEL)))
                .isInstanceOf(ModelException.class)
                .hasMessageStartingWith("whole_model.pth")
                .hasMessageContaining("refused pickle global 'torch.nn.modules.container.Sequential'")
                .hasMessageContaining("save model.state_dict() instead");
    }

    @Test
    void prefixedKeysGetAHint() {
        assertThatThrownBy(() -> pth.readEncoder(file(FormatFixtures.BAD_PREFIXED)))
                .isInstanceOf(ModelException.class)
                .hasMessageStartingWith("vgg_prefixed.pth: unexpected keys 'module.0.weight', 'module.0.bias'")
                .hasMessageContaining("every key starts with 'module.'");
    }

    @Test
    void encoderAndDecoderSwappedAreRecognised() {
        assertThatThrownBy(() -> pth.readEncoder(file(FormatFixtures.ZIP_DECODER)))
                .hasMessageContaining("this looks like an AdaIN decoder: pass it as the decoder");
        assertThatThrownBy(() -> pth.readDecoder(file(FormatFixtures.LEGACY_ENCODER)))
                .hasMessageContaining("this looks like the VGG encoder: pass it as the encoder");
        assertThatThrownBy(() -> t7.readEncoder(file(FormatFixtures.T7_DECODER)))
                .hasMessageContaining("this looks like an AdaIN decoder");
        assertThatThrownBy(() -> t7.readDecoder(file(FormatFixtures.T7_ENCODER)))
                .hasMessageContaining("this looks like the VGG encoder");
    }

    // ---- Torch7 module checks, by patching one field of the real fixture ------------------------

    /** Replaces the first occurrence of {@code from} (after {@code marker}) with {@code to}. */
    private static byte[] patch(byte[] data, String marker, byte[] from, byte[] to) {
        byte[] m = marker.getBytes(StandardCharsets.US_ASCII);
        int at = indexOf(data, m, 0);
        assertThat(at).as("marker " + marker).isGreaterThanOrEqualTo(0);
        int p = indexOf(data, from, at + m.length);
        assertThat(p).as("value after " + marker).isEqualTo(at + m.length);
        byte[] out = data.clone();
        System.arraycopy(to, 0, out, p, to.length);
        return out;
    }

    static int indexOf(byte[] data, byte[] needle, int from) {
        outer:
        for (int i = from; i + needle.length <= data.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (data[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static byte[] le(int... ints) {
        byte[] b = new byte[ints.length * 4];
        for (int i = 0; i < ints.length; i++) {
            for (int k = 0; k < 4; k++) {
                b[i * 4 + k] = (byte) (ints[i] >>> (8 * k));
            }
        }
        return b;
    }

    private static byte[] number(double d) {
        long bits = Double.doubleToLongBits(d);
        byte[] b = new byte[12];
        System.arraycopy(le(1), 0, b, 0, 4);
        for (int k = 0; k < 8; k++) {
            b[4 + k] = (byte) (bits >>> (8 * k));
        }
        return b;
    }

    @Test
    void t7PoolingThatFloorsIsRefused() throws Exception {
        // the first 'ceil_mode' is module 7's: boolean true (tag 5, value 1) becomes false
        byte[] b = patch(FormatFixtures.bytes(FormatFixtures.T7_ENCODER), "ceil_mode", le(5, 1), le(5, 0));
        Path f = Files.write(dir.resolve("floor.t7"), b);
        assertThatThrownBy(() -> t7.readEncoder(f)).isInstanceOf(ModelException.class)
                .hasMessageStartingWith("floor.t7: module 7 (nn.SpatialMaxPooling, a 2×2 max-pool) rounds its output "
                        + "size down");
    }

    @Test
    void t7ConvThatZeroPadsIsRefused() throws Exception {
        // the first 'padW' is module 0's
        byte[] b = patch(FormatFixtures.bytes(FormatFixtures.T7_ENCODER), "padW", number(0), number(1));
        Path f = Files.write(dir.resolve("zeropad.t7"), b);
        assertThatThrownBy(() -> t7.readEncoder(f)).isInstanceOf(ModelException.class)
                .hasMessageStartingWith("zeropad.t7: module 0 (nn.SpatialConvolution, the 1×1 preprocessing conv) "
                        + "zero-pads");
    }

    @Test
    void t7WrongKernelSizeIsRefused() throws Exception {
        // the first 'kW' is module 0's: a 1×1 conv claiming 3 wide
        byte[] b = patch(FormatFixtures.bytes(FormatFixtures.T7_ENCODER), "kW", number(1), number(3));
        Path f = Files.write(dir.resolve("kw.t7"), b);
        assertThatThrownBy(() -> t7.readEncoder(f)).isInstanceOf(ModelException.class)
                .hasMessageStartingWith("kw.t7: module 0 (nn.SpatialConvolution, the 1×1 preprocessing conv) "
                        + "has kW = 3, expected 1");
    }

    // ---- truncation and damage -------------------------------------------------------------------

    private static final List<String> ALL_GOOD = List.of(FormatFixtures.ZIP_ENCODER, FormatFixtures.ZIP_DECODER,
            FormatFixtures.LEGACY_ENCODER, FormatFixtures.LEGACY_DECODER, FormatFixtures.T7_ENCODER,
            FormatFixtures.T7_DECODER);

    private WeightsReader reader(String name) {
        return name.endsWith(".t7") ? t7 : pth;
    }

    private void read(String name, Path f) {
        if (name.contains("vgg")) {
            reader(name).readEncoder(f);
        } else {
            reader(name).readDecoder(f);
        }
    }

    /** Cut at 40 points spread over the file (and just before the end): always a clear ModelException. */
    @ParameterizedTest
    @ValueSource(strings = {FormatFixtures.ZIP_ENCODER, FormatFixtures.ZIP_DECODER, FormatFixtures.LEGACY_ENCODER,
        FormatFixtures.LEGACY_DECODER, FormatFixtures.T7_ENCODER, FormatFixtures.T7_DECODER})
    void truncatedFilesGiveAClearMessage(String name) throws Exception {
        byte[] full = FormatFixtures.bytes(name);
        List<Integer> cuts = new ArrayList<>();
        for (int i = 1; i < 40; i++) {
            cuts.add((int) ((long) full.length * i / 40));
        }
        cuts.addAll(List.of(1, 8, 20, full.length - 1, full.length - 4));
        for (int cut : cuts) {
            String fileName = "cut" + cut + name.substring(name.lastIndexOf('.'));
            Path f = Files.write(dir.resolve(fileName), Arrays.copyOf(full, cut));
            assertThatThrownBy(() -> read(name, f)).as(name + " cut at " + cut)
                    .isInstanceOf(ModelException.class)
                    .hasMessageStartingWith(fileName + ": ")
                    .satisfies(e -> assertThat(e.getMessage()).containsAnyOf("truncated", "corrupt"));
        }
    }

    /**
     * Seeded random damage (1–8 bytes overwritten): reading either succeeds (the damage hit weight values) or
     * fails with a ModelException naming the file; never another exception, a hang or a huge allocation.
     */
    @Test
    void damagedFilesNeverEscapeAsOtherExceptions() throws Exception {
        Random rnd = new Random(20170417);
        int failures = 0;
        int runs = 0;
        for (String name : ALL_GOOD) {
            byte[] full = FormatFixtures.bytes(name);
            for (int run = 0; run < 60; run++) {
                byte[] b = full.clone();
                int n = 1 + rnd.nextInt(8);
                // half the damage in the first 4 kB, where the structure (pickles, headers) is
                for (int k = 0; k < n; k++) {
                    int at = rnd.nextBoolean() ? rnd.nextInt(Math.min(4096, b.length)) : rnd.nextInt(b.length);
                    b[at] = (byte) rnd.nextInt(256);
                }
                String fileName = "damaged" + name.substring(name.lastIndexOf('.'));
                Path f = Files.write(dir.resolve(fileName), b);
                runs++;
                try {
                    read(name, f);
                } catch (ModelException e) {
                    failures++;
                    assertThat(e.getMessage()).as(name + " run " + run).startsWith(fileName);
                }
            }
        }
        assertThat(failures).as("damaged files refused, of " + runs).isGreaterThan(runs / 4);
    }
}
