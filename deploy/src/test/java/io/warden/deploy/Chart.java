package io.warden.deploy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The chart under deploy/helm/warden, rendered by Helm itself (helm-java runs Helm's Go library in-process, so no
 * helm binary is needed). Tests run in the deploy module's folder.
 */
final class Chart {

    static final Path DIR = Path.of("helm", "warden");

    /** The committed rendering of the default values, which the GitHub job re-renders with the helm binary. */
    static final Path RENDERED_DEFAULT = Path.of("helm", "rendered", "default.yaml");

    /** The values the GitHub job installs on kind with (no GPU, no Prometheus Operator, the embedded provider). */
    static final Path KIND_VALUES = Path.of("helm", "ci", "kind-values.yaml");

    static final String RELEASE = "warden";
    static final String NAMESPACE = "warden";

    /**
     * Helm's template command defaults to an old Kubernetes version; the chart needs 1.27+, and the GitHub job passes
     * the same version to the binary so that both render the same text.
     */
    static final String KUBE_VERSION = "1.31.0";

    private Chart() {}

    /** Renders the chart with the default values, then the given files, then the given --set values. */
    static String render(List<Path> valuesFiles, Map<String, Object> sets) {
        TemplateCommand template = new Helm(DIR)
                .template()
                .withName(RELEASE)
                .withNamespace(NAMESPACE)
                .withKubeVersion(KUBE_VERSION);
        for (Path file : valuesFiles) {
            template = template.withValuesFile(file);
        }
        for (Map.Entry<String, Object> set : sets.entrySet()) {
            template = template.set(set.getKey(), set.getValue());
        }
        return template.call();
    }

    static String renderDefault() {
        return render(List.of(), Map.of());
    }

    /** The YAML documents of a rendering, without the empty ones Helm leaves for templates that rendered nothing. */
    static List<String> documents(String rendered) {
        List<String> documents = new ArrayList<>();
        for (String document : rendered.split("(?m)^---\\s*$")) {
            boolean content =
                    document.lines().map(String::strip).anyMatch(line -> !line.isEmpty() && !line.startsWith("#"));
            if (content) {
                documents.add(document);
            }
        }
        return documents;
    }
}
