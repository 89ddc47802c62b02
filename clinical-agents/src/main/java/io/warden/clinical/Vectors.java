package io.warden.clinical;

/** Checks and arithmetic on embedding vectors. */
public final class Vectors {

    private Vectors() {}

    /** @throws RetrievalRejected ({@code non-finite}) naming the first NaN or infinite component */
    public static void requireFinite(float[] vector, String what) {
        for (int i = 0; i < vector.length; i++) {
            if (!Float.isFinite(vector[i])) {
                throw new RetrievalRejected("non-finite", "Component " + i + " of " + what + " is " + vector[i]);
            }
        }
    }

    /** A unit-length copy; a zero vector is refused. */
    public static float[] normalized(float[] vector) {
        double norm = 0;
        for (float v : vector) {
            norm += (double) v * v;
        }
        if (norm == 0) {
            throw new RetrievalRejected("non-finite", "A zero vector has no direction");
        }
        float scale = (float) (1 / Math.sqrt(norm));
        float[] out = new float[vector.length];
        for (int i = 0; i < vector.length; i++) {
            out[i] = vector[i] * scale;
        }
        return out;
    }
}
