package io.warden.registry.adapters;

import com.microsoft.aad.msal4j.ClientCredentialFactory;
import com.microsoft.aad.msal4j.ClientCredentialParameters;
import com.microsoft.aad.msal4j.ConfidentialClientApplication;
import com.microsoft.aad.msal4j.IClientCredential;
import com.microsoft.aad.msal4j.IHttpClient;
import com.microsoft.kiota.authentication.AccessTokenProvider;
import com.microsoft.kiota.authentication.AllowedHostsValidator;
import java.io.InputStream;
import java.net.MalformedURLException;
import java.net.URI;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * Warden's own app registration signs in to Graph with MSAL4J's client-credentials flow (a certificate, or
 * a client secret), asking for {@code https://graph.microsoft.com/.default}. MSAL caches the token and
 * refreshes it before it expires; this provider asks MSAL for every request and hands the token only to
 * the configured Graph host. Thread-safe.
 */
public final class MsalAccessTokenProvider implements AccessTokenProvider {

    private final ConfidentialClientApplication msal;
    private final ClientCredentialParameters parameters;
    private final AllowedHostsValidator hosts;

    /**
     * @param authority   e.g. {@code https://login.microsoftonline.com/<tenant-id>/}
     * @param clientId    Warden's application (client) id
     * @param credential  a secret or a certificate ({@link #secret}, {@link #certificate})
     * @param scope       {@code https://graph.microsoft.com/.default}
     * @param graphHost   the only host tokens are sent to
     * @param httpClient  MSAL's HTTP client; null for its own (a test passes one that reaches a local token endpoint)
     */
    public MsalAccessTokenProvider(
            URI authority,
            String clientId,
            IClientCredential credential,
            String scope,
            String graphHost,
            @Nullable IHttpClient httpClient) {
        try {
            var builder = ConfidentialClientApplication.builder(clientId, credential)
                    .authority(authority.toString())
                    .instanceDiscovery(false);
            if (httpClient != null) {
                builder.httpClient(httpClient);
            }
            if (!authority.getHost().endsWith("login.microsoftonline.com")) {
                builder.validateAuthority(false); // a sovereign cloud's or a test's authority
            }
            this.msal = builder.build();
        } catch (MalformedURLException e) {
            throw new IllegalArgumentException("warden.graph.authority is not a URL: " + authority, e);
        }
        this.parameters = ClientCredentialParameters.builder(Set.of(scope)).build();
        this.hosts = new AllowedHostsValidator(graphHost);
    }

    public static IClientCredential secret(String secret) {
        return ClientCredentialFactory.createFromSecret(secret);
    }

    /** A PKCS#12 certificate with its private key: preferred over a secret. */
    public static IClientCredential certificate(InputStream pkcs12, String password) {
        try {
            return ClientCredentialFactory.createFromCertificate(pkcs12, password);
        } catch (Exception e) {
            throw new IllegalArgumentException("warden.graph.certificate could not be read", e);
        }
    }

    @Override
    public String getAuthorizationToken(URI uri, @Nullable Map<String, Object> context) {
        if (!hosts.isUrlHostValid(uri)) {
            return "";
        }
        try {
            return msal.acquireToken(parameters).get(30, TimeUnit.SECONDS).accessToken();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while signing in to Microsoft Graph", e);
        } catch (ExecutionException | TimeoutException e) {
            // the exception's text never carries the credential, but it may carry a response: keep only the type
            throw new IllegalStateException("Could not sign in to Microsoft Graph ("
                    + rootCause(e).getClass().getSimpleName() + ": "
                    + rootCause(e).getMessage() + ")");
        }
    }

    private static Throwable rootCause(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    @Override
    public AllowedHostsValidator getAllowedHostsValidator() {
        return hosts;
    }
}
