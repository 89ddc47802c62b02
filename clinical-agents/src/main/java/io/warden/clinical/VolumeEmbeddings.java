package io.warden.clinical;

import java.util.Arrays;
import java.util.List;

/**
 * One embedding for a 3D volume from the embeddings of its slices, per dimension: the median (the seed's
 * choice for 3D volume search), mean, maximum or standard deviation; the result is L2-normalised.
 */
public final class VolumeEmbeddings {

    /** How slices are combined, dimension by dimension. */
    public enum Aggregation {
        MEDIAN,
        MEAN,
        MAX,
        STD
    }

    private VolumeEmbeddings() {}

    public static float[] aggregate(List<float[]> slices, Aggregation aggregation) {
        if (slices.isEmpty()) {
            throw new RetrievalRejected("empty-collection", "A volume needs at least one slice embedding");
        }
        int dimension = slices.getFirst().length;
        for (int s = 0; s < slices.size(); s++) {
            if (slices.get(s).length != dimension) {
                throw new RetrievalRejected(
                        "wrong-dimension",
                        "Slice " + s + " has " + slices.get(s).length + " dimensions; slice 0 has " + dimension);
            }
            Vectors.requireFinite(slices.get(s), "slice " + s);
        }
        float[] out = new float[dimension];
        float[] column = new float[slices.size()];
        for (int d = 0; d < dimension; d++) {
            for (int s = 0; s < slices.size(); s++) {
                column[s] = slices.get(s)[d];
            }
            out[d] = switch (aggregation) {
                case MEDIAN -> median(column);
                case MEAN -> (float) mean(column);
                case MAX -> max(column);
                case STD -> std(column);
            };
        }
        return Vectors.normalized(out);
    }

    private static float median(float[] values) {
        float[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2f;
    }

    private static double mean(float[] values) {
        double sum = 0;
        for (float v : values) {
            sum += v;
        }
        return sum / values.length;
    }

    private static float max(float[] values) {
        float max = Float.NEGATIVE_INFINITY;
        for (float v : values) {
            max = Math.max(max, v);
        }
        return max;
    }

    private static float std(float[] values) {
        double mean = mean(values);
        double sum = 0;
        for (float v : values) {
            sum += (v - mean) * (v - mean);
        }
        return (float) Math.sqrt(sum / values.length);
    }
}
