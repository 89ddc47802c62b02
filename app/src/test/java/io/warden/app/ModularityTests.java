package io.warden.app;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaCall;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaMethodCall;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.Architectures;
import io.warden.WardenApplication;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;
import org.springframework.modulith.ApplicationModule;
import org.springframework.modulith.core.ApplicationModules;
import org.springframework.modulith.docs.Documenter;

/**
 * The module arrows of BRIEF.md §3, checked twice: Spring Modulith verifies that no module reaches into
 * another's internals and that every dependency is declared in the module's {@code package-info}; the
 * ArchUnit rules below restate the arrows from the brief so that a change to a declaration cannot quietly
 * widen them. The module documentation (diagrams, canvases) is written to {@code target/spring-modulith-docs}.
 */
class ModularityTests {

    static final ApplicationModules MODULES = ApplicationModules.of(WardenApplication.class);
    static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.warden");

    @Test
    void modulesRespectTheirBoundaries() {
        MODULES.verify();
    }

    @Test
    void dependenciesFollowTheArrowsOfTheBrief() {
        Architectures.layeredArchitecture()
                .consideringOnlyDependenciesInLayers()
                .layer("audit")
                .definedBy("io.warden.audit..")
                .layer("registry")
                .definedBy("io.warden.registry..")
                .layer("bpmn")
                .definedBy("io.warden.bpmn..")
                .layer("lifecycle-workflows")
                .definedBy("io.warden.lifecycle..")
                .layer("clinical-agents")
                .definedBy("io.warden.clinical..")
                .layer("policy")
                .definedBy("io.warden.policy..")
                .layer("collections")
                .definedBy("io.warden.collections..")
                .layer("cohort")
                .definedBy("io.warden.cohort..")
                .layer("portal")
                .definedBy("io.warden.portal..")
                .layer("app")
                .definedBy("io.warden.app..")
                .whereLayer("app")
                .mayNotBeAccessedByAnyLayer()
                .whereLayer("portal")
                .mayOnlyBeAccessedByLayers("app")
                .whereLayer("cohort")
                .mayOnlyBeAccessedByLayers("app")
                .whereLayer("collections")
                .mayOnlyBeAccessedByLayers("cohort", "portal", "app")
                .whereLayer("policy")
                .mayOnlyBeAccessedByLayers("cohort", "portal", "app")
                .whereLayer("lifecycle-workflows")
                .mayOnlyBeAccessedByLayers("collections", "cohort", "portal", "app")
                .whereLayer("clinical-agents")
                .mayOnlyBeAccessedByLayers("policy", "collections", "cohort", "portal", "app")
                .whereLayer("bpmn")
                .mayOnlyBeAccessedByLayers("lifecycle-workflows", "collections", "cohort", "app")
                .whereLayer("registry")
                .mayOnlyBeAccessedByLayers("lifecycle-workflows", "policy", "collections", "cohort", "portal", "app")
                .whereLayer("audit")
                .mayOnlyBeAccessedByLayers(
                        "registry",
                        "lifecycle-workflows",
                        "policy",
                        "clinical-agents",
                        "collections",
                        "cohort",
                        "portal",
                        "app")
                .because("the module arrows of BRIEF.md §3 point one way; a cycle would make modules inseparable")
                .check(CLASSES);
    }

    @Test
    void noModuleReachesIntoAnotherModulesInternals() {
        slices().matching("io.warden.(*)..")
                .should()
                .notDependOnEachOther()
                .ignoreDependency(
                        DescribedPredicate.alwaysTrue(),
                        JavaClass.Predicates.resideOutsideOfPackages("io.warden..internal.."))
                .because("another module's internal package may change at any time")
                .check(CLASSES);
    }

    /**
     * Every module reads the time from the injected Clock and makes ids with the IdGenerator, so that what it decides
     * can be replayed and tested with a moved clock. The one exception is the identity a running process gives itself
     * (the workflow worker's and the gateway instance's ids, set once in their constructors), which decides nothing.
     */
    @Test
    void everyModuleReadsTimeAndRandomnessFromInjectedSources() {
        Set<String> processIdentities = Set.of(
                "io.warden.lifecycle.internal.EmbeddedWorkflowEngine", "io.warden.policy.internal.GatewayInstances");
        Set<String> clocks = Set.of(
                "java.time.Instant",
                "java.time.LocalDate",
                "java.time.LocalDateTime",
                "java.time.OffsetDateTime",
                "java.time.ZonedDateTime");
        noClasses()
                .should()
                .callCodeUnitWhere(DescribedPredicate.describe(
                        "read the wall clock or make randomness outside a process's own identity",
                        (JavaCall<?> call) -> {
                            String owner = call.getTarget().getOwner().getName();
                            String name = call.getTarget().getName();
                            boolean clockOrRandom = name.equals("now") && clocks.contains(owner)
                                    || owner.equals("java.lang.System") && name.equals("currentTimeMillis")
                                    || owner.equals("java.util.UUID") && name.equals("randomUUID")
                                    || owner.equals("java.lang.Math") && name.equals("random")
                                    || owner.equals("java.util.Random") && name.equals("<init>");
                            boolean identity = call.getOrigin().isConstructor()
                                    && processIdentities.contains(
                                            call.getOriginOwner().getName());
                            return clockOrRandom && !identity;
                        }))
                .because("decisions must be reproducible: time comes from the injected Clock, ids from the IdGenerator")
                .check(CLASSES);
    }

    @Test
    void architectureDocumentMatchesTheCode() throws IOException {
        String document = Files.readString(Path.of("..", "docs", "architecture.md"));
        Matcher block = Pattern.compile("```arrows\\n(.*?)```", Pattern.DOTALL).matcher(document);
        Assertions.assertThat(block.find())
                .as("docs/architecture.md has an arrows block")
                .isTrue();
        Map<String, Set<String>> documented = new TreeMap<>();
        for (String line : block.group(1).strip().split("\\n")) {
            String[] parts = line.split("->", -1);
            Set<String> targets = new TreeSet<>();
            for (String target : parts[1].split(",")) {
                if (!target.isBlank()) {
                    targets.add(target.strip());
                }
            }
            documented.put(parts[0].strip(), targets);
        }

        Map<String, String> displayNames = new HashMap<>();
        MODULES.forEach(module -> displayNames.put(module.getIdentifier().toString(), module.getDisplayName()));
        Map<String, Set<String>> declared = new TreeMap<>();
        MODULES.forEach(module -> {
            var annotation =
                    Package.getPackage(module.getBasePackage().getName()).getAnnotation(ApplicationModule.class);
            String[] allowed = annotation.allowedDependencies();
            Set<String> targets = new TreeSet<>();
            if (allowed.length == 1 && allowed[0].equals(ApplicationModule.OPEN_TOKEN)
                    || module.getDisplayName().equals("app")) {
                targets.add("*");
            } else {
                for (String target : allowed) {
                    targets.add(displayNames.getOrDefault(target.split("::")[0].strip(), target));
                }
            }
            declared.put(module.getDisplayName(), targets);
        });
        Assertions.assertThat(documented).isEqualTo(declared);
    }

    /**
     * Agents and approvals change through one path, {@code AgentMutations}: it writes the aggregate and only then
     * publishes the events the aggregate recorded, so no event leaves for a write the database refused. A use case
     * that wrote or drained an aggregate itself could publish before its write, or not at all.
     */
    @Test
    void agentsAndApprovalsChangeOnlyThroughTheRegistrysMutationPath() {
        Set<String> aggregates =
                Set.of("io.warden.registry.internal.AgentRepository", "io.warden.registry.internal.ApprovalRepository");
        Set<String> recorders = Set.of("io.warden.registry.internal.Agent", "io.warden.registry.internal.Approval");
        noClasses()
                .that()
                .doNotHaveFullyQualifiedName("io.warden.registry.internal.AgentMutations")
                .should()
                .callMethodWhere(DescribedPredicate.describe(
                        "write an agent or an approval, or take the events it recorded", (JavaMethodCall call) -> {
                            String owner = call.getTargetOwner().getName();
                            String name = call.getName();
                            return aggregates.contains(owner) && (name.equals("insert") || name.equals("update"))
                                    || recorders.contains(owner) && name.equals("drainEvents");
                        }))
                .because("the registry publishes an aggregate's events after its write, in AgentMutations alone")
                .check(CLASSES);
    }

    @Test
    void writesModuleDocumentation() {
        new Documenter(MODULES)
                .writeModulesAsPlantUml()
                .writeIndividualModulesAsPlantUml()
                .writeModuleCanvases();
    }
}
