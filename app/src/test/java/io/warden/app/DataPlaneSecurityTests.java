package io.warden.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The gateway's lean security chain through the real app: what it answers without a token, with a bad or a
 * person's token, that the strict firewall still runs before it, and that an agent's answer carries the security
 * headers the generic chain wrote.
 */
class DataPlaneSecurityTests extends IntegrationTest {

    static final String CALL = """
            {"collection":"ct-series","dataset":"imaging-ct-deid","purposeOfUse":"TREAT","text":"CT chest","k":3}""";

    @Test
    void withoutATokenTheGatewayAnswers401WithTheBearerChallenge() {
        var answer = client.call("POST", "/gateway/v1/text-search", null, CALL);
        assertThat(answer.status()).isEqualTo(401);
        // the bearer challenge without an error (no token was presented), pointing at the protected resource metadata
        assertThat(answer.header("WWW-Authenticate")).startsWith("Bearer").doesNotContain("error=");
        assertThat(answer.contentType()).startsWith("application/problem+json");
        assertThat(answer.json().get("code").asString()).isEqualTo("unauthenticated");
    }

    @Test
    void aForgedOrMalformedTokenIs401InvalidToken() {
        String token = agent();
        String forged = token.substring(0, token.lastIndexOf('.') + 1) + "AAAA";
        for (String header : new String[] {"Bearer " + forged, "Bearer " + token + " x", "Bearer"}) {
            var answer = client.call("POST", "/gateway/v1/text-search", null, CALL, Map.of("Authorization", header));
            assertThat(answer.status()).as(answer.body()).isEqualTo(401);
            assertThat(answer.header("WWW-Authenticate")).startsWith("Bearer error=\"invalid_token\"");
            assertThat(answer.body()).doesNotContain(forged);
        }
    }

    @Test
    void aPersonsTokenIsRefusedOnTheGateway() {
        var answer = client.call("POST", "/gateway/v1/text-search", admin(), CALL);
        assertThat(answer.status()).isEqualTo(403);
        assertThat(answer.header("WWW-Authenticate")).startsWith("Bearer error=\"insufficient_scope\"");
        assertThat(answer.json().get("code").asString()).isEqualTo("forbidden");
    }

    @Test
    void theStrictFirewallStillRunsBeforeTheLeanChain() {
        // a path parameter and an encoded slash are refused by the firewall before any chain, token or not
        for (String path : new String[] {"/gateway/v1;x=y/text-search", "/gateway/v1%2Ftext-search"}) {
            var answer = client.call("POST", path, agent(), CALL);
            assertThat(answer.status()).as(path).isEqualTo(400);
        }
    }

    @Test
    void anAgentsAnswerCarriesTheSecurityHeaders() {
        governedCollection("ct-series", "imaging-ct-deid"); // else the gateway refuses it (403 COLLECTION_UNKNOWN)
        var answer = client.call("POST", "/gateway/v1/text-search", agent(), CALL);
        assertThat(answer.status()).as(answer.body()).isNotIn(401, 403);
        assertThat(answer.header("Cache-Control")).contains("no-store");
        assertThat(answer.header("X-Content-Type-Options")).isEqualTo("nosniff");
        assertThat(answer.header("X-Frame-Options")).isEqualTo("DENY");
    }
}
