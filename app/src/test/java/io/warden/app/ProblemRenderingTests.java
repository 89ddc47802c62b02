package io.warden.app;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noMethods;
import static org.assertj.core.api.Assertions.assertThat;

import io.warden.audit.problem.ProblemException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;

/**
 * Problems are rendered once (docs/adr/0010-problems.md): only audit's problem interface builds a problem document or
 * names the type prefix, and the exceptions modules throw carry a kind, never an HTTP status.
 */
class ProblemRenderingTests {

    @Test
    void onlyTheSharedRendererBuildsProblemDocuments() {
        noClasses()
                .that()
                .resideOutsideOfPackage("io.warden.audit.problem..")
                .should()
                .callMethod(ProblemDetail.class, "setType", URI.class)
                .orShould()
                .callMethod(ProblemDetail.class, "forStatusAndDetail", HttpStatusCode.class, String.class)
                .orShould()
                .callMethod(ProblemDetail.class, "forStatus", HttpStatusCode.class)
                .orShould()
                .callMethod(ProblemDetail.class, "forStatus", int.class)
                .because(
                        "one renderer gives every problem the same type, title, code and field members; a second one drifts")
                .check(ModularityTests.CLASSES);
    }

    @Test
    void exceptionsCarryAKindNotAnHttpStatus() {
        noMethods()
                .that()
                .areDeclaredInClassesThat()
                .areAssignableTo(ProblemException.class)
                .should()
                .haveNameMatching("(?i).*status.*")
                .orShould()
                .haveRawReturnType(HttpStatusCode.class)
                .because(
                        "a service names what happened; only the web edge (Problems.status) turns a kind into a status")
                .check(ModularityTests.CLASSES);
    }

    @Test
    void theTypePrefixIsWrittenOnce() throws IOException {
        String prefix = "urn:warden:" + "problem:";
        List<Path> writers;
        try (Stream<Path> files = Files.walk(Path.of(".."))) {
            writers = files.filter(file -> file.toString().endsWith(".java"))
                    .filter(file -> file.toString().contains("/src/main/java/"))
                    // generated code (the OpenAPI client compiled as a build check) quotes the document, it does not
                    // write problems
                    .filter(file -> !file.toString().contains("/target/"))
                    .filter(file -> {
                        try {
                            return Files.readString(file).contains(prefix);
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    })
                    .toList();
        }
        assertThat(writers).extracting(file -> file.getFileName().toString()).containsExactly("Problems.java");
    }
}
