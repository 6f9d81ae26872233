package org.adain.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import org.adain.ModelException;
import org.junit.jupiter.api.Test;

class JsonTest {
    private static Object parse(String s) {
        return Json.parse(s, "f.h5: the model_config attribute");
    }

    @Test
    @SuppressWarnings("unchecked")
    void parsesWhatKerasWrites() {
        Object v = parse("{\"class_name\": \"Functional\", \"config\": {\"layers\": [{\"a\": [null, null, 3], "
                + "\"b\": true, \"c\": 1e-05, \"d\": -2, \"e\": \"x\\u00e9\\n\\\"\"}]}}\u0000\u0000");
        Map<?, ?> root = (Map<?, ?>) v;
        assertThat(root.get("class_name")).isEqualTo("Functional");
        Map<?, ?> layer = (Map<?, ?>) ((List<?>) ((Map<?, ?>) root.get("config")).get("layers")).get(0);
        assertThat((List<Object>) layer.get("a")).containsExactly(Json.NULL, Json.NULL, 3L);
        assertThat(layer.get("b")).isEqualTo(true);
        assertThat(layer.get("c")).isEqualTo(1e-5);
        assertThat(layer.get("d")).isEqualTo(-2L);
        assertThat(layer.get("e")).isEqualTo("xé\n\"");
        assertThat(List.<Object>copyOf(root.keySet())).containsExactly("class_name", "config");
    }

    @Test
    void numbersKeepTheirKind() {
        assertThat(parse("9223372036854775807")).isEqualTo(Long.MAX_VALUE);
        assertThat(parse("92233720368547758070")).isEqualTo(new BigInteger("92233720368547758070"));
        assertThat(parse("2.0")).isEqualTo(2.0);
        assertThat(Json.isIntegral(parse("2"))).isTrue();
        assertThat(Json.isIntegral(parse("2.0"))).isFalse();
        assertThat(Json.intValue(parse("3000000000"))).isNull();
        assertThat(Json.intValue(parse("-7"))).isEqualTo(-7);
    }

    @Test
    void writesCompactJsonAsMessagesQuoteIt() {
        assertThat(Json.write(parse("[ [1, 1] , [0,1] ]"))).isEqualTo("[[1,1],[0,1]]");
        assertThat(Json.write(parse("{\"a\" : \"same\", \"b\": [null, 2.5, false]}")))
                .isEqualTo("{\"a\":\"same\",\"b\":[null,2.5,false]}");
        assertThat(Json.write("tab\there\u0001")).isEqualTo("\"tab\\there\\u0001\"");
        assertThat(Json.text(parse("\"relu\""))).isEqualTo("relu");
        assertThat(Json.text(parse("5"))).isEqualTo("5");
        assertThat(Json.text(Json.NULL)).isNull();
    }

    @Test
    void refusesWhatIsNotStrictJson() {
        String[][] cases = {
            {"{\"a\": 1,}", "expected a member name, found '}' at character 8"},
            {"[1 2]", "expected ']', found '2]' at character 3"},
            {"{\"a\": NaN}", "unexpected 'NaN}' at character 6"},
            {"{\"a\": 1} trailing", "unexpected 'trailing' after the JSON value at character 9"},
            {"{\"a\": 1, \"a\": 2}", "the key 'a' twice in one object at character 15"},
            {"\"a\u0001\"", "the control character \\x01 inside a string at character 2"},
            {"\"abc", "a string that does not end at character 4"},
            {"01", "a malformed number at character 2"},
            {"\"\\q\"", "the unknown escape \\q at character 2"},
            {"", "unexpected end of text at character 0"},
        };
        for (String[] c : cases) {
            assertThatThrownBy(() -> parse(c[0])).as(c[0]).isInstanceOf(ModelException.class)
                    .hasMessage("f.h5: the model_config attribute is not valid JSON (" + c[1] + ")");
        }
    }

    @Test
    void nestingAndSizeAreBounded() {
        String deep = "[".repeat(Json.MAX_DEPTH + 1) + "]".repeat(Json.MAX_DEPTH + 1);
        assertThatThrownBy(() -> parse(deep)).isInstanceOf(ModelException.class)
                .hasMessageContaining("nesting deeper than " + Json.MAX_DEPTH + " levels");
        assertThat(parse("[".repeat(Json.MAX_DEPTH) + "]".repeat(Json.MAX_DEPTH))).isInstanceOf(List.class);
        String many = "[" + "0,".repeat(Json.MAX_VALUES) + "0]";
        assertThatThrownBy(() -> parse(many)).isInstanceOf(ModelException.class)
                .hasMessageContaining("more than " + Json.MAX_VALUES + " values");
    }

    @Test
    void textFromTheFileInAnErrorIsEscaped() {
        assertThatThrownBy(() -> parse("{\"a\": \u001b[31mx}")).isInstanceOf(ModelException.class)
                .hasMessage("f.h5: the model_config attribute is not valid JSON (unexpected '\\x1b[31mx}' at "
                        + "character 6)");
    }
}
