package io.warden.bench;

import com.sun.net.httpserver.HttpServer;
import io.warden.policy.DecisionInput;
import io.warden.policy.PolicyDecisionPoint;
import io.warden.policy.internal.EmbeddedPolicyDecisionPoint;
import io.warden.policy.internal.OpaPolicyDecisionPoint;
import io.warden.registry.AgentStatus;
import io.warden.registry.PurposeOfUse;
import io.warden.registry.SensitivityLabel;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One policy decision: the embedded decision point, and for comparison the OPA client against a local
 * fake of OPA's Data API (so the figure is the client's and HTTP's cost, not OPA's evaluation).
 * Sample-time mode, so JMH reports percentiles.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 3)
@Fork(1)
public class PolicyDecisionBenchmark {

    DecisionInput input;
    PolicyDecisionPoint embedded;
    PolicyDecisionPoint opa;
    HttpServer fakeOpa;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        input = new DecisionInput(
                new DecisionInput.Agent(
                        "demo-retrieval-agent",
                        AgentStatus.ACTIVE,
                        true,
                        Set.of("imaging-ct-deid", "wound-images-deid"),
                        Set.of("image-search", "text-search"),
                        Set.of(PurposeOfUse.TREAT, PurposeOfUse.HRESCH),
                        SensitivityLabel.CONFIDENTIAL,
                        false),
                new DecisionInput.Tool("image-search", 50, Set.of(), SensitivityLabel.HIGHLY_CONFIDENTIAL),
                new DecisionInput.Dataset(
                        "imaging-ct-deid",
                        SensitivityLabel.INTERNAL,
                        false,
                        true,
                        Set.of(PurposeOfUse.TREAT, PurposeOfUse.HRESCH),
                        Set.of()),
                PurposeOfUse.TREAT,
                new DecisionInput.Request(10),
                DecisionInput.KillSwitches.none(),
                Instant.parse("2026-11-28T10:00:00Z"));
        embedded = new EmbeddedPolicyDecisionPoint();
        byte[] answer = """
                {"decision_id":"d","result":{"allow":true,"reasons":[],"obligations":{"maxK":50,"datasets":["imaging-ct-deid"],
                "redactFields":[],"deidentificationRequired":false}}}""".getBytes(StandardCharsets.UTF_8);
        fakeOpa = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        fakeOpa.createContext("/v1/data/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(200, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        fakeOpa.setExecutor(Executors.newFixedThreadPool(2));
        fakeOpa.start();
        opa = new OpaPolicyDecisionPoint(
                URI.create("http://127.0.0.1:" + fakeOpa.getAddress().getPort()),
                "warden/gateway",
                Duration.ofSeconds(1));
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        fakeOpa.stop(0);
    }

    @Benchmark
    public Object embeddedDecision() {
        return embedded.decide(input);
    }

    @Benchmark
    public Object opaOverHttpToALocalFake() {
        return opa.decide(input);
    }
}
