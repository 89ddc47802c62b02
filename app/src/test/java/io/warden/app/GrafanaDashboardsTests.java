package io.warden.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The dashboards in {@code deploy/grafana} load as Grafana provisions them: each has its own uid, every panel
 * queries the dashboard's Prometheus data source variable (so one import works against any Prometheus), panel
 * ids are unique, and the provisioning files name a Prometheus data source and a file provider. Which metrics
 * the queries read is {@link ObservabilityMetricsTests}' part.
 */
class GrafanaDashboardsTests {

    static final Path GRAFANA = PrometheusRulesTests.ROOT.resolve("deploy/grafana");

    @Test
    void everyDashboardHasItsOwnUidAndEveryPanelItsOwnIdAndTheDataSourceVariable() throws IOException {
        Set<String> uids = new HashSet<>();
        for (Path file : ObservabilityMetricsTests.dashboards()) {
            JsonNode dashboard = JsonMapper.builder().build().readTree(Files.readString(file));
            assertThat(uids.add(dashboard.path("uid").asString("")))
                    .as("%s has a uid of its own", file)
                    .isTrue();
            assertThat(dashboard.path("title").asString(""))
                    .as("%s has a title", file)
                    .startsWith("Warden / ");
            assertThat(dashboard.path("templating").path("list"))
                    .as("%s has a Prometheus data source variable", file)
                    .anyMatch(variable -> variable.path("name").asString("").equals("datasource")
                            && variable.path("type").asString("").equals("datasource")
                            && variable.path("query").asString("").equals("prometheus"));
            List<JsonNode> panels = new ArrayList<>();
            flatten(dashboard.path("panels"), panels);
            Set<Integer> ids = new HashSet<>();
            for (JsonNode panel : panels) {
                String title = panel.path("title").asString("");
                assertThat(ids.add(panel.path("id").asInt(-1)))
                        .as("%s panel %s has an id of its own", file, title)
                        .isTrue();
                if (!panel.path("type").asString("").equals("row")) {
                    assertThat(panel.path("datasource").path("uid").asString(""))
                            .as("%s panel %s queries the data source variable", file, title)
                            .isEqualTo("${datasource}");
                    assertThat(panel.path("description").asString(""))
                            .as("%s panel %s says what it shows", file, title)
                            .isNotBlank();
                    assertThat(panel.path("targets"))
                            .as("%s panel %s has a query", file, title)
                            .isNotEmpty();
                }
            }
        }
        assertThat(uids).hasSizeGreaterThanOrEqualTo(4);
    }

    @Test
    @SuppressWarnings("unchecked")
    void theProvisioningFilesNameAPrometheusDataSourceAndAFileProvider() throws IOException {
        Map<String, Object> datasources =
                new Yaml().load(Files.readString(GRAFANA.resolve("provisioning/datasources/warden.yml")));
        assertThat((List<Map<String, Object>>) datasources.get("datasources"))
                .anySatisfy(source -> assertThat(source).containsEntry("type", "prometheus"));
        Map<String, Object> providers =
                new Yaml().load(Files.readString(GRAFANA.resolve("provisioning/dashboards/warden.yml")));
        assertThat((List<Map<String, Object>>) providers.get("providers"))
                .singleElement()
                .satisfies(provider -> {
                    assertThat(provider).containsEntry("type", "file");
                    assertThat((Map<String, Object>) provider.get("options")).containsKey("path");
                });
    }

    private static void flatten(JsonNode panels, List<JsonNode> into) {
        for (JsonNode panel : panels) {
            into.add(panel);
            flatten(panel.path("panels"), into);
        }
    }
}
