package io.warden.clinical.internal.web;

import io.swagger.v3.oas.annotations.Hidden;
import io.warden.audit.problem.ProblemException;
import io.warden.audit.problem.ProblemKind;
import io.warden.clinical.Neighbours;
import io.warden.clinical.Retrieval;
import io.warden.clinical.RetrievalRejected;
import io.warden.clinical.SearchQuery;
import io.warden.clinical.Vote;
import io.warden.clinical.internal.RetrievalWire;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Map;
import java.util.Objects;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.core.env.Environment;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Serves this JVM's retrieval service to gateways on other machines. Hidden from the API document: it is a
 * protocol between Warden's own instances, under a node token, not a contract for clients.
 */
@Hidden
@RestController
@RequestMapping(path = "/internal/retrieval/v1", produces = "application/json")
@ConditionalOnProperty(name = "warden.retrieval.node.enabled", havingValue = "true")
class RetrievalNodeController {

    private final Retrieval retrieval;
    private final byte[] token;

    RetrievalNodeController(Retrieval retrieval, Environment environment) {
        this.retrieval = retrieval;
        String configured = environment.getProperty("warden.retrieval.node.token", "");
        if (configured.length() < 32) {
            throw new IllegalStateException(
                    "warden.retrieval.node.token must be set to a secret of at least 32 characters "
                            + "when warden.retrieval.node.enabled=true");
        }
        this.token = configured.getBytes(StandardCharsets.UTF_8);
    }

    @PostMapping("/search")
    RetrievalWire.Hits search(
            @RequestHeader(name = "Authorization", required = false) String authorization,
            @RequestBody RetrievalWire.Query query) {
        authorize(authorization);
        Neighbours neighbours = retrieval.search(query.collection(), query(query), query.k(), filter(query));
        return new RetrievalWire.Hits(neighbours.hits(), neighbours.collection(), neighbours.version());
    }

    @PostMapping("/classify")
    RetrievalWire.Voted classify(
            @RequestHeader(name = "Authorization", required = false) String authorization,
            @RequestBody RetrievalWire.Query query) {
        authorize(authorization);
        if (query.labelKey() == null) {
            throw new RetrievalRejected("invalid-query", "Classification needs a labelKey");
        }
        Vote vote = retrieval.classify(
                query.collection(),
                query(query),
                query.k(),
                query.labelKey(),
                Boolean.TRUE.equals(query.weighted()),
                filter(query));
        return new RetrievalWire.Voted(
                vote.classification(),
                vote.neighbours().collection(),
                vote.neighbours().version());
    }

    private static Map<String, String> filter(RetrievalWire.Query query) {
        return query.filter() == null ? Map.of() : query.filter();
    }

    private static SearchQuery query(RetrievalWire.Query query) {
        int given = (query.vector() == null ? 0 : 1) + (query.text() == null ? 0 : 1) + (query.image() == null ? 0 : 1);
        if (given != 1) {
            throw new RetrievalRejected("invalid-query", "Give exactly one of a vector, a text or an image");
        }
        if (query.image() != null) {
            try {
                return new SearchQuery.Image(Base64.getDecoder().decode(query.image()), query.model());
            } catch (IllegalArgumentException e) {
                throw new RetrievalRejected("invalid-query", "The image is not base64");
            }
        }
        if (query.vector() != null) {
            return new SearchQuery.Vector(query.vector());
        }
        return new SearchQuery.Text(
                Objects.requireNonNull(query.text(), "exactly one of vector, text and image is given"));
    }

    @GetMapping("/status")
    Retrieval.Status status(@RequestHeader(name = "Authorization", required = false) String authorization) {
        authorize(authorization);
        return retrieval.status();
    }

    private void authorize(String authorization) {
        byte[] given = authorization == null || !authorization.startsWith("Bearer ")
                ? new byte[0]
                : authorization.substring(7).getBytes(StandardCharsets.UTF_8);
        if (!MessageDigest.isEqual(given, token)) {
            throw new NodeUnauthorized();
        }
    }

    static final class NodeUnauthorized extends ProblemException {
        NodeUnauthorized() {
            super("unauthenticated", ProblemKind.UNAUTHENTICATED, "The retrieval node's token is required");
        }
    }
}
