package io.warden.app;

import static io.warden.app.PortalTests.browser;
import static io.warden.app.PortalTests.get;
import static io.warden.app.PortalTests.post;
import static io.warden.app.PortalTests.signIn;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/**
 * The collection page's evaluation and gate forms, through the real app and its real sign-in: an admin evaluates the
 * current version (a seeded sample or a labelled query set) and sets or clears the data scope's minimum Top-1 through
 * the API's use cases, a refusal shown beside the form with its field marked and nothing stored; people are named by
 * their display names; other roles see the results without the forms, and their posts are refused.
 */
class CollectionEvaluationPagesTests extends IntegrationTest {

    @Test
    void onlyAnAdminSeesTheFormsAndAForgedPostIsRefused() throws Exception {
        CollectionPagesTests.builtCollection("portal-evaluate-ro", "Portal evaluation, read only");
        HttpClient carla = browser();
        signIn(carla, "carla.compliance");
        HttpResponse<String> page = get(carla, "/portal/collections/portal-evaluate-ro");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body())
                .contains("id=\"gate\"")
                .doesNotContain("id=\"evaluate\"", "id=\"gate-form\"", "Evaluate the current version");
        assertThat(post(carla, "/portal/collections/portal-evaluate-ro/evaluations", page.body(), "version=1&k=3")
                        .statusCode())
                .as("only admins evaluate, as on the API")
                .isEqualTo(403);
        assertThat(post(carla, "/portal/collections/portal-evaluate-ro/gate", page.body(), "action=set&minTop1=0.1")
                        .statusCode())
                .isEqualTo(403);

        HttpClient ada = browser();
        signIn(ada, "ada.admin");
        for (String path : new String[] {"evaluations", "gate"}) {
            HttpResponse<String> forged = ada.send(
                    HttpRequest.newBuilder(URI.create(client.base() + "/portal/collections/portal-evaluate-ro/" + path))
                            .header("Accept", "text/html")
                            .header("Content-Type", "application/x-www-form-urlencoded")
                            .POST(HttpRequest.BodyPublishers.ofString("version=1&k=3&action=set&minTop1=0.99"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(forged.statusCode())
                    .as("a form post without the CSRF token")
                    .isEqualTo(403);
        }
        assertThat(client.get("/api/v1/collections/portal-evaluate-ro/versions/1/evaluations", admin())
                        .json()
                        .size())
                .as("nothing evaluated by a refused post")
                .isZero();
        assertThat(get(carla, "/portal/collections/portal-evaluate-ro").body())
                .as("no gate set by a refused post")
                .containsPattern("asks no\\s+evaluation");
    }

    @Test
    void anAdminEvaluatesBySampleAndByQuerySetAndSetsAndClearsTheGate() throws Exception {
        CollectionPagesTests.builtCollection("portal-evaluate", "Portal evaluation");
        HttpClient ada = browser();
        signIn(ada, "ada.admin");
        HttpResponse<String> page = get(ada, "/portal/collections/portal-evaluate");
        assertThat(page.body()).contains("Evaluate the current version (1)", "id=\"gate-form\"");

        HttpResponse<String> notANumber =
                post(ada, "/portal/collections/portal-evaluate/evaluations", page.body(), "version=1&k=three");
        assertThat(notANumber.statusCode()).isEqualTo(200);
        assertThat(notANumber.body())
                .contains("k is a whole number")
                .containsPattern("id=\"evaluate-k\"[^>]*value=\"three\"")
                .containsPattern("id=\"evaluate-k\"[^>]*aria-invalid=\"true\"");
        HttpResponse<String> tooMany = post(
                ada,
                "/portal/collections/portal-evaluate/evaluations",
                notANumber.body(),
                "version=1&k=3&queries=5000");
        assertThat(tooMany.body())
                .contains("queries is between 1 and 2000")
                .containsPattern("id=\"evaluate-queries\"[^>]*aria-invalid=\"true\"");

        HttpResponse<String> sampled = post(
                ada,
                "/portal/collections/portal-evaluate/evaluations",
                tooMany.body(),
                "version=1&k=3&queries=8&seed=7");
        assertThat(sampled.uri().toString()).endsWith("/portal/collections/portal-evaluate?version=1");
        assertThat(sampled.body())
                .contains("Evaluated version 1 on 8 queries", "8 sampled items, k = 3 (seed 7)")
                .as("the person by name, not by directory id")
                .contains("by Ada Admin (demo)")
                .doesNotContain("UTC by " + CollectionPagesTests.ADA);

        String set =
                CollectionQuerySetTests.upload("portal-evaluate", """
                        {"id":"q1","vector":[0.9,0.1,0,0],"wound":"ulcer"}
                        {"id":"q2","vector":[0.1,0.9,0,0],"wound":"burn"}
                        """).get("id").asString();
        HttpResponse<String> mixed = post(
                ada,
                "/portal/collections/portal-evaluate/evaluations",
                sampled.body(),
                "version=1&k=3&seed=4&querySet=" + set);
        assertThat(mixed.body())
                .contains("A querySet replaces the sample")
                .containsPattern("id=\"evaluate-querySet\"[^>]*value=\"" + set + "\"")
                .containsPattern("id=\"evaluate-querySet\"[^>]*aria-invalid=\"true\"");
        HttpResponse<String> byQuerySet = post(
                ada, "/portal/collections/portal-evaluate/evaluations", mixed.body(), "version=1&k=3&querySet=" + set);
        assertThat(byQuerySet.body())
                .contains("Evaluated version 1 on 2 queries")
                .contains("the 2 queries of the labelled query set " + set);
        assertThat(client.get("/api/v1/collections/portal-evaluate/versions/1/evaluations", compliance())
                        .json()
                        .findValuesAsString("method"))
                .as("the two evaluations the admin asked for, nothing from the refusals")
                .containsExactlyInAnyOrder(
                        "labelled query set", "leave-one-out on a seeded sample of the labelled items");

        String scopeName = client.get("/api/v1/data-scopes/wound-images-deid", admin())
                .json()
                .get("displayName")
                .asString();
        try {
            HttpResponse<String> outOfRange =
                    post(ada, "/portal/collections/portal-evaluate/gate", byQuerySet.body(), "action=set&minTop1=1.5");
            assertThat(outOfRange.body())
                    .contains("minTop1 is a share between 0 and 1")
                    .containsPattern("id=\"gate-minTop1\"[^>]*aria-invalid=\"true\"")
                    .containsPattern("asks no\\s+evaluation");
            HttpResponse<String> set95 =
                    post(ada, "/portal/collections/portal-evaluate/gate", outOfRange.body(), "action=set&minTop1=0.95");
            assertThat(set95.body())
                    .contains("A RAG_CLASSIFIER holding " + scopeName + " now needs", "at least <strong>0.950</strong>")
                    .containsPattern("id=\"gate-minTop1\"[^>]*value=\"0.95\"");
            HttpResponse<String> cleared =
                    post(ada, "/portal/collections/portal-evaluate/gate", set95.body(), "action=clear&minTop1=0.95");
            assertThat(cleared.body())
                    .contains("The gate of " + scopeName + " is cleared")
                    .containsPattern("asks no\\s+evaluation");
            assertThat(client.get("/api/v1/audit/events?action=collection.gate_set&limit=20", compliance())
                            .json()
                            .get("items")
                            .findValuesAsString("minTop1"))
                    .as("audited by the API's use case")
                    .contains("0.95", "none");
        } finally {
            client.call("PUT", "/api/v1/collection-gates/wound-images-deid", admin(), "{\"minTop1\":null}");
        }
    }
}
