package io.warden.app;

import io.warden.clinical.CollectionCatalog;
import io.warden.clinical.CollectionInfo;
import io.warden.clinical.RetrievalRejected;
import io.warden.clinical.SeriesVectors;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import javax.imageio.ImageIO;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;

/**
 * The test's stand-ins for the collection catalog (tests enter the collections they build) and for the DICOM series
 * reader (each uploaded "instance" is a rendered frame, a PNG, whose mean colour is its slice embedding), so the
 * gateway's volume path runs end to end.
 */
@TestConfiguration(proxyBeanMethods = false)
class TestCollections {

    static final Map<String, CollectionInfo> CATALOGUED = new ConcurrentHashMap<>();

    @Bean
    CollectionCatalog testCollectionCatalog() {
        return name -> Optional.ofNullable(CATALOGUED.get(name));
    }

    @Bean
    SeriesVectors testSeriesVectors() {
        return (series, model) -> {
            if (!(series instanceof SeriesVectors.Uploaded uploaded)) {
                throw new RetrievalRejected("series-unreadable", "The test reader takes uploaded frames only");
            }
            List<float[]> slices = new ArrayList<>();
            for (int i = 0; i < uploaded.instances().size(); i++) {
                slices.add(meanColour(uploaded.instances().get(i), i));
            }
            return slices;
        };
    }

    /** The frame's mean colour, normalised as the test image model does: (c - 0.5) / 0.5 per channel, unit length. */
    static float[] meanColour(byte[] frame, int index) {
        BufferedImage image;
        try {
            image = ImageIO.read(new ByteArrayInputStream(frame));
        } catch (IOException e) {
            image = null;
        }
        if (image == null) {
            throw new RetrievalRejected("series-unreadable", "Instance " + index + " is no frame");
        }
        double[] sum = new double[3];
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                int rgb = image.getRGB(x, y);
                sum[0] += ((rgb >> 16) & 0xff) / 255.0;
                sum[1] += ((rgb >> 8) & 0xff) / 255.0;
                sum[2] += (rgb & 0xff) / 255.0;
            }
        }
        int pixels = image.getWidth() * image.getHeight();
        float[] vector = new float[3];
        double norm = 0;
        for (int c = 0; c < 3; c++) {
            vector[c] = (float) ((sum[c] / pixels - 0.5) / 0.5);
            norm += vector[c] * vector[c];
        }
        for (int c = 0; c < 3; c++) {
            vector[c] = (float) (vector[c] / Math.sqrt(norm));
        }
        return vector;
    }
}
