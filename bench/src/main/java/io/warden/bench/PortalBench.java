package io.warden.bench;

import io.warden.WardenApplication;
import io.warden.audit.AuditActor;
import io.warden.audit.AuditEvent;
import io.warden.audit.AuditLog;
import io.warden.audit.AuditTarget;
import io.warden.audit.AuditTrail;
import io.warden.audit.Outcome;
import java.net.CookieManager;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.json.JsonMapper;

/**
 * Portal page times with a realistic load: seeds {@code --agents} agents straight into the registry's table
 * and {@code --events} audit records through the real audit log (hash chain, checkpoints), then signs in
 * through the portal's OpenID Connect flow and times the inventory (a filtered page), an agent's detail
 * page (with its status timeline), an audit search for one agent, a catalogue scope page held by every seeded
 * agent, the catalogue overview and an administrator's inbox over 20,000 notices, {@code --samples} times each after
 * a warm-up, as the browser sees them (server time plus a local round trip). Prints {@code inventory_ms},
 * {@code agent_detail_ms}, {@code audit_search_ms}, {@code catalog_ms}, {@code catalog_overview_ms}, {@code inbox_ms}
 * (medians) and their p95.
 *
 * <p>Arguments: {@code --agents 10000 --events 1000000 --samples 50}.
 */
public final class PortalBench {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            options.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        int agents = Integer.parseInt(options.getOrDefault("agents", "10000"));
        int events = Integer.parseInt(options.getOrDefault("events", "1000000"));
        int samples = Integer.parseInt(options.getOrDefault("samples", "50"));
        Map<String, Object> results = new LinkedHashMap<>();
        int free;
        try (var socket = new ServerSocket(0)) {
            free = socket.getLocalPort(); // the issuer must name the real port: the sign-in goes through it
        }
        try (ConfigurableApplicationContext warden = new SpringApplicationBuilder(WardenApplication.class)
                .run(
                        "--server.port=" + free,
                        "--warden.identity.issuer=http://localhost:" + free,
                        "--warden.data-dir=" + Files.createTempDirectory("warden-portal-bench"),
                        "--logging.level.root=WARN",
                        "--warden.lifecycle.sweep-interval=PT24H")) {
            int port = Objects.requireNonNull(
                            ((WebServerApplicationContext) warden).getWebServer(), "Warden serves HTTP")
                    .getPort();
            String base = "http://localhost:" + port;
            JdbcClient jdbc = JdbcClient.create(warden.getBean(DataSource.class));
            long seeding = System.nanoTime();
            jdbc.sql("""
                    insert into agent (id, name, kind, purpose, status, owner_id, risk_tier, requested_scopes, requested_tools,
                        data_scopes, tools, requested_purposes, purposes_of_use, created_by, created_at, updated_at,
                        approved_at, recertify_by, version)
                    select gen_random_uuid(), 'Seeded agent ' || g,
                        (array['RETRIEVAL','RAG_CLASSIFIER','COHORT_BUILDER','ORCHESTRATOR_SPECIALIST'])[1 + g % 4],
                        'Seeded for the portal benchmark, number ' || g,
                        (array['ACTIVE','ACTIVE','ACTIVE','SUSPENDED','RETIRED','PENDING_APPROVAL'])[1 + g % 6],
                        '3f1c2a9e-7b1d-4e0a-9c11-000000000a02', 'LOW', '{imaging-ct-deid}', '{text-search}', '{imaging-ct-deid}',
                        '{text-search}', '{TREAT}', '{TREAT}', 'bench', now(), now(), now(), now() + interval '60 days', 1
                    from generate_series(1, :agents) g""").param("agents", agents).update();
            List<String> ids = jdbc.sql(
                            "select id::text from agent where name like 'Seeded agent %' order by name limit 100")
                    .query((rows, row) -> rows.getString("id"))
                    .list();
            AuditLog audit = warden.getBean(AuditLog.class);
            List<CompletableFuture<?>> pending = new ArrayList<>();
            for (int i = 0; i < events; i++) {
                String agent = ids.get(i % ids.size());
                AuditEvent event = i % 50 == 0
                        ? AuditEvent.builder(
                                        "agent.status_changed",
                                        AuditActor.person("3f1c2a9e-7b1d-4e0a-9c11-000000000a01"),
                                        new AuditTarget("agent", agent))
                                .agent(agent)
                                .detail("from", "ACTIVE")
                                .detail("to", "SUSPENDED")
                                .build()
                        : AuditEvent.builder(
                                        "gateway.decision",
                                        AuditActor.agent("agent-" + agent, null),
                                        new AuditTarget("tool", "text-search"))
                                .agent(agent)
                                .tool("text-search")
                                .dataset("imaging-ct-deid")
                                .decision(i % 7 == 0 ? "DENY" : "PERMIT")
                                .reason(i % 7 == 0 ? "SCOPE_NOT_GRANTED" : "OK")
                                .outcome(Outcome.SUCCESS)
                                .requestDigest("a".repeat(64))
                                .build();
                pending.add(audit.appendQueued(event));
                if (pending.size() == 5_000) {
                    CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new))
                            .join();
                    pending.clear();
                }
            }
            CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).join();
            // an administrator's inbox as it looks after a busy year: notices to them and to their role, some with
            // deadlines, about the seeded agents (the inbox reads the newest and the agents they name)
            jdbc.sql("""
                    insert into notification (id, recipient, agent_id, process, subject, body, created_at, due_at)
                    select gen_random_uuid(), case when n % 2 = 0 then 'role:ADMIN' else :ada end,
                           (array_agg_ids.ids)[1 + n % array_length(array_agg_ids.ids, 1)],
                           case when n % 3 = 0 then 'agent-retirement' else 'agent-onboarding' end,
                           'Notice ' || n, 'Bench notice ' || n, now() - n * interval '1 minute',
                           case when n % 3 = 0 then now() + interval '14 days' end
                      from generate_series(1, 20000) n,
                           (select array_agg(id::text) ids from (select id from agent limit 1000) a) array_agg_ids""").param("ada", "3f1c2a9e-7b1d-4e0a-9c11-000000000a01").update();
            jdbc.sql("analyze").update();
            results.put("agents", agents);
            results.put("audit_events", warden.getBean(AuditTrail.class).head());
            results.put("seeding_s", Math.round((System.nanoTime() - seeding) / 1e7) / 100.0);

            HttpClient browser = HttpClient.newBuilder()
                    .cookieHandler(new CookieManager())
                    .followRedirects(HttpClient.Redirect.NORMAL)
                    .build();
            signIn(browser, base, "ada.admin");
            String agent = ids.get(17);
            Map<String, String> pages = new LinkedHashMap<>();
            pages.put("inventory", "/portal/agents?q=agent&status=ACTIVE&page=3");
            pages.put("agent_detail", "/portal/agents/" + agent);
            pages.put("audit_search", "/portal/audit?agent=" + agent + "&decision=DENY");
            // every seeded agent holds this scope: the catalogue page names the first of thousands and counts them all
            pages.put("catalog", "/portal/catalog/scopes/imaging-ct-deid");
            pages.put("catalog_overview", "/portal/catalog");
            pages.put("inbox", "/portal/inbox");
            for (var page : pages.entrySet()) {
                for (int i = 0; i < 10; i++) {
                    time(browser, base + page.getValue());
                }
                List<Double> millis = new ArrayList<>();
                for (int i = 0; i < samples; i++) {
                    millis.add(time(browser, base + page.getValue()));
                }
                millis.sort(Double::compare);
                results.put(page.getKey() + "_ms", Math.round(millis.get(millis.size() / 2) * 10) / 10.0);
                results.put(
                        page.getKey() + "_p95_ms",
                        Math.round(millis.get((int) Math.ceil(0.95 * millis.size()) - 1) * 10) / 10.0);
            }
        }
        System.out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(results));
    }

    private static double time(HttpClient browser, String url) throws Exception {
        long started = System.nanoTime();
        HttpResponse<String> response = browser.send(
                HttpRequest.newBuilder(URI.create(url))
                        .header("Accept", "text/html")
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        double millis = (System.nanoTime() - started) / 1e6;
        if (response.statusCode() != 200) {
            throw new IllegalStateException(url + " answered " + response.statusCode());
        }
        return millis;
    }

    private static void signIn(HttpClient browser, String base, String username) throws Exception {
        HttpResponse<String> login = browser.send(
                HttpRequest.newBuilder(URI.create(base + "/portal"))
                        .header("Accept", "text/html")
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        Matcher csrf = Pattern.compile("name=\"_csrf\"[^>]*value=\"([^\"]+)\"").matcher(login.body());
        if (!csrf.find()) {
            throw new IllegalStateException("no sign-in form at " + login.uri());
        }
        String form = "username=" + username + "&password=warden-demo&_csrf="
                + URLEncoder.encode(csrf.group(1), StandardCharsets.UTF_8);
        HttpResponse<String> signedIn = browser.send(
                HttpRequest.newBuilder(URI.create(base + "/login"))
                        .header("Accept", "text/html")
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString(form))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (!signedIn.uri().getPath().equals("/portal")) {
            throw new IllegalStateException("sign-in ended at " + signedIn.uri());
        }
    }

    private PortalBench() {}
}
