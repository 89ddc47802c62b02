package io.warden.policy.internal.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EgressGuardTests {

    /** Everything the tests try is on the allowlist, so what refuses them is the address check. */
    private static EgressGuard allowingEverything(boolean allowPrivate) {
        return new EgressGuard(host -> Optional.of(new EgressPolicy.Entry(host, allowPrivate)));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "http://localhost/",
                "http://localhost./",
                "http://LOCALHOST:8080/x",
                "http://127.0.0.1/",
                "http://127.0.0.2/",
                "http://[::1]/",
                "http://169.254.169.254/latest/meta-data/",
                "http://[fd00:ec2::254]/",
                "http://10.1.2.3/",
                "http://172.16.0.1/",
                "http://192.168.1.1/",
                "http://100.64.0.1/",
                "http://0.0.0.0/",
                "http://[::]/",
                "http://224.0.0.1/",
                "http://[fe80::1]/",
                "http://[fc00::1]/",
                "http://[::ffff:127.0.0.1]/",
                "http://[::ffff:169.254.169.254]/",
                "http://[::ffff:10.0.0.1]/",
                "http://[64:ff9b::7f00:1]/",
                "http://2130706433/",
                "http://0177.0.0.1/",
                "http://0x7f.0.0.1/",
                "http://127.1/",
            })
    void refusesPrivateLoopbackLinkLocalMetadataAndOddIpForms(String url) {
        assertThatThrownBy(() -> allowingEverything(false).check(URI.create(url)))
                .isInstanceOfSatisfying(
                        BackendFailure.class, f -> assertThat(f.code()).isEqualTo(BackendFailure.EGRESS_REFUSED));
    }

    @Test
    void refusesAHostNotOnTheAllowlist() {
        var guard = new EgressGuard(host -> host.equals("fhir.example.org")
                ? Optional.of(new EgressPolicy.Entry("fhir.example.org", false))
                : Optional.empty());
        assertThatThrownBy(() -> guard.check(URI.create("https://evil.example.org/")))
                .isInstanceOfSatisfying(BackendFailure.class, f -> {
                    assertThat(f.code()).isEqualTo(BackendFailure.EGRESS_REFUSED);
                    assertThat(f.getMessage()).contains("not on the egress allowlist");
                });
    }

    @Test
    void refusesEverythingWithTheDefaultPolicy() {
        assertThatThrownBy(() -> new EgressGuard(EgressPolicy.denyAll()).check(URI.create("https://example.org/")))
                .isInstanceOfSatisfying(
                        BackendFailure.class, f -> assertThat(f.code()).isEqualTo(BackendFailure.EGRESS_REFUSED));
    }

    @ParameterizedTest
    @ValueSource(strings = {"file:///etc/passwd", "ftp://example.org/", "http://user:pw@example.org/", "gopher://x/"})
    void refusesOtherSchemesAndUserInfo(String url) {
        assertThatThrownBy(() -> allowingEverything(true).check(URI.create(url)))
                .isInstanceOfSatisfying(
                        BackendFailure.class, f -> assertThat(f.code()).isEqualTo(BackendFailure.EGRESS_REFUSED));
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://localhost:8080/", "http://127.0.0.1/", "http://[::1]/", "http://10.1.2.3/"})
    void allowsPrivateAddressesWhenTheEntrySaysSo(String url) throws BackendFailure {
        assertThat(allowingEverything(true).check(URI.create(url))).isNotBlank();
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://169.254.169.254/", "http://[fd00:ec2::254]/", "http://[::ffff:169.254.169.254]/"})
    void refusesCloudMetadataEvenWhenPrivateAddressesAreAllowed(String url) {
        assertThatThrownBy(() -> allowingEverything(true).check(URI.create(url)))
                .isInstanceOfSatisfying(
                        BackendFailure.class, f -> assertThat(f.getMessage()).contains("metadata"));
    }

    @Test
    void anAllowlistThatCannotBeReadRefusesEveryHost() {
        var guard = new EgressGuard(host -> {
            throw new IllegalStateException("database down");
        });
        assertThatThrownBy(() -> guard.check(URI.create("https://fhir.example.org/")))
                .isInstanceOfSatisfying(
                        BackendFailure.class, f -> assertThat(f.code()).isEqualTo(BackendFailure.EGRESS_REFUSED));
    }

    @Test
    void wildcardEntriesMatchHostsBelowTheSuffixOnly() {
        var entry = new EgressPolicy.Entry("*.example.org", false);
        assertThat(entry.matches("fhir.example.org")).isTrue();
        assertThat(entry.matches("a.b.example.org")).isTrue();
        assertThat(entry.matches("example.org")).isFalse();
        assertThat(entry.matches("evilexample.org")).isFalse();
    }

    @Test
    void theJvmResolvesThroughTheGuardedResolver() {
        assertThat(GuardedResolverProvider.installed()).isTrue();
    }

    /**
     * DNS rebinding: a name admitted while it resolved to allowed addresses must never hand a client a refused
     * one later. {@code localhost} stands in for the rebinding name: it is admitted for private addresses first,
     * then its entry is narrowed, and every later lookup by anyone (here {@link InetAddress}) comes back empty.
     */
    @Test
    void laterLookupsOfAnAdmittedHostOnlyReturnPermittedAddresses() throws Exception {
        String host = "rebind.localhost";
        // *.localhost resolves to loopback on most resolvers; where it does not, the check is moot
        Optional<InetAddress[]> resolved = resolve(host);
        if (resolved.isEmpty()) {
            return;
        }
        allowingEverything(true).check(URI.create("http://" + host + "/"));
        GuardedResolverProvider.guard(host, false); // as if the entry had become public-only
        assertThat(resolve(host)).isEmpty();
        GuardedResolverProvider.guard(host, true);
        assertThat(resolve(host)).isPresent();
    }

    private static Optional<InetAddress[]> resolve(String host) {
        try {
            return Optional.of(InetAddress.getAllByName(host));
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }

    @Test
    void classifiesAddressesByTheIpv4TheyCarry() throws Exception {
        for (String a : List.of("::ffff:192.168.0.1", "::10.0.0.1", "2002:a00:1::1", "64:ff9b::a00:1")) {
            assertThat(EgressAddresses.refusal(InetAddress.getByName(a), false))
                    .as(a)
                    .isPresent();
            assertThat(EgressAddresses.refusal(InetAddress.getByName(a), true))
                    .as(a)
                    .isEmpty();
        }
        assertThat(EgressAddresses.refusal(InetAddress.getByName("93.184.215.14"), false))
                .isEmpty();
        assertThat(EgressAddresses.refusal(InetAddress.getByName("2606:2800:21f:cb07:6820:80da:af6b:8b2c"), false))
                .isEmpty();
    }
}
