package io.warden.deploy;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Parses rendered manifests into fabric8's Kubernetes model and refuses any field the model does not know.
 *
 * <p>fabric8 is lenient on purpose: an unknown field, or a value of the wrong type, lands in the object's
 * {@code additionalProperties} instead of failing. Kubernetes' API server is lenient too (it drops unknown fields
 * with a warning), so a misspelt {@code readOnlyRootFilesystem} would silently run a pod with a writable root. This
 * parser walks every model object and fails, naming each path, where anything was left over.
 *
 * <p>The ServiceMonitor has no built-in model; it is checked against the fields of Prometheus Operator's
 * {@code monitoring.coreos.com/v1} CRD that a ServiceMonitor may carry.
 */
final class StrictManifests {

    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
    private static final String MODEL_PACKAGE = "io.fabric8.kubernetes.api.model";

    private static final Set<String> SERVICE_MONITOR_SPEC = Set.of(
            "jobLabel",
            "targetLabels",
            "podTargetLabels",
            "endpoints",
            "selector",
            "selectorMechanism",
            "namespaceSelector",
            "sampleLimit",
            "scrapeProtocols",
            "fallbackScrapeProtocol",
            "targetLimit",
            "labelLimit",
            "labelNameLengthLimit",
            "labelValueLengthLimit",
            "keepDroppedTargets",
            "attachMetadata",
            "scrapeClass",
            "bodySizeLimit");
    private static final Set<String> SERVICE_MONITOR_ENDPOINT = Set.of(
            "port",
            "targetPort",
            "path",
            "scheme",
            "params",
            "interval",
            "scrapeTimeout",
            "tlsConfig",
            "bearerTokenFile",
            "bearerTokenSecret",
            "authorization",
            "basicAuth",
            "oauth2",
            "honorLabels",
            "honorTimestamps",
            "trackTimestampsStaleness",
            "metricRelabelings",
            "relabelings",
            "proxyUrl",
            "noProxy",
            "proxyFromEnvironment",
            "proxyConnectHeader",
            "followRedirects",
            "enableHttp2",
            "filterRunning");
    private static final Set<String> SAFE_AUTHORIZATION = Set.of("type", "credentials");
    private static final Set<String> SECRET_KEY_SELECTOR = Set.of("name", "key", "optional");
    private static final Set<String> NAMESPACE_SELECTOR = Set.of("any", "matchNames");

    private StrictManifests() {}

    /**
     * Parses one YAML document.
     *
     * @throws IllegalArgumentException naming every unknown or mistyped field, or the kind that has no model
     */
    static HasMetadata parse(String document) {
        KubernetesResource parsed = SERIALIZATION.unmarshal(document);
        if (!(parsed instanceof HasMetadata resource)) {
            throw new IllegalArgumentException(
                    "not a Kubernetes object: " + parsed.getClass().getName());
        }
        List<String> unknown = new ArrayList<>();
        if (resource instanceof GenericKubernetesResource generic) {
            if (!"monitoring.coreos.com/v1".equals(generic.getApiVersion())
                    || !"ServiceMonitor".equals(generic.getKind())) {
                throw new IllegalArgumentException("no Kubernetes model for " + generic.getApiVersion() + " "
                        + generic.getKind() + " (a misspelt kind or apiVersion?)");
            }
            walk(generic.getMetadata(), "metadata", unknown);
            checkServiceMonitor(generic, unknown);
        } else {
            walk(resource, resource.getKind(), unknown);
        }
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException(
                    resource.getKind() + " " + resource.getMetadata().getName()
                            + " has fields its model does not know (misspelt, or of the wrong type): " + unknown);
        }
        return resource;
    }

    private static void checkServiceMonitor(GenericKubernetesResource monitor, List<String> unknown) {
        Map<String, Object> top = monitor.getAdditionalProperties();
        only(top, Set.of("spec"), "ServiceMonitor", unknown);
        Map<String, Object> spec = map(top.get("spec"), "ServiceMonitor.spec");
        only(spec, SERVICE_MONITOR_SPEC, "ServiceMonitor.spec", unknown);
        if (spec.get("selector") != null) {
            walk(SERIALIZATION.convertValue(spec.get("selector"), LabelSelector.class), "spec.selector", unknown);
        }
        if (spec.get("namespaceSelector") != null) {
            only(
                    map(spec.get("namespaceSelector"), "spec.namespaceSelector"),
                    NAMESPACE_SELECTOR,
                    "spec.namespaceSelector",
                    unknown);
        }
        if (!(spec.get("endpoints") instanceof List<?> endpoints)) {
            throw new IllegalArgumentException("ServiceMonitor.spec.endpoints must be a list");
        }
        for (int i = 0; i < endpoints.size(); i++) {
            String path = "spec.endpoints[" + i + "]";
            Map<String, Object> endpoint = map(endpoints.get(i), path);
            only(endpoint, SERVICE_MONITOR_ENDPOINT, path, unknown);
            if (endpoint.get("authorization") != null) {
                Map<String, Object> authorization = map(endpoint.get("authorization"), path + ".authorization");
                only(authorization, SAFE_AUTHORIZATION, path + ".authorization", unknown);
                if (authorization.get("credentials") != null) {
                    only(
                            map(authorization.get("credentials"), path + ".authorization.credentials"),
                            SECRET_KEY_SELECTOR,
                            path + ".authorization.credentials",
                            unknown);
                }
            }
        }
    }

    private static void only(Map<String, Object> fields, Set<String> known, String path, List<String> unknown) {
        for (String field : new TreeSet<>(fields.keySet())) {
            if (!known.contains(field)) {
                unknown.add(path + "." + field);
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value, String path) {
        if (!(value instanceof Map<?, ?>)) {
            throw new IllegalArgumentException(path + " must be a mapping, got " + value);
        }
        return (Map<String, Object>) value;
    }

    /** Visits every model object under {@code node} and records the paths of left-over fields. */
    private static void walk(Object node, String path, List<String> unknown) {
        if (node instanceof Collection<?> items) {
            int i = 0;
            for (Object item : items) {
                walk(item, path + "[" + i++ + "]", unknown);
            }
            return;
        }
        if (node instanceof Map<?, ?> entries) {
            entries.forEach((key, value) -> walk(value, path + "." + key, unknown));
            return;
        }
        if (!node.getClass().getName().startsWith(MODEL_PACKAGE)) {
            return;
        }
        for (Method getter : node.getClass().getMethods()) {
            if (getter.getParameterCount() != 0
                    || !getter.getName().startsWith("get")
                    || getter.getDeclaringClass() == Object.class) {
                continue;
            }
            Object value = invoke(getter, node);
            if (value == null) {
                continue;
            }
            if (getter.getName().equals("getAdditionalProperties")) {
                ((Map<?, ?>) value).keySet().forEach(field -> unknown.add(path + "." + field));
            } else {
                String name = getter.getName().substring(3);
                walk(value, path + "." + name.substring(0, 1).toLowerCase(Locale.ROOT) + name.substring(1), unknown);
            }
        }
    }

    private static Object invoke(Method getter, Object node) {
        try {
            return getter.invoke(node);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalArgumentException("cannot read " + getter.getName() + " of " + node.getClass(), e);
        }
    }
}
