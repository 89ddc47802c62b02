package io.warden.portal.internal;

import io.warden.audit.AuditActor;
import io.warden.audit.AuditEvent;
import io.warden.audit.AuditRecord;
import io.warden.policy.OnBehalfOf;
import io.warden.registry.AgentId;
import io.warden.registry.AgentQueries;
import io.warden.registry.AgentView;
import io.warden.registry.Directory;
import io.warden.registry.DirectoryUser;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Audit records as people read them: the ids a record stores (an agent's client id, a person's directory id) turned
 * into the names people know, and a delegated call told as "agent on behalf of person". The record itself is never
 * changed; ids that nothing knows any more are shown as ids, said to be unknown. Thread-safe.
 */
@Component
class AuditLines {

    /** The details a line already tells in words; the detail page does not list them again as raw ids. */
    static final Set<String> TOLD = Set.of("onBehalfOf", "delegation", "breakGlass", "justification");

    private static final Logger log = LoggerFactory.getLogger(AuditLines.class);

    private final AgentQueries agents;
    private final Directory directory;

    AuditLines(AgentQueries agents, Directory directory) {
        this.agents = agents;
        this.directory = directory;
    }

    /**
     * One audit record for the portal.
     *
     * @param who           who acted, by name; for a delegated call "agent on behalf of person"
     * @param agent         the agent the record concerns, by name; null when none
     * @param owner         the agent's accountable owner, by name; null when none
     * @param onBehalfOf    the person a delegated call served, by name; null for an agent's own call
     * @param delegation    how the call was delegated, in words; null for an agent's own call
     * @param breakGlass    an emergency access (break-the-glass) the gateway allowed
     * @param justification the written justification the call presented, as recorded (escaped when rendered)
     */
    record Line(
            AuditRecord record,
            String who,
            @Nullable String agent,
            @Nullable String owner,
            @Nullable String onBehalfOf,
            @Nullable String delegation,
            boolean breakGlass,
            @Nullable String justification) {}

    /** The records as lines, in the same order; the directory is asked once for all the people they name. */
    List<Line> of(List<AuditRecord> records) {
        Set<String> people = new HashSet<>();
        for (AuditRecord record : records) {
            AuditEvent event = record.event();
            if (event.actor().type() == AuditActor.Type.PERSON) {
                people.add(event.actor().id());
            }
            if (event.ownerId() != null) {
                people.add(event.ownerId());
            }
            String person = event.details().get("onBehalfOf");
            if (person != null) {
                people.add(person);
            }
        }
        Names names = new Names(people(people), new HashMap<>());
        return records.stream().map(record -> line(record, names)).toList();
    }

    Line of(AuditRecord record) {
        return of(List.of(record)).getFirst();
    }

    private Line line(AuditRecord record, Names names) {
        AuditEvent event = record.event();
        AuditActor actor = event.actor();
        String acting = switch (actor.type()) {
            case PERSON -> names.person(actor.id());
            case AGENT -> names.agent(actor.id());
            case SYSTEM -> actor.id();
        };
        String personId = event.details().get("onBehalfOf");
        String person = personId == null ? null : names.person(personId);
        String via = event.details().get("delegation");
        return new Line(
                record,
                person == null ? acting : acting + " on behalf of " + person,
                event.agentId() == null ? null : names.agent(event.agentId()),
                event.ownerId() == null ? null : names.person(event.ownerId()),
                person,
                person == null ? null : delegation(via),
                "true".equals(event.details().get("breakGlass")),
                event.details().get("justification"));
    }

    private static String delegation(@Nullable String via) {
        if (via == null) {
            return "delegated";
        }
        return switch (via) {
            case OnBehalfOf.TOKEN_EXCHANGE -> "token exchange";
            case OnBehalfOf.ENTRA_OBO -> "Entra on-behalf-of";
            default -> via;
        };
    }

    /**
     * The people's display names; empty when the directory cannot be reached, because compliance must still be able
     * to read the trail while the directory is down (the names then read as unknown, with their ids).
     */
    private Map<String, String> people(Collection<String> ids) {
        if (ids.isEmpty()) {
            return Map.of();
        }
        Map<String, String> names = new HashMap<>();
        try {
            for (Map.Entry<String, DirectoryUser> person :
                    directory.findUsers(ids).entrySet()) {
                names.put(person.getKey(), person.getValue().displayName());
            }
        } catch (RuntimeException e) {
            log.warn("The directory could not name the people in audit records; showing their ids", e);
        }
        return names;
    }

    /** The names of one page, agents looked up once each. */
    private final class Names {

        private final Map<String, String> people;
        private final Map<String, String> agentNames;

        Names(Map<String, String> people, Map<String, String> agentNames) {
            this.people = people;
            this.agentNames = agentNames;
        }

        String person(String id) {
            String name = people.get(id);
            return name == null ? "unknown person (" + id + ")" : name;
        }

        /** The gateway records an agent by its client id, the registry's own records by its agent id. */
        String agent(String id) {
            return agentNames.computeIfAbsent(
                    id, key -> agentNamed(key).map(AgentView::name).orElse(key));
        }

        private Optional<AgentView> agentNamed(String id) {
            Optional<AgentView> byClient = agents.findAgentByClientId(id);
            if (byClient.isPresent()) {
                return byClient;
            }
            try {
                return agents.findAgent(AgentId.of(id));
            } catch (IllegalArgumentException notAnAgentId) {
                return Optional.empty();
            }
        }
    }
}
