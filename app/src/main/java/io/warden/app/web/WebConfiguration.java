package io.warden.app.web;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.util.unit.DataSize;
import tools.jackson.databind.json.JsonMapper;

/** The request body limit. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(WebConfiguration.HttpProperties.class)
class WebConfiguration {

    /**
     * HTTP settings under {@code warden.http}.
     *
     * @param maxBodySize   the largest request body accepted; larger ones get 413
     * @param maxUploadSize the largest body of a collection upload ({@code POST /api/v1/collections/{name}/uploads},
     *                      streamed to storage, never held in memory; the collections module also enforces
     *                      {@code warden.collections.max-upload-bytes})
     */
    @ConfigurationProperties("warden.http")
    record HttpProperties(
            @DefaultValue("1MB") DataSize maxBodySize,
            @DefaultValue("1GB") DataSize maxUploadSize) {}

    @Bean
    FilterRegistrationBean<RequestBodyLimitFilter> requestBodyLimit(HttpProperties properties, JsonMapper json) {
        var registration = new FilterRegistrationBean<>(new RequestBodyLimitFilter(
                properties.maxBodySize().toBytes(), properties.maxUploadSize().toBytes(), json));
        // Before security: an oversized body is refused before anything reads it.
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
        return registration;
    }
}
