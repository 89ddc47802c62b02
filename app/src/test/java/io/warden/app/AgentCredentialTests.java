package io.warden.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.warden.lifecycle.CredentialRotations;
import io.warden.registry.CredentialPolicy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.UUID;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * Agents' credentials neither live forever nor lapse silently: embedded secrets get a lifetime, are rotated
 * before expiry with an overlap, certificates authenticate with private_key_jwt, and what expires soon is
 * on the dashboard and told to the owner once. Each test names the threat it covers.
 */
class AgentCredentialTests extends IntegrationTest {

    @Autowired
    CredentialRotations rotation;

    @Autowired
    CredentialPolicy policy;

    @Autowired
    JdbcClient jdbc;

    /** Threat: a leaked secret that never expires gives an attacker access forever. */
    @Test
    void aProvisionedSecretHasTheConfiguredLifetime() {
        String id = activeAgent("Lifetime agent");
        JsonNode credentials =
                client.get("/api/v1/agents/" + id + "/credentials", owner()).json();
        assertThat(credentials).hasSize(1);
        JsonNode secret = credentials.get(0);
        assertThat(secret.get("kind").asString()).isEqualTo("SECRET");
        assertThat(secret.get("state").asString()).isEqualTo("CURRENT");
        Instant created = Instant.parse(secret.get("notBefore").asString());
        assertThat(Instant.parse(secret.get("expiresAt").asString())).isEqualTo(created.plus(policy.secretLifetime()));
        assertThat(credentials.toString())
                .as("no secret or verifier in the answer")
                .doesNotContain("verifier", "{bcrypt}", storedSecret(id));
    }

    /**
     * Threats: a secret lapses and the agent stops silently; a rotated-out secret keeps working forever; a
     * rotation locks the agent's deployment out before it picked up the new secret.
     */
    @Test
    void rotationBeforeExpiryIssuesANewSecretBothWorkDuringTheOverlapAndTheOldIsRefusedAfter() {
        String id = activeAgent("Rotated agent");
        String clientId = "agent-" + id;
        String old = storedSecret(id);
        assertThat(tokenStatus(clientId, old)).isEqualTo(200);

        nearExpiry(id);
        CredentialRotations.Run run = rotation.run(Instant.now());
        assertThat(run.rotated()).isGreaterThanOrEqualTo(1);
        String fresh = storedSecret(id);
        assertThat(fresh).isNotEqualTo(old);
        assertThat(tokenStatus(clientId, fresh)).as("the new secret works").isEqualTo(200);
        assertThat(tokenStatus(clientId, old))
                .as("the old one works during the overlap")
                .isEqualTo(200);
        rotation.run(Instant.now());
        List<String> states = new ArrayList<>();
        client.get("/api/v1/agents/" + id + "/credentials", owner())
                .json()
                .forEach(node -> states.add(node.get("state").asString()));
        assertThat(states).as("rotated once, not on every run").containsExactlyInAnyOrder("REPLACED", "CURRENT");
        assertThat(storedSecret(id)).isEqualTo(fresh);

        rotation.run(Instant.now().plus(policy.overlap()).plusSeconds(1));
        assertThat(tokenStatus(clientId, old))
                .as("the old one is refused after the overlap")
                .isEqualTo(401);
        assertThat(tokenStatus(clientId, fresh)).isEqualTo(200);
        assertThat(auditActions(id)).contains("agent.credential_rotated", "agent.credential_revoked");
        assertThat(jdbc.sql("select count(*) from audit_event where array_to_string(detail_values, ' ') like :secret")
                        .param("secret", "%" + fresh + "%")
                        .query(Long.class)
                        .single())
                .as("no secret in the audit trail")
                .isZero();
    }

    /** Threat: rotation or an unexpired overlap re-opens a suspended agent's access. */
    @Test
    void aSuspendedAgentStaysRefusedWithItsOldAndNewSecret() {
        String id = activeAgent("Suspended rotated agent");
        String clientId = "agent-" + id;
        String old = storedSecret(id);
        assertThat(client.call("POST", "/api/v1/agents/" + id + "/suspend", secops(), "{\"reason\":\"test\"}")
                        .status())
                .isEqualTo(200);
        nearExpiry(id);
        rotation.run(Instant.now());
        String fresh = storedSecret(id);
        assertThat(fresh).isNotEqualTo(old);
        assertThat(tokenStatus(clientId, old)).isEqualTo(401);
        assertThat(tokenStatus(clientId, fresh)).isEqualTo(401);
    }

    /** Threat: a secret past its lifetime still gets tokens. */
    @Test
    void aSecretPastItsLifetimeIsRefused() {
        String id = activeAgent("Lapsed agent");
        jdbc.sql(
                        "update agent_credential set not_before = now() - interval '100 days', expires_at = now() - interval '1 second' "
                                + "where agent_id = :id")
                .param("id", UUID.fromString(id))
                .update();
        assertThat(tokenStatus("agent-" + id, storedSecret(id))).isEqualTo(401);
    }

    /**
     * Threats: a client assertion signed with a key whose certificate was never registered, a wrong key, or
     * an expired certificate gets a token.
     */
    @Test
    void privateKeyJwtWithARegisteredCertificateGetsATokenAndAnythingElseIsRefused() throws Exception {
        String id = activeAgent("Certificate agent");
        String clientId = "agent-" + id;
        KeyPair key = rsa();
        X509Certificate certificate =
                certificate(key, Instant.now().minusSeconds(60), Instant.now().plus(Duration.ofDays(20)));

        assertThat(assertionStatus(clientId, key, certificate))
                .as("not yet registered")
                .isEqualTo(401);
        var added = client.call(
                "POST", "/api/v1/agents/" + id + "/credentials/certificates", owner(), certificateBody(certificate));
        assertThat(added.status()).as(added.body()).isEqualTo(201);
        assertThat(added.json().get("fingerprint").asString()).isEqualTo(thumbprint(certificate));
        assertThat(assertionStatus(clientId, key, certificate)).isEqualTo(200);

        assertThat(assertionStatus(clientId, rsa(), certificate))
                .as("signed by another key")
                .isEqualTo(401);
        KeyPair other = rsa();
        assertThat(assertionStatus(
                        clientId,
                        other,
                        certificate(
                                other,
                                Instant.now().minusSeconds(60),
                                Instant.now().plusSeconds(3600))))
                .as("a certificate not registered")
                .isEqualTo(401);

        KeyPair shortLived = rsa();
        X509Certificate soonExpired = certificate(
                shortLived, Instant.now().minusSeconds(60), Instant.now().plusSeconds(3));
        assertThat(client.call(
                                "POST",
                                "/api/v1/agents/" + id + "/credentials/certificates",
                                owner(),
                                certificateBody(soonExpired))
                        .status())
                .isEqualTo(201);
        assertThat(assertionStatus(clientId, shortLived, soonExpired)).isEqualTo(200);
        Thread.sleep(3500);
        assertThat(assertionStatus(clientId, shortLived, soonExpired))
                .as("an expired certificate")
                .isEqualTo(401);

        String credentialId = added.json().get("id").asString();
        assertThat(client.call("DELETE", "/api/v1/agents/" + id + "/credentials/" + credentialId, owner(), null)
                        .status())
                .isEqualTo(204);
        assertThat(assertionStatus(clientId, key, certificate))
                .as("a removed certificate")
                .isEqualTo(401);
        assertThat(auditActions(id)).contains("agent.credential_issued", "agent.credential_revoked");
    }

    /** Threat: hostile or careless input (not a certificate, a private key pasted in, an expired one) stored as a credential. */
    @Test
    void badCertificatesAreProblemsNamingTheField() throws Exception {
        String id = activeAgent("Bad certificate agent");
        for (String body : new String[] {
            "{\"certificate\":\"hello\"}",
            "{\"certificate\":\"-----BEGIN CERTIFICATE-----\\nAAAA\\n-----END CERTIFICATE-----\"}",
            "{\"certificate\":\"-----BEGIN PRIVATE KEY-----\\nAAAA\\n-----END PRIVATE KEY-----\"}",
            certificateBody(certificate(
                    rsa(),
                    Instant.now().minus(Duration.ofDays(2)),
                    Instant.now().minus(Duration.ofDays(1))))
        }) {
            var response = client.call("POST", "/api/v1/agents/" + id + "/credentials/certificates", owner(), body);
            assertThat(response.status()).as(body).isEqualTo(400);
            assertThat(response.contentType()).startsWith("application/problem+json");
            assertThat(response.body()).contains("certificate");
        }
        assertThat(client.get("/api/v1/agents/" + id + "/credentials", owner()).json())
                .hasSize(1);
    }

    /** Threat: anyone but the agent, its owner or the right roles reads or changes an agent's credentials. */
    @Test
    void roleRulesOfTheCredentialsEndpoints() throws Exception {
        String id = activeAgent("Role rules agent");
        String body = certificateBody(
                certificate(rsa(), Instant.now().minusSeconds(60), Instant.now().plus(Duration.ofDays(5))));
        String path = "/api/v1/agents/" + id + "/credentials";
        assertThat(client.get(path, compliance()).status()).isEqualTo(200);
        assertThat(client.get(path, null).status()).isEqualTo(401);
        assertThat(client.get(path, agent()).status()).as("another agent").isEqualTo(403);
        assertThat(client.call("POST", path + "/certificates", compliance(), body)
                        .status())
                .isEqualTo(403);
        assertThat(client.call("POST", path + "/certificates", secops(), body).status())
                .isEqualTo(403);
        assertThat(client.call("POST", path + "/certificates", agent(), body).status())
                .as("another agent")
                .isEqualTo(403);
        String own = client.agentToken("agent-" + id, storedSecret(id));
        assertThat(client.get(path, own).status()).as("the agent itself").isEqualTo(200);
        var added = client.call("POST", path + "/certificates", own, body);
        assertThat(added.status()).as("the agent registers its own certificate").isEqualTo(201);
        String credential = path + "/" + added.json().get("id").asString();
        assertThat(client.call("DELETE", credential, own, null).status())
                .as("an agent does not remove credentials")
                .isEqualTo(403);
        assertThat(client.call("DELETE", credential, compliance(), null).status())
                .isEqualTo(403);
        assertThat(client.call("DELETE", credential, secops(), null).status()).isEqualTo(204);
    }

    /**
     * Threat: an agent under a kill switch keeps using a token it already holds on the management API, e.g. to
     * register a certificate of its own before the incident suspends it. The switch covers those calls too.
     */
    @Test
    void anAgentUnderAKillSwitchIsRefusedOnItsCredentialsEndpoints() throws Exception {
        String id = activeAgent("Kill-switched agent");
        String path = "/api/v1/agents/" + id + "/credentials";
        String own = client.agentToken("agent-" + id, storedSecret(id));
        assertThat(client.get(path, own).status()).isEqualTo(200);
        var engaged = client.call(
                "POST",
                "/api/v1/kill-switches",
                secops(),
                "{\"scope\":\"AGENT\",\"target\":\"agent-" + id + "\",\"reason\":\"credential test\"}");
        assertThat(engaged.status()).as(engaged.body()).isEqualTo(201);
        var read = client.get(path, own);
        assertThat(read.status()).isEqualTo(403);
        assertThat(read.json().get("code").asString()).isEqualTo("kill-switch-engaged");
        String body = certificateBody(
                certificate(rsa(), Instant.now().minusSeconds(60), Instant.now().plus(Duration.ofDays(5))));
        assertThat(client.call("POST", path + "/certificates", own, body).status())
                .isEqualTo(403);
        assertThat(client.get(path, secops()).json().toString())
                .as("nothing registered")
                .doesNotContain("CERTIFICATE");
        assertThat(client.get("/api/v1/audit/events?action=api.refused&limit=5", compliance())
                        .body())
                .contains("agent-" + id, "kill-switch-agent");
    }

    /** Threat: a credential lapses without anyone knowing — the dashboard shows it by name and the owner is told once. */
    @Test
    void anExpiringCertificateIsOnTheDashboardByNameAndItsOwnerIsNotifiedOnce() throws Exception {
        String id = activeAgent("Expiring cert agent");
        String body = certificateBody(
                certificate(rsa(), Instant.now().minusSeconds(60), Instant.now().plus(Duration.ofDays(10))));
        assertThat(client.call("POST", "/api/v1/agents/" + id + "/credentials/certificates", owner(), body)
                        .status())
                .isEqualTo(201);

        var dashboard = PortalTests.signIn(PortalTests.browser(), "ada.admin");
        assertThat(dashboard.statusCode()).isEqualTo(200);
        String table = dashboard.body().substring(dashboard.body().indexOf("id=\"expiring-credentials\""));
        assertThat(table).contains(">Expiring cert agent<").contains("Otto").doesNotContain(">" + id + "<");

        rotation.run(Instant.now());
        rotation.run(Instant.now());
        long notices = jdbc.sql(
                        "select count(*) from notification where agent_id = :id and process = 'credential-expiry' "
                                + "and recipient = '3f1c2a9e-7b1d-4e0a-9c11-000000000a02' and subject like '%certificate%'")
                .param("id", id)
                .query(Long.class)
                .single();
        assertThat(notices).as("told once, not on every run").isEqualTo(1);
    }

    // ---- fixtures -------------------------------------------------------------------------------------

    /** An agent registered by the owner, approved by an admin, provisioned by onboarding and ACTIVE. */
    static String activeAgent(String name) {
        var registered = client.call("POST", "/api/v1/agents", owner(), """
                {"name":"%s","kind":"RETRIEVAL","purpose":"Credential test agent",
                 "dataScopes":["imaging-ct-deid"],"tools":["text-search"]}""".formatted(name));
        assertThat(registered.status()).as(registered.body()).isEqualTo(201);
        String id = registered.json().get("id").asString();
        String approval = client.get("/api/v1/approvals?status=PENDING&agentId=" + id, admin())
                .json()
                .get("items")
                .get(0)
                .get("id")
                .asString();
        assertThat(client.call("POST", "/api/v1/approvals/" + approval + "/approve", admin(), "{\"reason\":\"ok\"}")
                        .status())
                .isEqualTo(200);
        await().atMost(Duration.ofSeconds(30))
                .until(() -> "ACTIVE"
                        .equals(client.get("/api/v1/agents/" + id, admin())
                                .json()
                                .get("status")
                                .asString()));
        return id;
    }

    /** The agent's current secret a day from its expiry: inside the rotation window, as time would bring it. */
    void nearExpiry(String agentId) {
        assertThat(jdbc.sql(
                                "update agent_credential set expires_at = now() + interval '1 day' where agent_id = :id and kind = 'SECRET'")
                        .param("id", UUID.fromString(agentId))
                        .update())
                .isEqualTo(1);
    }

    static String storedSecret(String agentId) {
        try {
            return Files.readString(DATA.resolve("secrets").resolve("agent-" + agentId + ".secret"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static int tokenStatus(String clientId, String secret) {
        String basic = Base64.getEncoder().encodeToString((clientId + ":" + secret).getBytes(StandardCharsets.UTF_8));
        return client.send(client.request("/oauth2/token")
                        .header("Authorization", "Basic " + basic)
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials")))
                .status();
    }

    static int assertionStatus(String clientId, KeyPair key, X509Certificate certificate) throws Exception {
        JWSHeader header = new JWSHeader.Builder(JWSAlgorithm.RS256)
                .type(JOSEObjectType.JWT)
                .x509CertSHA256Thumbprint(new Base64URL(thumbprint(certificate)))
                .build();
        Instant now = Instant.now();
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .issuer(clientId)
                .subject(clientId)
                .audience(client.base() + "/oauth2/token")
                .jwtID(UUID.randomUUID().toString())
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plusSeconds(120)))
                .build();
        SignedJWT jwt = new SignedJWT(header, claims);
        jwt.sign(new RSASSASigner(key.getPrivate()));
        String form = "grant_type=client_credentials&client_id=" + URLEncoder.encode(clientId, StandardCharsets.UTF_8)
                + "&client_assertion_type="
                + URLEncoder.encode("urn:ietf:params:oauth:client-assertion-type:jwt-bearer", StandardCharsets.UTF_8)
                + "&client_assertion=" + jwt.serialize();
        return client.send(client.request("/oauth2/token")
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString(form)))
                .status();
    }

    static KeyPair rsa() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        return generator.generateKeyPair();
    }

    static X509Certificate certificate(KeyPair key, Instant from, Instant to) throws Exception {
        X500Name name = new X500Name("CN=test-agent");
        var builder = new JcaX509v3CertificateBuilder(
                name, BigInteger.valueOf(System.nanoTime()), Date.from(from), Date.from(to), name, key.getPublic());
        return new JcaX509CertificateConverter()
                .getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withRSA").build(key.getPrivate())));
    }

    static String certificateBody(X509Certificate certificate) throws Exception {
        String pem = "-----BEGIN CERTIFICATE-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(certificate.getEncoded())
                + "\n-----END CERTIFICATE-----\n";
        return "{\"certificate\":" + WardenClient.JSON.writeValueAsString(pem) + "}";
    }

    static String thumbprint(X509Certificate certificate) throws Exception {
        return Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
    }

    List<String> auditActions(String agentId) {
        return jdbc.sql("select action from audit_event where agent_id = :id")
                .param("id", agentId)
                .query((row, n) -> row.getString(1))
                .list();
    }
}
