package io.warden.registry.adapters;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.microsoft.graph.serviceclient.GraphServiceClient;
import com.microsoft.kiota.authentication.AccessTokenProvider;
import com.microsoft.kiota.authentication.AllowedHostsValidator;
import java.net.URI;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** A local fake of Microsoft Graph v1.0 for the adapter tests, and a Graph client pointed at it. */
final class GraphFake {

    private GraphFake() {}

    /** Started on 127.0.0.1; anything not stubbed answers as Graph answers an unknown resource. */
    static WireMockServer start() {
        WireMockServer graph = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));
        graph.start();
        graph.stubFor(
                any(anyUrl())
                        .atPriority(100)
                        .willReturn(
                                aResponse()
                                        .withStatus(404)
                                        .withHeader("Content-Type", "application/json")
                                        .withBody(
                                                "{\"error\":{\"code\":\"Request_ResourceNotFound\",\"message\":\"Resource does not exist.\"}}")));
        return graph;
    }

    static String base(WireMockServer graph) {
        return "http://127.0.0.1:" + graph.port() + "/v1.0";
    }

    /** A Graph client for the fake, sending a fixed token. */
    static GraphServiceClient client(WireMockServer graph, String token) {
        return GraphClients.create(URI.create(base(graph)), new AccessTokenProvider() {
            public String getAuthorizationToken(URI uri, @Nullable Map<String, Object> context) {
                return token;
            }

            public AllowedHostsValidator getAllowedHostsValidator() {
                return new AllowedHostsValidator("127.0.0.1");
            }
        });
    }
}
