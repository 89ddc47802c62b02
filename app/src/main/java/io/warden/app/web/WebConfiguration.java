package io.warden.app.web;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.info.License;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import io.warden.audit.problem.Problems;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.util.unit.DataSize;
import tools.jackson.databind.json.JsonMapper;

/** The request body limit and the OpenAPI document's description of Warden's API. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(WebConfiguration.HttpProperties.class)
class WebConfiguration {

    /**
     * HTTP settings under {@code warden.http}.
     *
     * @param maxBodySize the largest request body accepted; larger ones get 413
     */
    @ConfigurationProperties("warden.http")
    record HttpProperties(@DefaultValue("1MB") DataSize maxBodySize) {
    }

    @Bean
    FilterRegistrationBean<RequestBodyLimitFilter> requestBodyLimit(HttpProperties properties, JsonMapper json) {
        var registration = new FilterRegistrationBean<>(new RequestBodyLimitFilter(properties.maxBodySize().toBytes(), json));
        // Before security: an oversized body is refused before anything reads it.
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
        return registration;
    }

    @Bean
    OpenAPI wardenOpenApi() {
        return new OpenAPI()
                .info(new Info().title("Warden API").version("v1")
                        .description("Governance control plane for clinical AI agents: the agent registry "
                                + "(/api/v1) and the agents' gateway (/gateway/v1). Errors are RFC 9457 "
                                + "problem+json with a stable type " + Problems.TYPE_PREFIX + "<code>.")
                        .license(new License().name("Apache-2.0").url("https://www.apache.org/licenses/LICENSE-2.0")))
                .components(new Components().addSecuritySchemes("bearer",
                        new SecurityScheme().type(SecurityScheme.Type.HTTP).scheme("bearer").bearerFormat("JWT")))
                .addSecurityItem(new SecurityRequirement().addList("bearer"));
    }
}
