package io.warden.app;

import io.warden.clinical.CollectionCatalog;
import io.warden.clinical.CollectionInfo;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;

/**
 * The test's stand-in for the collection catalog: tests enter the collections they build. (The DICOM series reader
 * of volume-search is the real one, over the test's image model.)
 */
@TestConfiguration(proxyBeanMethods = false)
class TestCollections {

    static final Map<String, CollectionInfo> CATALOGUED = new ConcurrentHashMap<>();

    @Bean
    CollectionCatalog testCollectionCatalog() {
        return name -> Optional.ofNullable(CATALOGUED.get(name));
    }
}
