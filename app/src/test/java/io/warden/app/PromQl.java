package io.warden.app;

import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The metric names a PromQL expression reads, for checking dashboards and alert rules against a scrape. Not a
 * parser of the whole language: it removes what cannot be a metric name (string literals, label matchers,
 * ranges and offsets, label lists of {@code by}, {@code without}, {@code on}, {@code ignoring},
 * {@code group_left}, {@code group_right}, Grafana variables, numbers and durations) and keeps the identifiers
 * that are neither keywords nor followed by a parenthesis (functions and aggregations). A histogram's
 * {@code _bucket}, {@code _count} and {@code _sum} series are names of their own in a scrape, so they are kept
 * as written.
 */
final class PromQl {

    private static final Pattern STRING = Pattern.compile("\"(?:\\\\.|[^\"\\\\])*\"|'(?:\\\\.|[^'\\\\])*'|`[^`]*`");
    private static final Pattern MATCHERS = Pattern.compile("\\{[^{}]*}");
    private static final Pattern RANGE = Pattern.compile("\\[[^\\[\\]]*]");
    private static final Pattern GRAFANA_VARIABLE = Pattern.compile("\\$\\{[^}]*}|\\$\\w+|\\[\\[\\w+]]");
    private static final Pattern LABEL_LIST = Pattern.compile(
            "\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^()]*\\)", Pattern.CASE_INSENSITIVE);
    private static final Pattern OFFSET = Pattern.compile("\\boffset\\s+-?[0-9a-z]+", Pattern.CASE_INSENSITIVE);
    private static final Pattern IDENTIFIER = Pattern.compile("(?<![\\w.:])([a-zA-Z_:][a-zA-Z0-9_:]*)(\\s*\\()?");
    private static final Set<String> KEYWORDS = Set.of(
            "and",
            "or",
            "unless",
            "bool",
            "by",
            "without",
            "on",
            "ignoring",
            "group_left",
            "group_right",
            "offset",
            "inf",
            "nan",
            "atan2");

    /** Grafana's variable query {@code label_values(metric, label)}: only its first argument is a selector. */
    private static final Pattern LABEL_VALUES =
            Pattern.compile("\\blabel_values\\s*\\(([^,()]*(?:\\{[^{}]*})?)\\s*,[^()]*\\)");

    /** {@code label_values(label)}: the values of a label over every series, no selector at all. */
    private static final Pattern LABEL_VALUES_ONLY = Pattern.compile("\\blabel_values\\s*\\(\\s*\\w+\\s*\\)");

    private PromQl() {}

    /** The names of the series {@code expression} selects, by name; empty when it selects none by name. */
    static Set<String> metricNames(String expression) {
        String rest = LABEL_VALUES_ONLY.matcher(expression).replaceAll(" ");
        rest = LABEL_VALUES.matcher(rest).replaceAll("$1");
        rest = STRING.matcher(rest).replaceAll(" ");
        rest = GRAFANA_VARIABLE.matcher(rest).replaceAll(" ");
        rest = removeAll(MATCHERS, rest);
        rest = removeAll(RANGE, rest);
        rest = LABEL_LIST.matcher(rest).replaceAll(" ");
        rest = OFFSET.matcher(rest).replaceAll(" ");
        Set<String> names = new TreeSet<>();
        Matcher identifiers = IDENTIFIER.matcher(rest);
        while (identifiers.find()) {
            String name = identifiers.group(1);
            boolean call = identifiers.group(2) != null;
            boolean duration = name.matches("[0-9]*[smhdwy]") || name.matches("ms");
            if (!call && !duration && !KEYWORDS.contains(name.toLowerCase(Locale.ROOT))) {
                names.add(name);
            }
        }
        return names;
    }

    /** A regex of balanced pairs, applied until nothing changes (a subquery's range holds a range's brackets). */
    private static String removeAll(Pattern pattern, String text) {
        String before;
        String after = text;
        do {
            before = after;
            after = pattern.matcher(before).replaceAll(" ");
        } while (!after.equals(before));
        return after;
    }
}
