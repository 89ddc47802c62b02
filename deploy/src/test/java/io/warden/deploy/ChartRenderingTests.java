package io.warden.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The chart lints, renders to the committed manifests, and every manifest it renders parses strictly into the
 * Kubernetes model. Regenerate the committed rendering after a chart change with
 * {@code ./mvnw -o -pl deploy verify -Dwarden.helm.regenerate=true} and review its diff.
 */
class ChartRenderingTests {

    @Test
    void lintFindsNothingEvenWhenStrict() {
        LintResult lint = new Helm(Chart.DIR).lint().strict().call();

        assertThat(lint.isFailed())
                .as("helm lint --strict: %s", lint.getMessages())
                .isFalse();
        assertThat(lint.getMessages())
                .noneMatch(message -> message.contains("[ERROR]") || message.contains("[WARNING]"));
    }

    @Test
    void defaultValuesRenderTheCommittedManifests() throws IOException {
        String rendered = Chart.renderDefault();
        if (Boolean.getBoolean("warden.helm.regenerate")) {
            Files.createDirectories(Chart.RENDERED_DEFAULT.getParent());
            Files.writeString(Chart.RENDERED_DEFAULT, rendered, StandardCharsets.UTF_8);
        }

        assertThat(rendered)
                .as("helm/rendered/default.yaml is stale: regenerate it with -Dwarden.helm.regenerate=true")
                .isEqualTo(Files.readString(Chart.RENDERED_DEFAULT, StandardCharsets.UTF_8));
    }

    static Stream<Arguments> valueSets() {
        return Stream.of(
                Arguments.of("default values", List.of(), Map.of()),
                Arguments.of("kind install", List.of(Chart.KIND_VALUES), Map.of()),
                Arguments.of(
                        "everything optional off",
                        List.of(),
                        Map.of(
                                "retrieval.enabled", false,
                                "opa.enabled", false,
                                "autoscaling.enabled", false,
                                "podDisruptionBudget.enabled", false,
                                "networkPolicy.enabled", false,
                                "serviceMonitor.enabled", false)),
                Arguments.of(
                        "Entra with Graph, CPU retrieval",
                        List.of(),
                        Map.of(
                                "entra.graph.enabled", true,
                                "entra.graph.clientId", "11111111-2222-3333-4444-555555555555",
                                "entra.graph.existingSecret", "warden-graph",
                                "retrieval.gpu.enabled", false,
                                "sharedStorage.existingClaim", "warden-shared")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("valueSets")
    void everyRenderedDocumentParsesStrictly(String name, List<Path> files, Map<String, Object> sets) {
        List<String> documents = Chart.documents(Chart.render(files, sets));

        assertThat(documents).isNotEmpty();
        for (String document : documents) {
            HasMetadata resource = StrictManifests.parse(document);
            assertThat(resource.getMetadata().getName()).isNotBlank();
        }
    }

    @Test
    void defaultValuesRenderEveryPartOfTheChart() {
        List<String> kinds = Chart.documents(Chart.renderDefault()).stream()
                .map(StrictManifests::parse)
                .map(resource ->
                        resource.getKind() + "/" + resource.getMetadata().getName())
                .sorted()
                .toList();

        assertThat(kinds)
                .containsExactly(
                        "ConfigMap/warden",
                        "ConfigMap/warden-policy",
                        "Deployment/warden",
                        "Deployment/warden-retrieval",
                        "HorizontalPodAutoscaler/warden",
                        "NetworkPolicy/warden",
                        "NetworkPolicy/warden-retrieval",
                        "PodDisruptionBudget/warden",
                        "Service/warden",
                        "Service/warden-retrieval",
                        "ServiceMonitor/warden");
    }

    @Test
    void aMisspeltFieldFailsNamingIt() {
        String deployment = document("Deployment", "name: warden\n");
        String misspelt = deployment.replaceFirst("readOnlyRootFilesystem:", "readOnlyRootFileSystem:");
        assertThat(misspelt).isNotEqualTo(deployment);

        assertThatThrownBy(() -> StrictManifests.parse(misspelt))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("securityContext.readOnlyRootFileSystem");
    }

    @Test
    void aValueOfTheWrongTypeFails() {
        String deployment = document("Deployment", "name: warden\n");
        String mistyped =
                deployment.replaceFirst("terminationGracePeriodSeconds: 60", "terminationGracePeriodSeconds: a minute");
        assertThat(mistyped).isNotEqualTo(deployment);

        assertThatThrownBy(() -> StrictManifests.parse(mistyped))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("terminationGracePeriodSeconds");
    }

    @Test
    void aMisspeltKindFails() {
        String service = document("Service", "name: warden\n");

        assertThatThrownBy(() -> StrictManifests.parse(service.replaceFirst("kind: Service", "kind: Servise")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Servise");
    }

    @Test
    void aMisspeltServiceMonitorFieldFails() {
        String monitor = document("ServiceMonitor", "name: warden\n");
        String misspelt = monitor.replaceFirst("interval:", "intervall:");
        assertThat(misspelt).isNotEqualTo(monitor);

        assertThatThrownBy(() -> StrictManifests.parse(misspelt))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("spec.endpoints[0].intervall");
        assertThatThrownBy(() -> StrictManifests.parse(monitor.replaceFirst("credentials:", "credential:")))
                .hasMessageContaining("authorization.credential");
    }

    /** The default rendering's document of a kind whose text contains {@code marker}. */
    static String document(String kind, String marker) {
        return Chart.documents(Chart.renderDefault()).stream()
                .filter(document -> document.contains("\nkind: " + kind + "\n") && document.contains(marker))
                .findFirst()
                .orElseThrow();
    }
}
