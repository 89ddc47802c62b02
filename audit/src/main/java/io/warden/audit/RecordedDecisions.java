package io.warden.audit;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The gateway's recorded decisions ({@code gateway.decision} records) of a time range, grouped for replay: records
 * with the same decision input (the {@code input} detail), the same decision and the same reasons are one group, so
 * a replay decides each distinct input once however many calls repeated it. The grouping is done by the database;
 * groups are streamed, never all held in memory. Implementations are thread-safe.
 */
public interface RecordedDecisions {

    /**
     * How many decisions a range holds and how many of them carry no input (refusals made before the decision point,
     * or records written before inputs were recorded), each record weighted by its {@code count} detail.
     */
    record Summary(long decisions, long withoutInput) {}

    /**
     * One record of a group, for examples.
     *
     * @param agentId the agent's client id as recorded
     */
    record Example(long sequence, Instant time, @Nullable String agentId) {

        public Example {
            Objects.requireNonNull(time, "time");
        }
    }

    /**
     * Records sharing one input, decision and reasons.
     *
     * @param input    the recorded input, canonical JSON text without {@code time}
     * @param permit   whether the recorded decision was {@code PERMIT}
     * @param reasons  the recorded reasons, in recorded order
     * @param count    how many decisions the group stands for (records weighted by their {@code count} detail)
     * @param examples its first records by sequence, at most as many as were asked for
     */
    record Group(String input, boolean permit, List<String> reasons, long count, List<Example> examples) {

        public Group {
            Objects.requireNonNull(input, "input");
            reasons = List.copyOf(reasons);
            examples = List.copyOf(examples);
        }
    }

    /** The decisions recorded at {@code from} or later and before {@code to}. */
    Summary summary(Instant from, Instant to);

    /**
     * Hands each group of the decisions with an input recorded at {@code from} or later and before {@code to} to
     * {@code sink}, on the calling thread, as the database returns them (in no particular order). An exception from
     * {@code sink} stops the stream and is rethrown.
     *
     * @param examples how many records of each group to name (1 to 100)
     */
    void forEachGroup(Instant from, Instant to, int examples, Consumer<Group> sink);
}
