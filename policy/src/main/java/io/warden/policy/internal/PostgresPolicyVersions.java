package io.warden.policy.internal;

import io.warden.policy.PolicyData;
import io.warden.policy.PolicyVersions;
import io.warden.registry.PurposeOfUse;
import io.warden.registry.SensitivityLabel;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The policy data versions as the database records them ({@code policy_data_version}, migration V22_10). Reads only:
 * the application may not write that table. Thread-safe.
 */
final class PostgresPolicyVersions implements PolicyVersions {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private record Row(PolicyData data, String sha256) {}

    private final JdbcClient jdbc;

    PostgresPolicyVersions(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public PolicyData current() {
        return jdbc.sql("select version, recorded_at, data::text, sha256 from policy_data_version"
                        + " order by version desc limit 1")
                .query(PostgresPolicyVersions::row)
                .optional()
                .orElseThrow(() -> new IllegalStateException("no policy data version is recorded (migration V22_10)"))
                .data();
    }

    @Override
    public Optional<PolicyData> version(long version) {
        return jdbc.sql("select version, recorded_at, data::text, sha256 from policy_data_version where version = ?")
                .param(version)
                .query(PostgresPolicyVersions::row)
                .optional()
                .map(Row::data);
    }

    @Override
    public Page page(@Nullable Long before, int limit) {
        if (limit < 1 || limit > MAX_PAGE) {
            throw new IllegalArgumentException("limit is 1 to " + MAX_PAGE + "; got " + limit);
        }
        // one more than the page: the version before the page's oldest, to say what that one changed
        List<Row> rows = jdbc.sql("select version, recorded_at, data::text, sha256 from policy_data_version"
                        + " where version < ? order by version desc limit ?")
                .param(before == null ? Long.MAX_VALUE : before)
                .param(limit + 1)
                .query(PostgresPolicyVersions::row)
                .list();
        List<Summary> items = new ArrayList<>();
        for (int i = 0; i < Math.min(limit, rows.size()); i++) {
            Row row = rows.get(i);
            PolicyData previous = i + 1 < rows.size() ? rows.get(i + 1).data() : null;
            items.add(new Summary(
                    row.data().version(), row.data().recordedAt(), row.sha256(), changes(previous, row.data())));
        }
        Long nextBefore = rows.size() > limit ? items.getLast().version() : null;
        return new Page(items, nextBefore);
    }

    /** What {@code next} changed against {@code previous} (null: the first version, which adds everything). */
    static Changes changes(@Nullable PolicyData previous, PolicyData next) {
        Map<String, PolicyData.ScopeRules> oldScopes = previous == null ? Map.of() : previous.dataScopes();
        Map<String, PolicyData.ToolRules> oldTools = previous == null ? Map.of() : previous.tools();
        return new Changes(
                added(oldScopes, next.dataScopes()),
                added(next.dataScopes(), oldScopes),
                changed(oldScopes, next.dataScopes()),
                added(oldTools, next.tools()),
                added(next.tools(), oldTools),
                changed(oldTools, next.tools()));
    }

    private static List<String> added(Map<String, ?> before, Map<String, ?> after) {
        var keys = new TreeSet<>(after.keySet());
        keys.removeAll(before.keySet());
        return List.copyOf(keys);
    }

    private static List<String> changed(Map<String, ?> before, Map<String, ?> after) {
        var keys = new TreeSet<String>();
        after.forEach((key, rules) -> {
            if (before.containsKey(key) && !before.get(key).equals(rules)) {
                keys.add(key);
            }
        });
        return List.copyOf(keys);
    }

    private static Row row(ResultSet rs, int row) throws SQLException {
        return new Row(
                data(rs.getLong(1), rs.getTimestamp(2).toInstant(), JSON.readTree(rs.getString(3))), rs.getString(4));
    }

    /** A version from its stored JSON (V22_10's {@code warden_policy_data()}). */
    static PolicyData data(long version, Instant recordedAt, JsonNode json) {
        Map<String, PolicyData.ScopeRules> scopes = new TreeMap<>();
        json.path("dataScopes").properties().forEach(entry -> {
            JsonNode s = entry.getValue();
            scopes.put(
                    entry.getKey(),
                    new PolicyData.ScopeRules(
                            SensitivityLabel.valueOf(s.get("sensitivity").asString()),
                            s.get("phi").asBoolean(),
                            s.get("deidentified").asBoolean(),
                            purposes(s.get("allowedPurposes")),
                            purposes(s.get("deidentifyFor")),
                            s.path("approvalRequired").asBoolean(false)));
        });
        Map<String, PolicyData.ToolRules> tools = new TreeMap<>();
        json.path("tools").properties().forEach(entry -> {
            JsonNode t = entry.getValue();
            Set<String> required = new HashSet<>();
            t.path("requiredScopes").forEach(scope -> required.add(scope.asString()));
            tools.put(
                    entry.getKey(),
                    new PolicyData.ToolRules(
                            t.get("maxK").asInt(),
                            required,
                            SensitivityLabel.valueOf(t.get("sensitivity").asString()),
                            t.path("approvalRequired").asBoolean(false)));
        });
        return new PolicyData(version, recordedAt, scopes, tools);
    }

    private static Set<PurposeOfUse> purposes(@Nullable JsonNode array) {
        Set<PurposeOfUse> purposes = new HashSet<>();
        if (array != null) {
            array.forEach(purpose -> purposes.add(PurposeOfUse.valueOf(purpose.asString())));
        }
        return purposes;
    }
}
