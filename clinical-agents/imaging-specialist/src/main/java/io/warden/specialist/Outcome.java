package io.warden.specialist;

import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * How a question ended: answered with its evidence, refused by Warden at a step, or failed (Warden unreachable or
 * answering what the specialist cannot read). Each carries the question's trace id and the tools called, in order
 * (every one of them a decision in Warden's audit trail), and renders itself for a person.
 */
public sealed interface Outcome permits Outcome.Answered, Outcome.Refused, Outcome.Failed {

    /** The exit status of an answered question. */
    int ANSWERED = 0;
    /** The exit status when Warden's transport or the answer itself failed. */
    int FAILED = 1;
    /** The exit status when Warden refused a step. */
    int REFUSED = 3;

    /** The trace id every call of the question stated. */
    String traceId();

    /** The tools called, in order; each call is a decision in Warden's audit trail. */
    List<String> calls();

    /** The process's exit status for this outcome. */
    int exitCode();

    /** The outcome for a person reading the terminal. */
    String render();

    /** A similar case as Warden returned it: its id, similarity score and label (null where the case has none). */
    record Case(String id, double score, @Nullable String label) {}

    /** A label and the votes the k nearest cases gave it. */
    record Vote(String label, double votes) {}

    /**
     * The chat model's verdict through {@code rag-classify}: the model tool asked, its label, the reason it gave and the
     * cases it cited (each one of the cases Warden retrieved for it; a score Warden did not give is NaN).
     */
    record RagVerdict(String model, String label, String reason, List<Case> cited) {

        public RagVerdict {
            cited = List.copyOf(cited);
        }
    }

    /**
     * The answer: the similar cases the search found, the k-NN vote over the collection and, where a model tool was
     * configured, the chat model's verdict through {@code rag-classify}.
     */
    record Answered(
            String traceId,
            String question,
            String searchTool,
            String dataset,
            String purposeOfUse,
            String collection,
            List<Case> cases,
            String label,
            List<Vote> votes,
            @Nullable Integer collectionVersion,
            @Nullable RagVerdict rag,
            List<String> calls)
            implements Outcome {

        public Answered {
            cases = List.copyOf(cases);
            votes = List.copyOf(votes);
            calls = List.copyOf(calls);
        }

        @Override
        public int exitCode() {
            return ANSWERED;
        }

        @Override
        public String render() {
            double total = votes.stream().mapToDouble(Vote::votes).sum();
            double top = votes.stream()
                    .filter(vote -> vote.label().equals(label))
                    .mapToDouble(Vote::votes)
                    .sum();
            StringBuilder out = new StringBuilder();
            out.append("Question: ").append(question).append('\n');
            out.append("Likely finding: ")
                    .append(label)
                    .append(" (k-NN vote: ")
                    .append(number(top))
                    .append(" of ")
                    .append(number(total))
                    .append(" on ")
                    .append(collection)
                    .append(collectionVersion == null ? "" : " version " + collectionVersion)
                    .append(")\n");
            out.append("  votes: ")
                    .append(votes.stream()
                            .map(vote -> vote.label() + " " + number(vote.votes()))
                            .collect(Collectors.joining(", ")))
                    .append('\n');
            if (rag != null) {
                out.append("RAG classification (rag-classify asking ")
                        .append(rag.model())
                        .append("): ")
                        .append(rag.label())
                        .append(rag.label().equals(label) ? " (agrees with the vote)" : " (disagrees with the vote)")
                        .append('\n');
                out.append("  cited: ")
                        .append(rag.cited().stream()
                                .map(found -> found.id() + (found.label() == null ? "" : " " + found.label()))
                                .collect(Collectors.joining(", ")))
                        .append('\n');
                out.append("  reason: ").append(rag.reason()).append('\n');
            }
            out.append("Similar cases (")
                    .append(searchTool)
                    .append(" on ")
                    .append(dataset)
                    .append(", purpose ")
                    .append(purposeOfUse)
                    .append("):\n");
            for (Case found : cases) {
                out.append(String.format(
                        Locale.ROOT,
                        "  %-12s score %.3f  %s%n",
                        found.id(),
                        found.score(),
                        found.label() == null ? "(no label)" : found.label()));
            }
            out.append("Trace id: ")
                    .append(traceId)
                    .append(" (Warden's audit trail holds each call: ")
                    .append(String.join(", ", calls))
                    .append(")\n");
            return out.toString();
        }

        private static String number(double value) {
            return value == Math.rint(value) ? Long.toString((long) value) : String.format(Locale.ROOT, "%.2f", value);
        }
    }

    /**
     * Warden refused a step: the step, the tool, Warden's reason codes (e.g. {@code KILL_SWITCH},
     * {@code SCOPE_NOT_GRANTED}, or {@code TOOL_NOT_LISTED} for a tool Warden does not show this agent) and what it
     * said. Nothing is answered from the steps before it.
     */
    record Refused(String traceId, String step, String tool, List<String> reasons, String message, List<String> calls)
            implements Outcome {

        public Refused {
            reasons = List.copyOf(reasons);
            calls = List.copyOf(calls);
        }

        @Override
        public int exitCode() {
            return REFUSED;
        }

        @Override
        public String render() {
            return "REFUSED at step " + step + " (tool " + tool + "): " + String.join(", ", reasons) + "\n"
                    + "  Warden: " + message + "\n"
                    + "No answer: the specialist does not answer from a partial result when Warden refuses a step.\n"
                    + "Trace id: " + traceId
                    + (calls.isEmpty() ? "" : " (calls made: " + String.join(", ", calls) + ")")
                    + "\n";
        }
    }

    /** The question could not be asked or its answer not read: Warden unreachable, or an answer out of shape. */
    record Failed(String traceId, String step, String message, List<String> calls) implements Outcome {

        public Failed {
            calls = List.copyOf(calls);
        }

        @Override
        public int exitCode() {
            return FAILED;
        }

        @Override
        public String render() {
            return "FAILED at step " + step + ": " + message + "\n" + "No answer.\n" + "Trace id: " + traceId + "\n";
        }
    }
}
