package io.warden.registry.adapters;

import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.warden.registry.Directory;
import io.warden.registry.DirectoryUser;
import io.warden.registry.RegistryException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The people search through Graph against the local fake: the documented advanced query ({@code $search} on
 * displayName, mail and userPrincipalName with {@code ConsistencyLevel: eventual}), people who may own agents first,
 * and hostile text kept inside its search phrase or refused before any request.
 */
class GraphDirectorySearchTests {

    WireMockServer graph;
    Directory directory;

    @BeforeEach
    void start() {
        graph = GraphFake.start();
        directory = new GraphDirectory(GraphFake.client(graph, "token"), 20);
    }

    @AfterEach
    void stop() {
        graph.stop();
    }

    @Test
    void searchesDisplayNameMailAndPrincipalNameWithTheAdvancedQueryAndPutsActivePeopleFirst() {
        graph.stubFor(get(urlPathEqualTo("/v1.0/users"))
                .withHeader("ConsistencyLevel", equalTo("eventual"))
                .withQueryParam(
                        "$search", equalTo("\"displayName:quill\" OR \"mail:quill\" OR \"userPrincipalName:quill\""))
                .willReturn(okJson("""
                        {"value":[
                          {"id":"u-zed","userPrincipalName":"zed@contoso.org","displayName":"Zed Quill","mail":"zed@contoso.org","accountEnabled":true},
                          {"id":"u-bob","userPrincipalName":"bob@contoso.org","displayName":"Bob Quill","accountEnabled":false},
                          {"id":"u-ann","userPrincipalName":"ann@contoso.org","displayName":"Ann Quill","mail":"ann@contoso.org","accountEnabled":true}
                        ]}""")));

        var found = directory.searchUsers("  quill ", 5);

        assertThat(found).extracting(DirectoryUser::id).containsExactly("u-ann", "u-zed", "u-bob");
        assertThat(found.getFirst().mail()).isEqualTo("ann@contoso.org");
        assertThat(found.getLast().active()).isFalse();
        graph.verify(getRequestedFor(urlPathEqualTo("/v1.0/users"))
                .withQueryParam("$top", equalTo("5"))
                .withQueryParam("$select", equalTo(String.join(",", GraphDirectory.SELECT)))
                .withHeader("Authorization", equalTo("Bearer token")));
    }

    @Test
    void aLimitAboveTheBoundAsksGraphForTheBoundOnly() {
        graph.stubFor(get(urlPathEqualTo("/v1.0/users")).willReturn(okJson("{\"value\":[]}")));

        assertThat(directory.searchUsers("ann", 10_000)).isEmpty();

        graph.verify(getRequestedFor(urlPathEqualTo("/v1.0/users"))
                .withQueryParam("$top", equalTo(String.valueOf(Directory.SEARCH_MAX_RESULTS))));
    }

    @Test
    void quotesAndBackslashesStayInsideTheirSearchPhrase() {
        graph.stubFor(get(urlPathEqualTo("/v1.0/users")).willReturn(okJson("{\"value\":[]}")));

        directory.searchUsers("x\" OR \"accountEnabled:true\\", 5);

        // each phrase still ends where it began: the typed quote is escaped, as is the trailing backslash
        String phrase = "x\\\" OR \\\"accountEnabled:true\\\\";
        graph.verify(getRequestedFor(urlPathEqualTo("/v1.0/users"))
                .withQueryParam(
                        "$search",
                        equalTo("\"displayName:" + phrase + "\" OR \"mail:" + phrase + "\" OR \"userPrincipalName:"
                                + phrase + "\"")));
    }

    @Test
    void controlCharactersOverlongAndBlankTextNeverReachGraph() {
        assertThatThrownBy(() -> directory.searchUsers("ann\u0000\" OR \"", 5))
                .isInstanceOf(RegistryException.InvalidField.class)
                .hasMessageContaining("control");
        assertThatThrownBy(() -> directory.searchUsers("ann\u202Eevil", 5))
                .isInstanceOf(RegistryException.InvalidField.class);
        assertThatThrownBy(() -> directory.searchUsers("a".repeat(Directory.SEARCH_MAX_TEXT + 1), 5))
                .isInstanceOf(RegistryException.InvalidField.class)
                .hasMessageContaining("at most " + Directory.SEARCH_MAX_TEXT);
        assertThat(directory.searchUsers("   ", 5)).isEmpty();

        graph.verify(0, getRequestedFor(anyUrl()));
    }
}
