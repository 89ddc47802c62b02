package io.warden.registry.adapters;

import com.microsoft.graph.core.requests.BaseGraphRequestAdapter;
import com.microsoft.graph.serviceclient.GraphServiceClient;
import com.microsoft.kiota.authentication.AccessTokenProvider;
import com.microsoft.kiota.authentication.BaseBearerTokenAuthenticationProvider;
import java.net.URI;

/**
 * Builds a {@link GraphServiceClient} on a configurable base URL ({@code https://graph.microsoft.com/v1.0}
 * in production, a national cloud's, or a local fake's in tests). The SDK's default HTTP pipeline stays in
 * place: it retries throttled (429) and unavailable (503, 504) answers a bounded number of times, honouring
 * {@code Retry-After}.
 */
public final class GraphClients {

    private GraphClients() {}

    public static GraphServiceClient create(URI baseUrl, AccessTokenProvider tokens) {
        BaseGraphRequestAdapter adapter =
                new BaseGraphRequestAdapter(new BaseBearerTokenAuthenticationProvider(tokens));
        String base = baseUrl.toString();
        adapter.setBaseUrl(base.endsWith("/") ? base.substring(0, base.length() - 1) : base);
        return new GraphServiceClient(adapter);
    }
}
