package org.adain.testkit.reference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MiniJsonTest {

    @Test
    void parsesTheSubsetTheManifestUses() {
        Object v = MiniJson.parse("{\"a\": [1, -2.5, 1e-05, true, false, null], \"s\": \"x\\\"\\u00e9\\n\", \"o\": {}}",
                "t.json");
        assertThat(v).isInstanceOf(Map.class);
        Map<?, ?> m = (Map<?, ?>) v;
        assertThat(List.<Object>copyOf(m.keySet())).containsExactly("a", "s", "o");
        List<Object> a = new ArrayList<>((List<?>) m.get("a"));
        assertThat(a.get(0)).isEqualTo(1L);
        assertThat(a.get(1)).isEqualTo(-2.5);
        assertThat(a.get(2)).isEqualTo(1e-5);
        assertThat(a.subList(3, 6)).containsExactly(true, false, null);
        assertThat(m.get("s")).isEqualTo("x\"\u00e9\n");
        assertThat((Map<?, ?>) m.get("o")).isEmpty();
    }

    @Test
    void rejectsMalformedInputWithItsSource() {
        assertThatThrownBy(() -> MiniJson.parse("[1, 2,]", "m.json")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("m.json");
        assertThatThrownBy(() -> MiniJson.parse("{\"a\": 1, \"a\": 2}", "m.json")).hasMessageContaining("duplicate");
        assertThatThrownBy(() -> MiniJson.parse("{} x", "m.json")).hasMessageContaining("trailing");
        assertThatThrownBy(() -> MiniJson.parse("{\"a\" 1}", "m.json")).hasMessageContaining("':'");
        assertThatThrownBy(() -> MiniJson.parse("\"abc", "m.json")).hasMessageContaining("end of input");
        assertThatThrownBy(() -> MiniJson.parse("-", "m.json")).hasMessageContaining("digit");
    }
}
