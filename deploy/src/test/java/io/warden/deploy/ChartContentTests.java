package io.warden.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the chart promises a platform team, read from what it renders. */
class ChartContentTests {

    private static final List<HasMetadata> DEFAULT = parse(Chart.renderDefault());

    @Test
    void wardenReplicasAreProbedOnTheActuatorProbesOfTheManagementPort() {
        Container warden = container(deployment("warden"), "warden");

        assertThat(warden.getStartupProbe().getHttpGet().getPath()).isEqualTo("/actuator/health/liveness");
        assertThat(warden.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/actuator/health/readiness");
        assertThat(warden.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/actuator/health/liveness");
        assertThat(warden.getReadinessProbe().getHttpGet().getPort().getStrVal())
                .isEqualTo("management");
        assertThat(warden.getPorts()).anySatisfy(port -> {
            assertThat(port.getName()).isEqualTo("management");
            assertThat(port.getContainerPort()).isEqualTo(9090);
        });
        assertThat(configFile("application.yml")).contains("management:\n  server:\n    port: 9090");
    }

    @Test
    void everyContainerRunsNonRootOnAReadOnlyRootWithNoCapabilities() {
        for (String name : List.of("warden", "warden-retrieval")) {
            PodSpec pod = deployment(name).getSpec().getTemplate().getSpec();
            assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
            assertThat(pod.getSecurityContext().getRunAsUser()).isPositive();
            assertThat(pod.getAutomountServiceAccountToken()).isFalse();
            for (Container container : pod.getContainers()) {
                assertThat(container.getSecurityContext().getReadOnlyRootFilesystem())
                        .as(container.getName())
                        .isTrue();
                assertThat(container.getSecurityContext().getAllowPrivilegeEscalation())
                        .isFalse();
                assertThat(container.getSecurityContext().getCapabilities().getDrop())
                        .containsExactly("ALL");
            }
            // a read-only root needs its writable places as volumes
            assertThat(container(
                                    deployment(name),
                                    pod.getContainers().getFirst().getName())
                            .getVolumeMounts())
                    .extracting(mount -> mount.getMountPath())
                    .contains("/tmp", "/var/lib/warden");
        }
    }

    @Test
    void replicasSpreadAcrossNodesWithABudgetAndAnAutoscaler() {
        Deployment warden = deployment("warden");
        assertThat(warden.getSpec()
                        .getTemplate()
                        .getSpec()
                        .getAffinity()
                        .getPodAntiAffinity()
                        .getPreferredDuringSchedulingIgnoredDuringExecution())
                .singleElement()
                .satisfies(term ->
                        assertThat(term.getPodAffinityTerm().getTopologyKey()).isEqualTo("kubernetes.io/hostname"));
        // the autoscaler owns the replica count
        assertThat(warden.getSpec().getReplicas()).isNull();
        assertThat(generic("HorizontalPodAutoscaler", "warden")).isNotNull();
        assertThat(generic("PodDisruptionBudget", "warden")).isNotNull();
    }

    @Test
    void retrievalNodesAskForAGpuOnGpuNodesWithTheGpuImage() {
        PodSpec pod = deployment("warden-retrieval").getSpec().getTemplate().getSpec();
        Container node = pod.getContainers().getFirst();

        assertThat(node.getImage()).endsWith("-gpu");
        assertThat(node.getResources().getLimits()).containsEntry("nvidia.com/gpu", new Quantity("1"));
        assertThat(pod.getNodeSelector()).containsEntry("nvidia.com/gpu.present", "true");
        assertThat(pod.getTolerations())
                .anySatisfy(toleration -> assertThat(toleration.getKey()).isEqualTo("nvidia.com/gpu"));
        assertThat(configFile("retrieval.yml")).contains("enabled: true").contains("cuda: true");
        assertThat(configFile("server.yml")).contains("mode: remote").contains("url: http://warden-retrieval:8080");
    }

    @Test
    void withoutGpusRetrievalNodesRunTheCpuImageAnywhere() {
        List<HasMetadata> cpu = parse(Chart.render(List.of(), Map.of("retrieval.gpu.enabled", false)));
        PodSpec pod = ((Deployment) find(cpu, "Deployment", "warden-retrieval"))
                .getSpec()
                .getTemplate()
                .getSpec();

        assertThat(pod.getContainers().getFirst().getImage()).doesNotEndWith("-gpu");
        assertThat(pod.getContainers().getFirst().getResources().getLimits()).doesNotContainKey("nvidia.com/gpu");
        assertThat(pod.getNodeSelector()).isNullOrEmpty();
        assertThat(pod.getTolerations()).isNullOrEmpty();
    }

    @Test
    void theOpaSidecarServesThePolicyBundleAndWardenAsksIt() {
        Container opa = container(deployment("warden"), "opa");

        assertThat(opa.getArgs()).containsSequence("--bundle", "/policy");
        assertThat(opa.getVolumeMounts())
                .extracting(mount -> mount.getMountPath())
                .containsExactlyInAnyOrder("/policy/.manifest", "/policy/warden/gateway/policy.rego");
        assertThat(configFile("server.yml")).contains("decision-point: opa").contains("url: http://127.0.0.1:8181");
        ConfigMap policy = (ConfigMap) find(DEFAULT, "ConfigMap", "warden-policy");
        assertThat(policy.getData().get("policy.rego")).contains("package warden.gateway");
    }

    @Test
    void theChartsPolicyBundleIsTheOneTheDecisionVectorsTest() throws IOException {
        Path source = Path.of("..", "policy", "rego");
        Path copy = Chart.DIR.resolve("files/rego");
        for (String file : List.of(".manifest", "warden/gateway/policy.rego")) {
            assertThat(Files.readString(copy.resolve(file)))
                    .as("%s differs from policy/rego: copy it again", file)
                    .isEqualTo(Files.readString(source.resolve(file)));
        }
    }

    @Test
    void secretsComeOnlyFromNamedSecretsAndNeverAsValues() {
        assertThat(DEFAULT).noneMatch(resource -> resource.getKind().equals("Secret"));
        List<EnvVar> env = container(deployment("warden"), "warden").getEnv();
        assertThat(env)
                .filteredOn(variable -> variable.getValueFrom() != null)
                .extracting(
                        variable -> variable.getValueFrom().getSecretKeyRef().getName())
                .containsOnly("warden-db", "warden-scrape-token", "warden-retrieval-token");
        assertThat(env)
                .filteredOn(variable -> variable.getName().equals("WARDEN_DB_PASSWORD"))
                .singleElement()
                .satisfies(variable -> assertThat(variable.getValue()).isNull());
        // the settings files name the variables, never a value
        assertThat(configFile("application.yml"))
                .contains("password: ${WARDEN_DB_PASSWORD}")
                .contains("signing-key: /etc/warden/audit-key/signing-key");
        assertThat(deployment("warden").getSpec().getTemplate().getSpec().getVolumes())
                .filteredOn(volume -> volume.getSecret() != null)
                .singleElement()
                .satisfies(
                        volume -> assertThat(volume.getSecret().getSecretName()).isEqualTo("warden-audit-key"));
    }

    @Test
    void networkPoliciesOpenOnlyTheApiAndMetricsPorts() {
        NetworkPolicy warden = (NetworkPolicy) find(DEFAULT, "NetworkPolicy", "warden");
        List<String> ingressPorts = warden.getSpec().getIngress().stream()
                .flatMap(rule -> rule.getPorts().stream())
                .map(NetworkPolicyPort::getPort)
                .map(port -> port.getStrVal())
                .toList();

        assertThat(warden.getSpec().getPolicyTypes()).containsExactly("Ingress", "Egress");
        assertThat(ingressPorts).containsExactly("http", "management");
        NetworkPolicy retrieval = (NetworkPolicy) find(DEFAULT, "NetworkPolicy", "warden-retrieval");
        assertThat(retrieval.getSpec().getIngress().getFirst().getFrom())
                .singleElement()
                .satisfies(peer -> assertThat(peer.getPodSelector().getMatchLabels())
                        .containsEntry("app.kubernetes.io/component", "server"));
    }

    @Test
    void theServiceMonitorScrapesTheManagementPortWithTheScrapeToken() {
        GenericKubernetesResource monitor = (GenericKubernetesResource) find(DEFAULT, "ServiceMonitor", "warden");
        @SuppressWarnings("unchecked")
        Map<String, Object> spec =
                (Map<String, Object>) monitor.getAdditionalProperties().get("spec");
        @SuppressWarnings("unchecked")
        Map<String, Object> endpoint = ((List<Map<String, Object>>) spec.get("endpoints")).getFirst();

        assertThat(monitor.getApiVersion()).isEqualTo("monitoring.coreos.com/v1");
        assertThat(endpoint)
                .containsEntry("port", "management")
                .containsEntry("path", "/actuator/prometheus")
                .containsEntry(
                        "authorization",
                        Map.of(
                                "type",
                                "Bearer",
                                "credentials",
                                Map.of("name", "warden-scrape-token", "key", "scrape-token")));
    }

    private static List<HasMetadata> parse(String rendered) {
        return Chart.documents(rendered).stream().map(StrictManifests::parse).toList();
    }

    private static HasMetadata find(List<HasMetadata> resources, String kind, String name) {
        return resources.stream()
                .filter(resource -> resource.getKind().equals(kind)
                        && resource.getMetadata().getName().equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " " + name));
    }

    private static HasMetadata generic(String kind, String name) {
        return find(DEFAULT, kind, name);
    }

    private static Deployment deployment(String name) {
        return (Deployment) find(DEFAULT, "Deployment", name);
    }

    private static Container container(Deployment deployment, String name) {
        return deployment.getSpec().getTemplate().getSpec().getContainers().stream()
                .filter(container -> container.getName().equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no container " + name));
    }

    private static String configFile(String key) {
        return ((ConfigMap) find(DEFAULT, "ConfigMap", "warden")).getData().get(key);
    }
}
