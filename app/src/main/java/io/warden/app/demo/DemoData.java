package io.warden.app.demo;

import io.warden.app.security.AgentClients;
import io.warden.registry.Actor;
import io.warden.registry.AgentKind;
import io.warden.registry.AgentQueries;
import io.warden.registry.AgentStatus;
import io.warden.registry.Agents;
import io.warden.registry.ApprovalQueries;
import io.warden.registry.ApprovalStatus;
import io.warden.registry.Approvals;
import io.warden.registry.Catalog;
import io.warden.registry.CatalogQueries;
import io.warden.registry.Commands;
import io.warden.registry.Directory;
import io.warden.registry.GroupEntitlements;
import io.warden.registry.ModelInfo;
import io.warden.registry.PurposeOfUse;
import io.warden.registry.Role;
import io.warden.registry.SensitivityLabel;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Profile;
import org.springframework.core.annotation.Order;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClientRepository;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Seeds the demo data through the registry's own use cases (register, submit, approve), so the demo
 * agents carry real approvals and events. Runs in one transaction under an advisory lock: replicas that
 * start together seed once, and a restart adds nothing.
 */
@Component
@ConditionalOnProperty(name = "warden.demo.enabled", havingValue = "true")
@Profile("!prod") // never under prod, whatever the setting; see DemoDataInProduction
@EnableConfigurationProperties(DemoProperties.class)
@Order(100)
class DemoData implements ApplicationRunner {

    private static final Logger log = LoggerFactory.getLogger(DemoData.class);

    /** A demo person: a directory entry and a local account. */
    record Person(
            String id,
            String username,
            String displayName,
            Set<Role> roles,
            @Nullable String managerId) {}

    static final Person ADA = new Person(
            "3f1c2a9e-7b1d-4e0a-9c11-000000000a01", "ada.admin", "Ada Admin (demo)", EnumSet.of(Role.ADMIN), null);
    static final Person OLIVIA = new Person(
            "3f1c2a9e-7b1d-4e0a-9c11-000000000a03",
            "olivia.owner",
            "Dr. Olivia Owner (demo)",
            EnumSet.of(Role.OWNER),
            null);
    static final Person OTTO = new Person(
            "3f1c2a9e-7b1d-4e0a-9c11-000000000a02",
            "otto.owner",
            "Dr. Otto Owner (demo)",
            EnumSet.of(Role.OWNER),
            OLIVIA.id());
    static final Person CARLA = new Person(
            "3f1c2a9e-7b1d-4e0a-9c11-000000000a04",
            "carla.compliance",
            "Carla Compliance (demo)",
            EnumSet.of(Role.COMPLIANCE),
            null);
    static final Person SAM = new Person(
            "3f1c2a9e-7b1d-4e0a-9c11-000000000a05", "sam.secops", "Sam SecOps (demo)", EnumSet.of(Role.SECOPS), null);
    static final List<Person> PEOPLE = List.of(ADA, OLIVIA, OTTO, CARLA, SAM);

    /** The demo's directory group whose members read the demo cohorts (research on the de-identified CT archive). */
    static final String IMAGING_RESEARCH = "demo-group-imaging-research";

    private final Agents agents;
    private final AgentQueries agentQueries;
    private final Approvals approvals;
    private final ApprovalQueries approvalQueries;
    private final Catalog catalog;
    private final CatalogQueries catalogQueries;
    private final GroupEntitlements entitlements;
    private final Directory directory;
    private final JdbcClient jdbc;
    private final TransactionTemplate transactions;
    private final ObjectProvider<RegisteredClientRepository> clients;
    private final ObjectProvider<PasswordEncoder> passwords;
    private final DemoProperties properties;
    private final Clock clock;

    DemoData(
            Agents agents,
            AgentQueries agentQueries,
            Approvals approvals,
            ApprovalQueries approvalQueries,
            Catalog catalog,
            CatalogQueries catalogQueries,
            GroupEntitlements entitlements,
            Directory directory,
            JdbcClient jdbc,
            TransactionTemplate transactions,
            ObjectProvider<RegisteredClientRepository> clients,
            ObjectProvider<PasswordEncoder> passwords,
            DemoProperties properties,
            Clock clock) {
        this.agents = agents;
        this.agentQueries = agentQueries;
        this.approvals = approvals;
        this.approvalQueries = approvalQueries;
        this.catalog = catalog;
        this.catalogQueries = catalogQueries;
        this.entitlements = entitlements;
        this.directory = directory;
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.clients = clients;
        this.passwords = passwords;
        this.properties = properties;
        this.clock = clock;
    }

    @Override
    public void run(ApplicationArguments args) {
        transactions.executeWithoutResult(status -> {
            jdbc.sql("select pg_advisory_xact_lock(hashtext('warden.demo'))")
                    .query(Object.class)
                    .single();
            people();
            catalogue();
            agents();
            entitlements();
        });
    }

    private void people() {
        for (Person person : PEOPLE) {
            jdbc.sql("""
                    insert into directory_user (id, user_principal_name, display_name, mail, updated_at)
                    values (:id, :upn, :name, :mail, :now) on conflict (id) do nothing""")
                    .param("id", person.id())
                    .param("upn", person.username() + "@demo.warden.local")
                    .param("name", person.displayName())
                    .param("mail", person.username() + "@demo.warden.local")
                    .param("now", Timestamp.from(clock.instant()))
                    .update();
        }
        for (Person person : PEOPLE) {
            if (person.managerId() != null) {
                jdbc.sql("update directory_user set manager_id = :manager where id = :id and manager_id is null")
                        .param("manager", person.managerId())
                        .param("id", person.id())
                        .update();
            }
        }
        PasswordEncoder encoder = passwords.getIfAvailable();
        if (encoder == null) {
            return; // an external issuer signs people in; there are no local accounts
        }
        for (Person person : PEOPLE) {
            jdbc.sql("""
                    insert into local_account (username, password_hash, directory_user_id, roles, demo)
                    values (:username, :hash, :id, :roles, true) on conflict (username) do nothing""")
                    .param("username", person.username())
                    .param("hash", encoder.encode(properties.password()))
                    .param("id", person.id())
                    .param("roles", person.roles().stream().map(Role::name).toArray(String[]::new))
                    .update();
        }
    }

    private void catalogue() {
        Actor admin = actor(ADA);
        scope(
                admin,
                "imaging-ct-deid",
                "CT imaging, de-identified",
                SensitivityLabel.INTERNAL,
                false,
                true,
                EnumSet.of(PurposeOfUse.TREAT, PurposeOfUse.HOPERAT, PurposeOfUse.HRESCH));
        scope(
                admin,
                "wound-images-deid",
                "Wound photographs, de-identified",
                SensitivityLabel.CONFIDENTIAL,
                false,
                true,
                EnumSet.of(PurposeOfUse.TREAT, PurposeOfUse.HQUALIMP, PurposeOfUse.HRESCH));
        scope(
                admin,
                "dermatology-phi",
                "Dermatology images with PHI",
                SensitivityLabel.HIGHLY_CONFIDENTIAL,
                true,
                false,
                EnumSet.of(PurposeOfUse.TREAT));
        scope(
                admin,
                DemoCollection.DATA_SCOPE,
                "Radiology report sentences, de-identified",
                SensitivityLabel.INTERNAL,
                false,
                true,
                EnumSet.of(PurposeOfUse.TREAT, PurposeOfUse.HQUALIMP, PurposeOfUse.HRESCH));
        tool(
                admin,
                "image-search",
                "Image similarity search (MedImageInsight embeddings)",
                50,
                SensitivityLabel.HIGHLY_CONFIDENTIAL);
        tool(
                admin,
                "text-search",
                "Natural-language search over text embeddings",
                50,
                SensitivityLabel.HIGHLY_CONFIDENTIAL);
        tool(admin, "cohort-search", "Natural-language imaging cohort search", 500, SensitivityLabel.CONFIDENTIAL);
        tool(admin, "classify", "k-NN majority-vote classification", 25, SensitivityLabel.HIGHLY_CONFIDENTIAL);
        tool(
                admin,
                "rag-classify",
                "Classification by a chat model from the nearest labelled cases (RAG)",
                10,
                SensitivityLabel.HIGHLY_CONFIDENTIAL);
        tool(
                admin,
                "volume-search",
                "3D volume similarity search (median of slice embeddings)",
                50,
                SensitivityLabel.HIGHLY_CONFIDENTIAL);
    }

    private void agents() {
        agent(
                "demo-retrieval-agent",
                "Demo CT retrieval agent",
                AgentKind.RETRIEVAL,
                "Finds similar de-identified CT studies for tumour-board preparation",
                new ModelInfo("MedImageInsight", "1.0", 1024),
                OTTO,
                Set.of("imaging-ct-deid"),
                Set.of("image-search", "text-search"),
                EnumSet.of(PurposeOfUse.TREAT, PurposeOfUse.HRESCH),
                ADA);
        agent(
                "demo-wound-classifier",
                "Demo wound classifier",
                AgentKind.RAG_CLASSIFIER,
                "Classifies wound type and infection by k-NN majority vote over labelled photographs",
                new ModelInfo("BiomedCLIP", "1.0", 512),
                OTTO,
                Set.of("wound-images-deid", "dermatology-phi"),
                Set.of("classify", "image-search"),
                EnumSet.of(PurposeOfUse.TREAT, PurposeOfUse.HQUALIMP),
                CARLA);
        agent(
                "demo-orchestrator-specialist",
                "Demo imaging specialist",
                AgentKind.ORCHESTRATOR_SPECIALIST,
                "Answers imaging questions for the clinical orchestrator through cohort search",
                new ModelInfo("BiomedCLIP", "1.0", 512),
                OLIVIA,
                Set.of("imaging-ct-deid"),
                Set.of("cohort-search", "text-search"),
                EnumSet.of(PurposeOfUse.TREAT),
                ADA);
        agent(
                "demo-cohort-builder",
                "Demo imaging cohort builder",
                AgentKind.COHORT_BUILDER,
                "Builds the natural-language-searchable index of the de-identified CT and MR archive",
                new ModelInfo("all-MiniLM-L6-v2", "1.0", 384),
                OTTO,
                Set.of("imaging-ct-deid"),
                Set.of("cohort-search"),
                EnumSet.of(PurposeOfUse.HRESCH, PurposeOfUse.HOPERAT),
                ADA);
        agent(
                "demo-report-classifier",
                "Demo radiology report classifier",
                AgentKind.RAG_CLASSIFIER,
                "Labels radiology report sentences by finding with a k-NN vote over the demo collection "
                        + DemoCollection.NAME + ", and finds report cohorts by finding",
                new ModelInfo("all-MiniLM-L6-v2", "1.0", 384),
                OLIVIA,
                Set.of(DemoCollection.DATA_SCOPE),
                Set.of("classify", "text-search", "cohort-search"),
                EnumSet.of(PurposeOfUse.TREAT, PurposeOfUse.HRESCH),
                ADA);
    }

    /**
     * The demo owners belong to a local group that may read the de-identified CT archive for research, so they
     * read the demo cohorts; security operations holds no entitlement and reads none, admins and compliance read
     * every cohort anyway. A group someone removed the entitlement of stays without it.
     */
    private void entitlements() {
        int added = jdbc.sql("""
                insert into directory_group (id, display_name, updated_at) values (:id, 'Imaging research (demo)', :now)
                on conflict (id) do nothing""")
                .param("id", IMAGING_RESEARCH)
                .param("now", Timestamp.from(clock.instant()))
                .update();
        if (added == 0) {
            return;
        }
        for (Person member : List.of(OTTO, OLIVIA)) {
            jdbc.sql(
                            "insert into directory_group_member (group_id, member_id) values (:group, :member) on conflict do nothing")
                    .param("group", IMAGING_RESEARCH)
                    .param("member", member.id())
                    .update();
        }
        if (directory.findGroup(IMAGING_RESEARCH).isEmpty()) {
            // the directory is Entra ID, which knows no demo group: admins map their own groups there
            log.info("Demo group entitlement not added: the directory has no group {}", IMAGING_RESEARCH);
            return;
        }
        entitlements.create(
                new GroupEntitlements.Grant(
                        IMAGING_RESEARCH, "imaging-ct-deid", new TreeSet<>(Set.of(PurposeOfUse.HRESCH))),
                actor(ADA));
    }

    private void scope(
            Actor admin,
            String key,
            String name,
            SensitivityLabel label,
            boolean phi,
            boolean deid,
            Set<PurposeOfUse> purposes) {
        if (catalogQueries.dataScopes().stream().anyMatch(scope -> scope.key().equals(key))) {
            return;
        }
        catalog.createDataScope(
                key,
                new Commands.SaveDataScope(
                        name, "Demo data scope", label, phi, deid, new TreeSet<>(purposes), new TreeSet<>()),
                true,
                admin);
    }

    private void tool(Actor admin, String key, String name, int maxK, SensitivityLabel sensitivity) {
        if (catalogQueries.tools().stream().anyMatch(tool -> tool.key().equals(key))) {
            return;
        }
        catalog.createTool(
                key,
                new Commands.SaveTool(name, "Demo tool", "retrieval", new TreeSet<>(), maxK, sensitivity),
                true,
                admin);
    }

    private void agent(
            String clientId,
            String name,
            AgentKind kind,
            String purpose,
            ModelInfo model,
            Person owner,
            Set<String> scopes,
            Set<String> tools,
            Set<PurposeOfUse> purposes,
            Person approver) {
        var seeded = agentQueries.findAgentByClientId(clientId);
        if (seeded.isPresent() && seeded.get().status() == AgentStatus.RETIRED) {
            return; // its identity was removed when it was retired: a restart must not bring the client back
        }
        if (seeded.isEmpty()) {
            var command = new Commands.RegisterAgent(
                    name,
                    kind,
                    purpose,
                    owner.id(),
                    model,
                    new TreeSet<>(scopes),
                    new TreeSet<>(tools),
                    new TreeSet<>(purposes),
                    true);
            var agent =
                    agents.register(command, null, actor(owner), clientId, true).agent();
            var pending = approvalQueries
                    .approvals(ApprovalStatus.PENDING, agent.id(), 0, 1)
                    .items();
            approvals.approve(pending.getFirst().id(), "Demo agent approved at first start", actor(approver));
            // demo agents come with their identity: activate now rather than when onboarding gets to it
            agents.activate(agent.id(), Actor.system("demo-data"));
            log.info("Seeded demo agent {} ({})", name, clientId);
        }
        RegisteredClientRepository repository = clients.getIfAvailable();
        PasswordEncoder encoder = passwords.getIfAvailable();
        if (repository != null && encoder != null && repository.findByClientId(clientId) == null) {
            repository.save(AgentClients.client(clientId, name, clientId + "-secret", encoder, Duration.ofMinutes(15)));
        }
    }

    private static Actor actor(Person person) {
        return Actor.person(person.id(), person.roles());
    }
}
