package io.warden.registry;

import java.util.Locale;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/** The commands of the registry's use cases: self-validating records, built at the web edge. */
public final class Commands {

    private Commands() {}

    /**
     * Register an agent; with {@code submit} it goes straight to PENDING_APPROVAL. The data scopes, tools and
     * purposes of use are requested: the registration's approval grants them.
     */
    public record RegisterAgent(
            String name,
            AgentKind kind,
            String purpose,
            @Nullable String ownerId,
            @Nullable ModelInfo model,
            SortedSet<String> dataScopes,
            SortedSet<String> tools,
            SortedSet<PurposeOfUse> purposesOfUse,
            boolean submit) {

        public RegisterAgent {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(purpose, "purpose");
            dataScopes = new TreeSet<>(dataScopes);
            tools = new TreeSet<>(tools);
            purposesOfUse = new TreeSet<>(purposesOfUse);
        }

        /** A stable rendering of the request, hashed to recognise a replay under the same idempotency key. */
        public String canonical() {
            return String.join(
                    "\u001f",
                    name,
                    kind.name(),
                    purpose,
                    String.valueOf(ownerId),
                    String.valueOf(model),
                    String.join(",", dataScopes),
                    String.join(",", tools),
                    purposesOfUse.toString(),
                    String.valueOf(submit));
        }
    }

    /**
     * Update an agent's descriptive metadata at {@code version}. Requested scopes, tools and purposes of use
     * may change only while the agent is a DRAFT; null leaves them as they are.
     */
    public record UpdateAgent(
            String name,
            String purpose,
            @Nullable ModelInfo model,
            @Nullable SortedSet<String> requestedScopes,
            @Nullable SortedSet<String> requestedTools,
            @Nullable SortedSet<PurposeOfUse> requestedPurposes,
            long version) {

        public UpdateAgent {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(purpose, "purpose");
        }
    }

    /**
     * Ask for data scopes, tools and purposes of use to be added to or removed from an active or suspended
     * agent. Adding a PHI scope the agent already holds without a PHI approval asks a compliance officer to
     * approve it for PHI (after the scope was reclassified, say); any other scope already held is refused.
     */
    public record RequestChange(
            SortedSet<String> addScopes,
            SortedSet<String> removeScopes,
            SortedSet<String> addTools,
            SortedSet<String> removeTools,
            SortedSet<PurposeOfUse> addPurposes,
            SortedSet<PurposeOfUse> removePurposes,
            String justification) {

        public RequestChange {
            addScopes = new TreeSet<>(addScopes);
            removeScopes = new TreeSet<>(removeScopes);
            addTools = new TreeSet<>(addTools);
            removeTools = new TreeSet<>(removeTools);
            addPurposes = new TreeSet<>(addPurposes);
            removePurposes = new TreeSet<>(removePurposes);
            Objects.requireNonNull(justification, "justification");
        }

        public boolean isEmpty() {
            return addScopes.isEmpty()
                    && removeScopes.isEmpty()
                    && addTools.isEmpty()
                    && removeTools.isEmpty()
                    && addPurposes.isEmpty()
                    && removePurposes.isEmpty();
        }
    }

    /**
     * Create or replace a data scope. {@code deidentifyFor} names the allowed purposes under which calls are
     * served de-identified records only; it must be a subset of {@code allowedPurposes}.
     */
    public record SaveDataScope(
            String displayName,
            String description,
            SensitivityLabel sensitivity,
            boolean phi,
            boolean deidentified,
            SortedSet<PurposeOfUse> allowedPurposes,
            SortedSet<PurposeOfUse> deidentifyFor,
            boolean approvalRequired) {

        public SaveDataScope {
            Objects.requireNonNull(displayName, "displayName");
            Objects.requireNonNull(sensitivity, "sensitivity");
            allowedPurposes = new TreeSet<>(allowedPurposes);
            deidentifyFor = new TreeSet<>(deidentifyFor);
        }

        /** A data scope whose calls need no person's approval. */
        public SaveDataScope(
                String displayName,
                String description,
                SensitivityLabel sensitivity,
                boolean phi,
                boolean deidentified,
                SortedSet<PurposeOfUse> allowedPurposes,
                SortedSet<PurposeOfUse> deidentifyFor) {
            this(displayName, description, sensitivity, phi, deidentified, allowedPurposes, deidentifyFor, false);
        }
    }

    /**
     * Create or replace a tool.
     *
     * @param backend       a built-in tool's service; {@code mcp} or {@code http} for the other kinds
     * @param target        where permitted calls go
     * @param inputSchema   the JSON Schema (an object schema) of the arguments, as JSON text; {@code ""} for built-ins
     * @param dataScopes    the data scopes an MCP or HTTP tool's calls are decided on
     * @param storePayloads whether the audit trail keeps the calls' arguments and results
     */
    public record SaveTool(
            String displayName,
            String description,
            String backend,
            SortedSet<String> requiredScopes,
            int maxK,
            SensitivityLabel sensitivity,
            ToolBackend target,
            String inputSchema,
            SortedSet<String> dataScopes,
            boolean storePayloads,
            boolean approvalRequired) {

        public SaveTool {
            Objects.requireNonNull(displayName, "displayName");
            Objects.requireNonNull(backend, "backend");
            Objects.requireNonNull(sensitivity, "sensitivity");
            Objects.requireNonNull(target, "target");
            Objects.requireNonNull(inputSchema, "inputSchema");
            requiredScopes = new TreeSet<>(requiredScopes);
            dataScopes = new TreeSet<>(dataScopes);
            if (maxK < 1) {
                throw new IllegalArgumentException("maxK must be at least 1, got " + maxK);
            }
            if (target instanceof ToolBackend.Builtin builtin
                    && !builtin.service().equals(backend)) {
                throw new IllegalArgumentException(
                        "A built-in tool's backend is its service: " + backend + " vs " + builtin.service());
            }
            if (!(target instanceof ToolBackend.Builtin)) {
                backend = target.kind().name().toLowerCase(Locale.ROOT);
            }
        }

        /** A tool whose calls need no person's approval. */
        public SaveTool(
                String displayName,
                String description,
                String backend,
                SortedSet<String> requiredScopes,
                int maxK,
                SensitivityLabel sensitivity,
                ToolBackend target,
                String inputSchema,
                SortedSet<String> dataScopes,
                boolean storePayloads) {
            this(
                    displayName,
                    description,
                    backend,
                    requiredScopes,
                    maxK,
                    sensitivity,
                    target,
                    inputSchema,
                    dataScopes,
                    storePayloads,
                    false);
        }

        /** A built-in tool answered by the service {@code backend}. */
        public SaveTool(
                String displayName,
                String description,
                String backend,
                SortedSet<String> requiredScopes,
                int maxK,
                SensitivityLabel sensitivity) {
            this(
                    displayName,
                    description,
                    backend,
                    requiredScopes,
                    maxK,
                    sensitivity,
                    new ToolBackend.Builtin(backend),
                    "",
                    new TreeSet<>(),
                    false,
                    false);
        }
    }
}
