package io.warden.deploy;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** values.schema.json makes Helm refuse bad values before anything reaches the cluster, naming the value. */
class ValuesSchemaTests {

    static Stream<Arguments> badValues() {
        return Stream.of(
                Arguments.of(Map.of("replicaCount", 0), "/replicaCount"),
                Arguments.of(Map.of("replicas", 3), "'replicas' not allowed"),
                Arguments.of(Map.of("identity.provider", "okta"), "/identity/provider"),
                Arguments.of(Map.of("database.url", "postgres://db:5432/warden"), "/database/url"),
                Arguments.of(Map.of("database.existingSecret", "Warden_DB"), "/database/existingSecret"),
                Arguments.of(Map.of("opa.timeout", "200ms"), "/opa/timeout"),
                Arguments.of(Map.of("retrieval.batchSize", 10000), "/retrieval/batchSize"),
                Arguments.of(Map.of("service.port", 70000), "/service/port"),
                Arguments.of(Map.of("image.pullPolicy", "Sometimes"), "/image/pullPolicy"),
                Arguments.of(
                        Map.of("networkPolicy.database.cidrs[0]", "everywhere"), "/networkPolicy/database/cidrs/0"),
                // the embedded provider on several replicas needs one shared key-encryption key
                Arguments.of(Map.of("identity.provider", "embedded"), "/identity/existingSecret"),
                // the Graph client needs its id and its secret
                Arguments.of(Map.of("entra.graph.enabled", true), "/entra/graph/clientId"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badValues")
    void helmRefusesBadValuesNamingThem(Map<String, Object> sets, String where) {
        assertThatThrownBy(() -> Chart.render(List.of(), sets))
                .hasMessageContaining("values don't meet the specifications of the schema")
                .hasMessageContaining(where);
    }
}
