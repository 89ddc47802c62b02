package io.warden.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Attacks tried against the running application that are not covered by a feature's own tests; each is
 * refused. {@code docs/security.md} ("What else was tried") lists them with the outcome.
 */
class AttackTests extends IntegrationTest {

    /** Threat: a token with {@code alg: none} carrying an admin's claims is accepted without a signature. */
    @Test
    void anUnsignedTokenIsRefused() throws Exception {
        JWTClaimsSet claims = SignedJWT.parse(admin()).getJWTClaimsSet();
        String unsigned = new PlainJWT(claims).serialize();
        assertThat(client.get("/api/v1/agents", unsigned).status()).isEqualTo(401);
    }

    /**
     * Threat: algorithm confusion — a token signed with HS256 using the provider's public RSA key (which anyone
     * can fetch from the JWK set) as the HMAC secret.
     */
    @Test
    void aTokenSignedWithThePublicKeyAsAnHmacSecretIsRefused() throws Exception {
        JWTClaimsSet claims = SignedJWT.parse(admin()).getJWTClaimsSet();
        RSAKey published = (RSAKey)
                JWKSet.parse(client.get("/oauth2/jwks", null).body()).getKeys().get(0);
        byte[] der = published.toRSAPublicKey().getEncoded();
        String pem = "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                        .encodeToString(der) + "\n-----END PUBLIC KEY-----\n";
        for (byte[] secret : new byte[][] {
            der,
            pem.getBytes(StandardCharsets.US_ASCII),
            MessageDigest.getInstance("SHA-256").digest(der)
        }) {
            SignedJWT forged = new SignedJWT(
                    new JWSHeader.Builder(JWSAlgorithm.HS256)
                            .keyID(published.getKeyID())
                            .type(JOSEObjectType.JWT)
                            .build(),
                    claims);
            forged.sign(new MACSigner(
                    secret.length >= 32
                            ? secret
                            : MessageDigest.getInstance("SHA-256").digest(secret)));
            assertThat(client.get("/api/v1/agents", forged.serialize()).status())
                    .isEqualTo(401);
        }
    }

    /** Threat: a token signed by an attacker's own RSA key that reuses the provider's key id. */
    @Test
    void aTokenSignedByAnotherKeyUnderThePublishedKeyIdIsRefused() throws Exception {
        JWTClaimsSet claims = SignedJWT.parse(admin()).getJWTClaimsSet();
        String kid = JWKSet.parse(client.get("/oauth2/jwks", null).body())
                .getKeys()
                .get(0)
                .getKeyID();
        RSAKey attacker = new RSAKeyGenerator(2048).keyID(kid).generate();
        SignedJWT forged = new SignedJWT(
                new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(kid).build(), claims);
        forged.sign(new RSASSASigner(attacker));
        assertThat(client.get("/api/v1/agents", forged.serialize()).status()).isEqualTo(401);
    }

    /** Threat: an agent's token edited to carry the ADMIN role keeps a valid-looking signature. */
    @Test
    void aTamperedPayloadBreaksTheSignature() throws Exception {
        String[] parts = admin().split("\\.");
        JWTClaimsSet claims = new JWTClaimsSet.Builder(SignedJWT.parse(agent()).getJWTClaimsSet())
                .claim("roles", List.of("ADMIN"))
                .build();
        String tampered = parts[0] + "."
                + Base64.getUrlEncoder()
                        .withoutPadding()
                        .encodeToString(claims.toString().getBytes(StandardCharsets.UTF_8))
                + "." + parts[2];
        assertThat(client.get("/api/v1/agents", tampered).status()).isEqualTo(401);
    }

    /**
     * Threat: stored cross-site scripting — an owner names an agent with markup, and an admin's portal page
     * runs it. Names are rendered as text.
     */
    @Test
    void markupInAnAgentsNameIsShownAsText() throws Exception {
        String name = "<script>alert('warden')</script><img src=x onerror=alert(1)>";
        var registered = client.call(
                "POST", "/api/v1/agents", owner(), """
                {"name":%s,"kind":"RETRIEVAL","purpose":"\\"><svg onload=alert(2)>","submit":false}""".formatted(WardenClient.JSON.writeValueAsString(name)));
        assertThat(registered.status()).as(registered.body()).isEqualTo(201);
        String id = registered.json().get("id").asString();
        HttpClient browser = PortalTests.browser();
        PortalTests.signIn(browser, "ada.admin");
        for (String page : new String[] {"/portal/agents", "/portal/agents/" + id}) {
            String body = PortalTests.get(browser, page).body();
            assertThat(body)
                    .as(page)
                    .contains("&lt;script&gt;alert(&#39;warden&#39;)&lt;/script&gt;")
                    .doesNotContain("<script>alert(", "<img src=x", "<svg onload");
        }
    }

    /** Threat: SQL injection through the audit search's filters. The text is a value, never SQL. */
    @Test
    void sqlInAnAuditFilterIsAValue() {
        for (String hostile : new String[] {"' or '1'='1", "x'; drop table audit_record; --", "%' or 1=1 --"}) {
            var response = client.get(
                    "/api/v1/audit/events?agent=" + URLEncoder.encode(hostile, StandardCharsets.UTF_8)
                            + "&tool=" + URLEncoder.encode(hostile, StandardCharsets.UTF_8) + "&purpose="
                            + URLEncoder.encode(hostile, StandardCharsets.UTF_8)
                            + "&action=" + URLEncoder.encode(hostile, StandardCharsets.UTF_8),
                    compliance());
            assertThat(response.status()).as(response.body()).isEqualTo(200);
            assertThat(response.json().get("items")).as("matches nothing").isEmpty();
        }
        assertThat(client.get("/api/v1/audit/events?limit=1", compliance())
                        .json()
                        .get("items"))
                .as("the trail is still there")
                .isNotEmpty();
    }

    /**
     * Threat: an open redirect or code theft — an authorization request for the command-line client that names
     * an attacker's redirect URI. The provider answers with an error and sends nothing there.
     */
    @Test
    void anUnregisteredRedirectUriGetsNoCode() throws Exception {
        HttpClient browser = PortalTests.browser();
        PortalTests.signIn(browser, "ada.admin");
        HttpClient noRedirects = HttpClient.newBuilder()
                .cookieHandler(browser.cookieHandler().orElseThrow())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        String authorize = "/oauth2/authorize?response_type=code&client_id=warden-cli&scope=openid%20warden.api"
                + "&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256&state=s"
                + "&redirect_uri=" + URLEncoder.encode("https://attacker.example/callback", StandardCharsets.UTF_8);
        HttpResponse<String> response = noRedirects.send(
                HttpRequest.newBuilder(URI.create(client.base() + authorize))
                        .header("Accept", "text/html")
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.headers().firstValue("Location")).isEmpty();
        assertThat(response.body()).doesNotContain("attacker.example/callback?code=");
    }

    /** Threat: cross-site request forgery — a page elsewhere posts the portal's kill-switch form with a signed-in SecOps browser. */
    @Test
    void aPortalFormWithoutItsCsrfTokenIsRefused() throws Exception {
        HttpClient browser = PortalTests.browser();
        PortalTests.signIn(browser, "sam.secops");
        HttpResponse<String> response = browser.send(
                HttpRequest.newBuilder(URI.create(client.base() + "/portal/kill-switches"))
                        .header("Accept", "text/html")
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .header("Origin", "https://attacker.example")
                        .POST(HttpRequest.BodyPublishers.ofString("scope=GLOBAL&target=&reason=csrf&confirm=true"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(client.get("/api/v1/kill-switches", secops()).body()).doesNotContain("\"reason\":\"csrf\"");
    }
}
