package org.adain.testkit.formats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.adain.ModelException;
import org.adain.format.KerasWeightsReader;
import org.adain.testkit.reference.ReferenceCases;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keras fixtures edited in place to attack the pure-Java reader where the native one was hurt: a model_config that
 * is not JSON (DL4J spent up to 1 GB and 46 s on one), one nested without end, lengths that lie about the
 * model_config, and text from the file that would write terminal escapes into a message.
 */
class KerasH5HostileTest {
    private final KerasWeightsReader reader = new KerasWeightsReader();

    @TempDir
    Path dir;

    /** encoder_keras23.h5 keeps model_config as a fixed-length string inside the root object header. */
    private static final String KERAS23 = "encoder_keras23.h5";
    /** encoder_tf2.h5 keeps it as a variable-length string in a global heap. */
    private static final String TF2 = "encoder_tf2.h5";

    private byte[] bytes(String fixture) throws IOException {
        return Files.readAllBytes(ReferenceCases.copyTo("models/" + fixture, dir.resolve("src")));
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new IllegalStateException("pattern not in the fixture");
    }

    /** Replaces the fixed-length model_config by {@code text}, NUL-padded to the same length. */
    private Path withKeras23Config(String text, String as) throws IOException {
        byte[] b = bytes(KERAS23);
        int start = indexOf(b, "{\"class_name\"".getBytes(StandardCharsets.US_ASCII));
        int end = start;
        while (b[end] != 0) {
            end++;
        }
        byte[] t = text.getBytes(StandardCharsets.UTF_8);
        assertThat(t.length).isLessThanOrEqualTo(end - start);
        Arrays.fill(b, start, end, (byte) 0);
        System.arraycopy(t, 0, b, start, t.length);
        return Files.write(dir.resolve(as), b);
    }

    @Test
    void aModelConfigThatIsNotJsonIsRefusedAtOnce() throws IOException {
        StringBuilder garbage = new StringBuilder();
        java.util.Random r = new java.util.Random(3);
        while (garbage.length() < 11_000) {
            garbage.append((char) (0x20 + r.nextInt(0x5f)));
        }
        garbage.setCharAt(0, '\u001b');
        Path f = withKeras23Config(garbage.toString(), "garbage.h5");
        assertThatThrownBy(() -> reader.readEncoder(f)).isInstanceOf(ModelException.class)
                .hasMessageStartingWith("garbage.h5: the model_config attribute is not valid JSON (unexpected "
                        + "'\\x1b")
                .hasMessageEndingWith(" at character 0)");
    }

    @Test
    void aModelConfigNestedWithoutEndIsRefusedAtTheDepthCap() throws IOException {
        Path f = withKeras23Config("[".repeat(11_000), "deep.h5");
        assertThatThrownBy(() -> reader.readEncoder(f)).isInstanceOf(ModelException.class)
                .hasMessage("deep.h5: the model_config attribute is not valid JSON (nesting deeper than 64 levels at "
                        + "character 64)");
    }

    @Test
    void terminalEscapesInALayerNameReachTheMessageEscaped() throws IOException {
        byte[] b = bytes(KERAS23);
        int start = indexOf(b, "{\"class_name\"".getBytes(StandardCharsets.US_ASCII));
        int end = start;
        while (b[end] != 0) {
            end++;
        }
        String json = new String(b, start, end - start, StandardCharsets.US_ASCII);
        // same length, so the string still fits its fixed-length type: "block2_conv1" is 12 characters as is
        // "b2c\u001b[7m" written as JSON
        String evil = json.replace("block2_conv1", "b2c\\u001b[7m");
        assertThat(evil).hasSameSizeAs(json).isNotEqualTo(json);
        Path f = withKeras23Config(evil, "escape.h5");
        assertThatThrownBy(() -> reader.readEncoder(f)).isInstanceOf(ModelException.class)
                .hasMessage("escape.h5: layer 'b2c\\x1b[7m' has no weights in the file (no group "
                        + "'model_weights/b2c\\x1b[7m')");
    }

    @Test
    void aFixedLengthModelConfigLongerThanItsMessageIsRefusedBeforeReading() throws IOException {
        byte[] b = bytes(KERAS23);
        // the datatype of model_config: class 3 (string) version 1, NUL-padded, 11044 bytes
        int type = indexOf(b, new byte[] {0x13, 0x01, 0, 0, 0x24, 0x2b, 0, 0});
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(type + 4, Integer.MAX_VALUE);
        Path f = Files.write(dir.resolve("long.h5"), b);
        assertThatThrownBy(() -> reader.readEncoder(f)).isInstanceOf(ModelException.class)
                .hasMessageStartingWith("long.h5: attribute 'model_config' of the root group: declares 1 element(s) of "
                        + Integer.MAX_VALUE + " bytes, but its message holds only ");
    }

    @Test
    void aVariableLengthModelConfigOverTheCapIsRefusedBeforeItIsRead() throws IOException {
        byte[] b = bytes(TF2);
        // the variable-length string's descriptor in the root header: length 9733, then its global heap ID
        int at = indexOf(b, new byte[] {0x05, 0x26, 0, 0, 0, 0x08, 0, 0, 0, 0, 0, 0});
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        bb.putInt(at, KerasWeightsReader.MAX_MODEL_CONFIG_BYTES + 1);
        Path over = Files.write(dir.resolve("over.h5"), b);
        assertThatThrownBy(() -> reader.readEncoder(over)).isInstanceOf(ModelException.class)
                .hasMessage("over.h5: attribute 'model_config' of the root group: holds a string of "
                        + (KerasWeightsReader.MAX_MODEL_CONFIG_BYTES + 1) + " bytes, more than the "
                        + KerasWeightsReader.MAX_MODEL_CONFIG_BYTES + " allowed for it");
        // under the cap but longer than its heap object
        bb.putInt(at, 1 << 20);
        Path longer = Files.write(dir.resolve("longer.h5"), b);
        assertThatThrownBy(() -> reader.readEncoder(longer)).isInstanceOf(ModelException.class)
                .hasMessage("longer.h5: attribute 'model_config' of the root group: holds a string of 1048576 bytes "
                        + "whose global heap object has only 9733");
        // shorter: the JSON is cut
        bb.putInt(at, 5000);
        Path cut = Files.write(dir.resolve("cut.h5"), b);
        assertThatThrownBy(() -> reader.readEncoder(cut)).isInstanceOf(ModelException.class)
                .hasMessageStartingWith("cut.h5: the model_config attribute is not valid JSON (");
    }
}
