package io.warden.audit.internal;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Retention of the audit trail, under {@code warden.audit.retention}.
 *
 * @param defaultPeriod how long records of a kind no rule names are kept (six years by default)
 * @param periods       retention by kind, keyed by action prefix: {@code gateway.*} (or {@code gateway.}) covers
 *                      every action starting {@code gateway.}; the longest matching prefix wins. In properties
 *                      files write the key in brackets: {@code warden.audit.retention.periods[gateway.*]=P400D}
 * @param archiveDir    where the signed archive of a range is written before the range is removed
 */
@ConfigurationProperties("warden.audit.retention")
public record RetentionProperties(
        @DefaultValue("P2190D") Duration defaultPeriod,
        @DefaultValue Map<String, Duration> periods,
        @DefaultValue("./.warden/audit-archive") Path archiveDir) {

    /**
     * No kind is kept shorter than this. The removal function in the database holds the same floor, so a caller
     * that asks for less removes nothing younger.
     */
    public static final Duration FLOOR = Duration.ofDays(365);

    /** One rule: actions starting with {@code prefix} are kept for {@code period}. */
    public record Rule(String prefix, Duration period) {}

    public RetentionProperties {
        if (defaultPeriod.compareTo(FLOOR) < 0) {
            throw new IllegalArgumentException("warden.audit.retention.default-period must be at least "
                    + FLOOR.toDays() + " days (the floor), got " + defaultPeriod);
        }
        Map<String, Duration> copy = new LinkedHashMap<>();
        periods.forEach((key, period) -> {
            String prefix = prefix(key);
            if (prefix.isEmpty()) {
                throw new IllegalArgumentException(
                        "warden.audit.retention.periods: '" + key + "' names no action prefix; set default-period");
            }
            if (period.compareTo(FLOOR) < 0) {
                throw new IllegalArgumentException("warden.audit.retention.periods[" + key + "] must be at least "
                        + FLOOR.toDays() + " days (the floor), got " + period);
            }
            copy.put(prefix, period);
        });
        periods = Map.copyOf(copy);
    }

    /** The rules, longest prefix first, so the first that matches an action is its kind's. */
    public List<Rule> rules() {
        return periods.entrySet().stream()
                .map(e -> new Rule(e.getKey(), e.getValue()))
                .sorted(Comparator.comparingInt((Rule r) -> r.prefix().length())
                        .reversed()
                        .thenComparing(Rule::prefix))
                .toList();
    }

    /** The shortest retention of any kind: nothing younger is ever removable. */
    public Duration shortest() {
        return periods.values().stream().reduce(defaultPeriod, (a, b) -> a.compareTo(b) <= 0 ? a : b);
    }

    private static String prefix(String key) {
        String trimmed = key.strip();
        return trimmed.endsWith("*") ? trimmed.substring(0, trimmed.length() - 1) : trimmed;
    }
}
