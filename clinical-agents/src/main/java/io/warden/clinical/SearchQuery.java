package io.warden.clinical;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/** What a search or a vote is asked with: a ready vector, a text, or an encoded image. */
public sealed interface SearchQuery {

    /** A vector of the collection's dimension, searched as it is. */
    record Vector(float[] vector) implements SearchQuery {
        public Vector {
            Objects.requireNonNull(vector, "vector");
        }
    }

    /** A text, embedded by the service's text model first. */
    record Text(String text) implements SearchQuery {
        public Text {
            Objects.requireNonNull(text, "text");
        }
    }

    /**
     * An image (PNG, JPEG), embedded by the service's image model first.
     *
     * @param model the embedding model the collection was built with, when known: the service refuses
     *              ({@code wrong-image-model}) to embed with another one, since its vectors would not be comparable
     */
    record Image(byte[] image, @Nullable String model) implements SearchQuery {
        public Image {
            Objects.requireNonNull(image, "image");
        }
    }
}
