package io.warden.audit.internal.siem;

import java.util.ArrayList;
import java.util.List;

/**
 * What a receiver keeps, as a SIEM would: each sequence number once, in order, repeats dropped by number, and any
 * gap (a number missing before a later one) noted. Thread-safe.
 */
final class Received {

    private final List<Long> sequences = new ArrayList<>();
    private final List<String> gaps = new ArrayList<>();
    private final List<String> messages = new ArrayList<>();
    private int repeats;

    synchronized void accept(long sequence, String message) {
        long last = sequences.isEmpty() ? 0 : sequences.getLast();
        if (sequence <= last) {
            repeats++;
            return;
        }
        if (sequence != last + 1) {
            gaps.add((last + 1) + ".." + (sequence - 1));
        }
        sequences.add(sequence);
        messages.add(message);
    }

    synchronized long last() {
        return sequences.isEmpty() ? 0 : sequences.getLast();
    }

    synchronized List<Long> sequences() {
        return List.copyOf(sequences);
    }

    synchronized List<String> gaps() {
        return List.copyOf(gaps);
    }

    synchronized List<String> messages() {
        return List.copyOf(messages);
    }

    synchronized int repeats() {
        return repeats;
    }
}
