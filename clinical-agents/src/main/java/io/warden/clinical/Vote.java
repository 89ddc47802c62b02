package io.warden.clinical;

import java.util.Objects;

/** A k-NN vote with the neighbours it was taken over and the collection version they came from. */
public record Vote(Neighbours neighbours, Classification classification) {

    public Vote {
        Objects.requireNonNull(neighbours, "neighbours");
        Objects.requireNonNull(classification, "classification");
    }
}
