package org.adain.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SafeTextTest {
    @Test
    void printableTextIsUnchanged() {
        assertThat(SafeText.of("block1_conv1/kernel:0")).isEqualTo("block1_conv1/kernel:0");
        assertThat(SafeText.of("Größe ×2 日本 😀")).isEqualTo("Größe ×2 日本 😀");
        assertThat(SafeText.quoted("conv")).isEqualTo("'conv'");
        assertThat(SafeText.of(null)).isEqualTo("null");
    }

    @Test
    void controlAndInvisibleCharactersAreEscaped() {
        // a terminal escape sequence, a newline that would forge a second log line, NUL, DEL, C1 controls
        assertThat(SafeText.of("conv\u001b[31m1\nERROR fake\u0000\u007f\u0085"))
                .isEqualTo("conv\\x1b[31m1\\x0aERROR fake\\x00\\x7f\\x85");
        // right-to-left override, zero-width space, line separator, an unpaired surrogate
        assertThat(SafeText.of("a\u202eb\u200bc\u2028d\ud800e")).isEqualTo("a\\u202eb\\u200bc\\u2028d\\ud800e");
        // the backslash itself, so that escapes are unambiguous
        assertThat(SafeText.of("a\\x41")).isEqualTo("a\\\\x41");
    }

    @Test
    void longTextIsCutWithAnEllipsisAndOnlyTheCapIsWorkedOn() {
        String huge = "x".repeat(50_000_000);
        assertThat(SafeText.of(huge)).hasSize(SafeText.DEFAULT_MAX + 1).endsWith(SafeText.ELLIPSIS);
        assertThat(SafeText.of("abcdef", 4)).isEqualTo("abcd…");
        assertThat(SafeText.of("abcd", 4)).isEqualTo("abcd");
        // an escape is never split by the cut
        assertThat(SafeText.of("ab\u0001cd", 4)).isEqualTo("ab…");
        assertThatThrownBy(() -> SafeText.of("a", 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void zipEntryNamesInMessagesGoThroughIt() {
        assertThatThrownBy(() -> ZipBounds.checkName("x/\u001b[2J/../y", "f.pth"))
                .isInstanceOf(org.adain.ModelException.class)
                .hasMessage("f.pth: the zip entry name 'x/\\x1b[2J/../y' is absolute or leaves the archive ('..'); "
                        + "refusing the file");
    }

    @Test
    void bytesAreDecodedAsUtf8ThenEscaped() {
        byte[] b = "näme\u0007".getBytes(StandardCharsets.UTF_8);
        assertThat(SafeText.ofBytes(b, 50)).isEqualTo("näme\\x07");
        assertThat(SafeText.ofBytes(new byte[] {(byte) 0xff, 'a'}, 50)).isEqualTo("\ufffda");
        assertThat(SafeText.ofBytes(new byte[10_000], 5)).isEqualTo("\\x00…");
    }
}
