package io.warden.audit.problem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.exc.UnrecognizedPropertyException;
import tools.jackson.databind.json.JsonMapper;

/**
 * The one renderer: the kind-to-status table clients see (each status is part of the API contract, so the table is
 * spelled out here rather than derived), and the shape of every document.
 */
class ProblemsTests {

    static final class Refused extends ProblemException {
        private final @Nullable Duration retryAfter;

        Refused(
                String code,
                ProblemKind kind,
                @Nullable String field,
                Map<String, ?> properties,
                @Nullable Duration retryAfter) {
            super(code, kind, "refused: " + code, field, properties);
            this.retryAfter = retryAfter;
        }

        @Override
        public @Nullable Duration retryAfter() {
            return retryAfter;
        }
    }

    @Test
    void eachKindAnswersWithItsOwnStatus() {
        Map<ProblemKind, HttpStatus> expected = new EnumMap<>(Map.of(
                ProblemKind.INVALID, HttpStatus.BAD_REQUEST,
                ProblemKind.UNAUTHENTICATED, HttpStatus.UNAUTHORIZED,
                ProblemKind.FORBIDDEN, HttpStatus.FORBIDDEN,
                ProblemKind.NOT_FOUND, HttpStatus.NOT_FOUND,
                ProblemKind.CONFLICT, HttpStatus.CONFLICT,
                ProblemKind.TOO_LARGE, HttpStatus.CONTENT_TOO_LARGE,
                ProblemKind.UNPROCESSABLE, HttpStatus.UNPROCESSABLE_CONTENT,
                ProblemKind.TOO_MANY_REQUESTS, HttpStatus.TOO_MANY_REQUESTS,
                ProblemKind.UNAVAILABLE, HttpStatus.SERVICE_UNAVAILABLE));
        assertThat(expected).as("every kind is in the table").hasSize(ProblemKind.values().length);
        expected.forEach((kind, status) ->
                assertThat(Problems.status(kind)).as(kind.name()).isEqualTo(status));
    }

    @Test
    void anExceptionBecomesTypeTitleCodeFieldErrorsAndItsFacts() {
        ProblemDetail problem = Problems.of(
                new Refused("stale-version", ProblemKind.CONFLICT, "version", Map.of("currentVersion", 7L), null));

        assertThat(problem.getStatus()).isEqualTo(409);
        assertThat(problem.getType()).isEqualTo(URI.create("urn:warden:problem:stale-version"));
        assertThat(problem.getTitle()).isEqualTo("Conflict");
        assertThat(problem.getDetail()).isEqualTo("refused: stale-version");
        assertThat(problem.getProperties())
                .containsEntry("code", "stale-version")
                .containsEntry("field", "version")
                .containsEntry("errors", List.of(Map.of("field", "version", "message", "refused: stale-version")))
                .containsEntry("currentVersion", 7L);
    }

    @Test
    void withoutAFieldThereIsNoFieldAndNoErrors() {
        ProblemDetail problem = Problems.of(ProblemKind.FORBIDDEN, "kill-switch-engaged", "stopped", null);

        assertThat(problem.getStatus()).isEqualTo(403);
        assertThat(problem.getProperties()).containsOnlyKeys("code");
    }

    @Test
    void aTemporaryRefusalSaysWhenToRetry() {
        ResponseEntity<ProblemDetail> limited = Problems.response(
                new Refused("rate-limited", ProblemKind.TOO_MANY_REQUESTS, null, Map.of(), Duration.ofSeconds(12)));
        ResponseEntity<ProblemDetail> denied =
                Problems.response(new Refused("kill-switch", ProblemKind.FORBIDDEN, null, Map.of(), null));

        assertThat(limited.getStatusCode().value()).isEqualTo(429);
        assertThat(limited.getHeaders().getFirst(HttpHeaders.RETRY_AFTER)).isEqualTo("12");
        assertThat(limited.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
        assertThat(denied.getHeaders().containsHeader(HttpHeaders.RETRY_AFTER)).isFalse();
    }

    @Test
    void aFrameworkStatusKeepsItsStatusAndGetsAStableType() {
        ProblemDetail problem =
                Problems.typed(ProblemDetail.forStatus(HttpStatus.METHOD_NOT_ALLOWED), "method-not-allowed");

        assertThat(problem.getStatus()).isEqualTo(405);
        assertThat(problem.getType()).isEqualTo(URI.create(Problems.TYPE_PREFIX + "method-not-allowed"));
        assertThat(problem.getProperties()).containsEntry("code", "method-not-allowed");
    }

    @Test
    void aProblemNeedsACode() {
        assertThatThrownBy(() -> new Refused(" ", ProblemKind.INVALID, null, Map.of(), null))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theFieldOfAJsonFailureIsItsPath() {
        record Item(String name) {}
        record Body(List<Item> items) {}
        JsonMapper json = JsonMapper.builder()
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .build();

        assertThatThrownBy(() -> json.readValue("{\"items\":[{\"name\":\"a\"},{\"nmae\":\"b\"}]}", Body.class))
                .isInstanceOfSatisfying(
                        UnrecognizedPropertyException.class,
                        e -> assertThat(Problems.fieldPath(e)).isEqualTo("items[1].nmae"));
    }
}
