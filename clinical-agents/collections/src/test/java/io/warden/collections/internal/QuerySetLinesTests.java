package io.warden.collections.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class QuerySetLinesTests {

    static List<QuerySetLines.Query> parse(String lines, boolean text) throws LabelLines.Unusable {
        return QuerySetLines.parse(lines.getBytes(StandardCharsets.UTF_8), "label", 2, text);
    }

    @Test
    void readsTextAndVectorQueriesWithTheirLabelsAndLineNumbers() throws Exception {
        List<QuerySetLines.Query> queries = parse("""
                {"id":"q1","text":"a lung opacity","label":"pneumonia"}

                {"id":"q2","vector":[3,4],"metadata":{"label":"fracture"}}
                """, true);
        assertThat(queries).extracting(QuerySetLines.Query::id).containsExactly("q1", "q2");
        assertThat(queries).extracting(QuerySetLines.Query::label).containsExactly("pneumonia", "fracture");
        assertThat(queries).extracting(QuerySetLines.Query::line).containsExactly(1, 3);
        assertThat(queries.get(0).text()).isEqualTo("a lung opacity");
        assertThat(queries.get(1).vector()).containsExactly(3, 4);
    }

    @Test
    void refusesTheWholeSetNamingTheFirstBadLine() {
        record Bad(String lines, boolean text, String saying) {}
        for (Bad bad : List.of(
                new Bad(
                        "{\"id\":\"q\",\"vector\":[1,0],\"label\":\"a\"}\n{\"id\":\"q\",\"vector\":[1,0],\"label\":\"a\"}",
                        false,
                        "line 2 names q a second time"),
                new Bad("{\"id\":\"q\",\"vector\":[1,0],\"label\":\"\"}", false, "line 1 needs \"label\""),
                new Bad("{\"id\":\"q\",\"vector\":[1,0],\"label\":7}", false, "line 1 needs \"label\""),
                new Bad("{\"id\":\"q\",\"vector\":[1,\"x\"],\"label\":\"a\"}", false, "vector[1] is not a finite"),
                new Bad("{\"id\":\"q\",\"vector\":[1e300,1],\"label\":\"a\"}", false, "vector[0] is not a finite"),
                new Bad("{\"id\":\"q\",\"vector\":[1,0],\"text\":\"t\",\"label\":\"a\"}", true, "not both"),
                new Bad("{\"id\":\"q\",\"text\":\" \",\"label\":\"a\"}", true, "\"text\" is a string of 1"),
                new Bad("[1,2]", false, "line 1 is not a JSON object"),
                new Bad("\n\n", false, "holds no query"))) {
            assertThatThrownBy(() -> parse(bad.lines(), bad.text()))
                    .as(bad.lines())
                    .isInstanceOf(LabelLines.Unusable.class)
                    .hasMessageContaining(bad.saying());
        }
        assertThatThrownBy(() -> QuerySetLines.parse(new byte[] {(byte) 0xff, 'a'}, "label", 2, false))
                .hasMessageContaining("not UTF-8");
    }

    @Test
    void holdsAtMostTheMostQueries() {
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i <= QuerySetLines.MAX_QUERIES; i++) {
            lines.append("{\"id\":\"q").append(i).append("\",\"vector\":[1,0],\"label\":\"a\"}\n");
        }
        assertThatThrownBy(() -> parse(lines.toString(), false))
                .hasMessageContaining("line " + (QuerySetLines.MAX_QUERIES + 1) + ": a query set holds at most");
    }
}
