package io.warden.app;

import static io.warden.app.PortalTests.browser;
import static io.warden.app.PortalTests.get;
import static io.warden.app.PortalTests.post;
import static io.warden.app.PortalTests.signIn;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Governed collections in the portal, through the real app and its real sign-in: the pages show what
 * {@code /api/v1/collections} reads (names and data scopes by their display names, versions, refused items,
 * evaluations with their confusion matrix, the scope's gate); an admin removes an item and retires a collection with a
 * reason through the API's use cases (validated, refused next to the field, audited); other people read only, and
 * owners not at all, as on the API.
 */
class CollectionPagesTests extends IntegrationTest {

    static final String ADA = "3f1c2a9e-7b1d-4e0a-9c11-000000000a01";

    /**
     * An IMAGE collection of {@code wound-images-deid} with version 1 built from precomputed vectors: eight items of
     * two labels, one line refused for its dimension.
     */
    static void builtCollection(String name, String displayName) {
        var created = client.call("POST", "/api/v1/collections", admin(), """
                {"name":"%s","displayName":"%s","dataScope":"wound-images-deid","modality":"IMAGE",
                 "embeddingModel":"test-encoder","indexKind":"FLAT","dimension":4,"deidentified":true,
                 "labelField":"wound"}""".formatted(name, displayName));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        StringBuilder items = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            boolean ulcer = i % 2 == 0;
            items.append("{\"id\":\"w%d\",\"vector\":[%s,%s,0.1,0],\"metadata\":{\"wound\":\"%s\"}}\n"
                    .formatted(i, ulcer ? "1" : "0.01", ulcer ? "0.01" : "1", ulcer ? "ulcer" : "burn"));
        }
        items.append("{\"id\":\"short\",\"vector\":[1,0],\"metadata\":{\"wound\":\"ulcer\"}}\n");
        String upload = CollectionsTests.upload(
                name, "application/x-ndjson", items.toString().getBytes(StandardCharsets.UTF_8));
        var started = client.call(
                "POST",
                "/api/v1/collections/" + name + "/builds",
                admin(),
                "{\"format\":\"vectors-ndjson\",\"upload\":\"" + upload + "\"}");
        assertThat(started.status()).as(started.body()).isEqualTo(202);
        assertThat(CollectionsTests.built(name, 1).get("state").asString()).isEqualTo("READY");
    }

    @Test
    void theListAndACollectionsPageShowWhatTheApiReadsByNames() throws Exception {
        builtCollection("portal-wounds", "Portal wound photographs");
        var evaluated = client.call(
                "POST",
                "/api/v1/collections/portal-wounds/versions/1/evaluations",
                admin(),
                "{\"k\":3,\"queries\":8,\"seed\":7}");
        assertThat(evaluated.status()).as(evaluated.body()).isEqualTo(201);
        JsonNode result = evaluated.json().get("result");
        String scopeName = client.get("/api/v1/data-scopes/wound-images-deid", admin())
                .json()
                .get("displayName")
                .asString();
        assertThat(client.call("PUT", "/api/v1/collection-gates/wound-images-deid", admin(), "{\"minTop1\":0.5}")
                        .status())
                .isEqualTo(200);
        try {
            HttpClient sam = browser();
            signIn(sam, "sam.secops");
            HttpResponse<String> list = get(sam, "/portal/collections");
            assertThat(list.statusCode()).isEqualTo(200);
            Matcher row = Pattern.compile("<tr data-collection=\"portal-wounds\">([\\s\\S]*?)</tr>")
                    .matcher(list.body());
            assertThat(row.find()).as(list.body()).isTrue();
            assertThat(cells(row.group(1)))
                    .as("name, data scope, modality, model, current version, items, status")
                    .containsExactly(
                            "Portal wound photographs", scopeName, "IMAGE", "test-encoder", "1", "8", "ACTIVE");
            assertThat(list.body()).contains("href=\"/portal/collections/portal-wounds\"");

            HttpResponse<String> page = get(sam, "/portal/collections/portal-wounds");
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.body())
                    .contains("<h1>Portal wound photographs</h1>", scopeName, "1 (current)", "READY")
                    .contains("<code>wrong-dimension</code>", "short")
                    .contains("at least <strong>0.500</strong>")
                    .as("no actions for security operations")
                    .doesNotContain(
                            "Retire the collection", "Remove an item", "/portal/collections/portal-wounds/retire");
            Matcher top1 = Pattern.compile("class=\"top1\">([0-9.]+)<").matcher(page.body());
            assertThat(top1.find()).isTrue();
            assertThat(Double.parseDouble(top1.group(1)))
                    .isCloseTo(result.get("top1Accuracy").asDouble(), offset(0.0005));
            // the confusion matrix: both labels as rows and columns, every sampled item counted once
            Matcher matrix = Pattern.compile("<table class=\"confusion\">([\\s\\S]*?)</table>")
                    .matcher(page.body());
            assertThat(matrix.find()).isTrue();
            assertThat(matrix.group(1)).contains(">burn</th>", ">ulcer</th>");
            int counted = 0;
            Matcher cell = Pattern.compile("<td[^>]*>(\\d+)</td>").matcher(matrix.group(1));
            while (cell.find()) {
                counted += Integer.parseInt(cell.group(1));
            }
            assertThat(counted).isEqualTo(result.get("queries").asInt());

            HttpClient otto = browser();
            signIn(otto, "otto.owner");
            assertThat(get(otto, "/portal/collections").statusCode())
                    .as("owners read no collection, as on the API")
                    .isEqualTo(403);
            assertThat(get(otto, "/portal/collections/portal-wounds").statusCode())
                    .isEqualTo(403);
            assertThat(get(sam, "/portal/collections/no-such-collection").statusCode())
                    .isEqualTo(404);
        } finally {
            client.call("PUT", "/api/v1/collection-gates/wound-images-deid", admin(), "{\"minTop1\":null}");
        }
    }

    @Test
    void anAdminRemovesAnItemAndRetiresWithAReasonAndNobodyElseCan() throws Exception {
        builtCollection("portal-retire", "Portal retirement");
        HttpClient carla = browser();
        signIn(carla, "carla.compliance");
        HttpResponse<String> asCompliance = get(carla, "/portal/collections/portal-retire");
        assertThat(asCompliance.body()).doesNotContain("Retire the collection");
        assertThat(post(carla, "/portal/collections/portal-retire/retire", asCompliance.body(), "reason=mine")
                        .statusCode())
                .as("only admins change collections, as on the API")
                .isEqualTo(403);
        assertThat(post(carla, "/portal/collections/portal-retire/removals", asCompliance.body(), "item=w1&reason=mine")
                        .statusCode())
                .isEqualTo(403);

        HttpClient ada = browser();
        signIn(ada, "ada.admin");
        HttpResponse<String> page = get(ada, "/portal/collections/portal-retire");
        assertThat(page.body()).contains("Remove an item", "Retire the collection", "Fill: upload, then build");

        HttpResponse<String> forged = ada.send(
                HttpRequest.newBuilder(URI.create(client.base() + "/portal/collections/portal-retire/retire"))
                        .header("Accept", "text/html")
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString("reason=forged"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(forged.statusCode()).as("a form post without the CSRF token").isEqualTo(403);
        assertThat(client.get("/api/v1/collections/portal-retire", admin())
                        .json()
                        .get("status")
                        .asString())
                .isEqualTo("ACTIVE");

        HttpResponse<String> noReason =
                post(ada, "/portal/collections/portal-retire/removals", page.body(), "item=w1&reason=");
        assertThat(noReason.body())
                .contains("Say why the item is removed")
                .containsPattern("id=\"removal-reason\"[^>]*aria-invalid=\"true\"");
        HttpResponse<String> noItem =
                post(ada, "/portal/collections/portal-retire/removals", noReason.body(), "item=w99&reason=wrong+label");
        assertThat(noItem.body())
                .contains("No collection item")
                .containsPattern("id=\"removal-item\"[^>]*aria-invalid=\"true\"");

        HttpResponse<String> removed =
                post(ada, "/portal/collections/portal-retire/removals", noItem.body(), "item=w1&reason=wrong+label");
        assertThat(removed.uri().toString()).endsWith("/portal/collections/portal-retire?version=2");
        assertThat(removed.body()).contains("Removing w1: version 2 is being built without it.");
        JsonNode second = CollectionsTests.built("portal-retire", 2);
        assertThat(second.get("state").asString()).isEqualTo("READY");
        assertThat(second.get("itemCount").asLong()).isEqualTo(7);
        assertThat(second.get("reason").asString()).isEqualTo("wrong label");
        assertThat(second.get("createdBy").asString()).isEqualTo(ADA);

        HttpResponse<String> unexplained =
                post(ada, "/portal/collections/portal-retire/retire", removed.body(), "reason=+");
        assertThat(unexplained.body())
                .contains("Say why the collection is retired")
                .containsPattern("id=\"retire-reason\"[^>]*aria-invalid=\"true\"");
        assertThat(client.get("/api/v1/collections/portal-retire", admin())
                        .json()
                        .get("status")
                        .asString())
                .as("nothing changed by a refusal")
                .isEqualTo("ACTIVE");
        HttpResponse<String> retired = post(
                ada, "/portal/collections/portal-retire/retire", unexplained.body(), "reason=superseded+by+v2+model");
        assertThat(retired.body())
                .contains("Retired: every search of it is refused from now on.", "superseded by v2 model")
                .containsPattern("id=\"collection-status\">RETIRED<")
                .doesNotContain("Retire the collection", "Remove an item");
        JsonNode collection =
                client.get("/api/v1/collections/portal-retire", admin()).json();
        assertThat(collection.get("retiredBy").asString()).isEqualTo(ADA);
        assertThat(collection.get("retireReason").asString()).isEqualTo("superseded by v2 model");

        List<String> actions = new ArrayList<>();
        client.get("/api/v1/audit/events?limit=200", compliance())
                .json()
                .get("items")
                .forEach(event -> {
                    if ("portal-retire".equals(event.path("target").path("id").asString(""))
                            && event.toString().contains(ADA)) {
                        actions.add(event.get("action").asString());
                    }
                });
        assertThat(actions)
                .as("audited by the API's use cases, as the person who acted")
                .contains("collection.item_removal_started", "collection.retired");
    }

    /** The text of a table row's cells, tags and surrounding white space removed. */
    static List<String> cells(String row) {
        List<String> cells = new ArrayList<>();
        Matcher cell = Pattern.compile("<t[hd][^>]*>([\\s\\S]*?)</t[hd]>").matcher(row);
        while (cell.find()) {
            cells.add(cell.group(1).replaceAll("<[^>]+>", "").strip());
        }
        return cells;
    }
}
