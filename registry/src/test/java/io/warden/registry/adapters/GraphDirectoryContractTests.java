package io.warden.registry.adapters;

import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static java.util.Objects.requireNonNull;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.WireMock;
import io.warden.registry.Directory;
import io.warden.registry.DirectoryContract;
import io.warden.registry.DirectoryGroup;
import java.util.List;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;

/** The directory contract for Entra ID through Graph, against a local fake answering Graph v1.0's JSON. */
class GraphDirectoryContractTests extends DirectoryContract {

    private @Nullable WireMockServer graph;

    /** The fake Graph, started by {@link #givenPeople}. */
    private WireMockServer graph() {
        return requireNonNull(graph, "givenPeople starts the fake Graph");
    }

    @Override
    protected Directory directory() {
        return new GraphDirectory(GraphFake.client(graph(), "token"), 20);
    }

    @Override
    protected void givenPeople(List<Person> people) {
        WireMockServer graph = GraphFake.start();
        this.graph = graph;
        for (Person person : people) {
            graph.stubFor(get(urlPathEqualTo("/v1.0/users/" + person.id())).willReturn(okJson(json(person))));
            if (person.managerId() != null) {
                graph.stubFor(get(urlPathEqualTo("/v1.0/users/" + person.id() + "/manager"))
                        .willReturn(okJson(
                                "{\"@odata.type\":\"#microsoft.graph.user\",\"id\":\"" + person.managerId() + "\"}")));
            }
        }
        graph.stubFor(get(urlPathEqualTo("/v1.0/users/delta()"))
                .willReturn(okJson("{\"@odata.deltaLink\":\"http://127.0.0.1:"
                        + graph.port() + "/v1.0/users/delta?$deltatoken=t1\",\"value\":["
                        + people.stream().map(GraphDirectoryContractTests::json).collect(Collectors.joining(","))
                        + "]}")));
    }

    @Override
    protected void givenGroups(String member, DirectoryGroup outer, DirectoryGroup inner, DirectoryGroup direct) {
        // Graph resolves nesting itself: transitiveMemberOf lists every group, one page linking to the next
        graph().stubFor(get(urlPathEqualTo("/v1.0/users/" + member + "/transitiveMemberOf/graph.group"))
                .willReturn(okJson("""
                {"@odata.nextLink":"http://127.0.0.1:%d/v1.0/users/%s/transitiveMemberOf/graph.group?$skiptoken=2",
                 "value":[{"@odata.type":"#microsoft.graph.group","id":"%s","displayName":"%s"},
                          {"@odata.type":"#microsoft.graph.group","id":"%s","displayName":"%s"}]}""".formatted(
                        graph().port(), member, outer.id(), outer.displayName(), inner.id(), inner.displayName()))));
        graph().stubFor(get(urlPathEqualTo("/v1.0/users/" + member + "/transitiveMemberOf/graph.group"))
                .withQueryParam("$skiptoken", WireMock.equalTo("2"))
                .willReturn(okJson("""
                {"value":[{"@odata.type":"#microsoft.graph.group","id":"%s","displayName":"%s"}]}""".formatted(direct.id(), direct.displayName()))));
        graph().stubFor(get(urlPathEqualTo("/v1.0/groups/" + direct.id()))
                .willReturn(okJson("""
                {"@odata.type":"#microsoft.graph.group","id":"%s","displayName":"%s"}""".formatted(direct.id(), direct.displayName()))));
    }

    private static String json(Person person) {
        return """
                {"id":"%s","userPrincipalName":"%s","displayName":"%s","accountEnabled":%s}""".formatted(person.id(), person.userPrincipalName(), person.displayName(), person.enabled());
    }

    @AfterEach
    void stop() {
        if (graph != null) {
            graph.stop();
        }
    }
}
