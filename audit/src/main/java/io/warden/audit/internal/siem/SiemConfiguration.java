package io.warden.audit.internal.siem;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.sql.init.dependency.DependsOnDatabaseInitialization;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Starts one streamer per enabled sink of {@code warden.audit.siem.sinks} once the database is migrated. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(SiemProperties.class)
class SiemConfiguration {

    @Bean
    @DependsOnDatabaseInitialization
    SiemStreaming siemStreaming(
            DataSource dataSource, SiemProperties properties, Clock clock, ObjectProvider<MeterRegistry> meters) {
        MeterRegistry registry = meters.getIfAvailable(SimpleMeterRegistry::new);
        String holder = properties.instanceId() != null ? properties.instanceId() : defaultInstanceId();
        List<SiemStreamer> streamers = new ArrayList<>();
        for (SiemProperties.Sink sink : properties.enabledSinks()) {
            streamers.add(SiemStreamer.create(dataSource, properties, sink, holder, clock, registry));
        }
        return new SiemStreaming(streamers);
    }

    /** Host name and process id: distinct for replicas on different hosts and for processes on one host. */
    private static String defaultInstanceId() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "unknown-host";
        }
        return host + "/" + ProcessHandle.current().pid();
    }

    /** The streamers' life: they start after the application is up and stop, giving their leases up, before it ends. */
    static final class SiemStreaming implements SmartLifecycle {

        private final List<SiemStreamer> streamers;
        private volatile boolean running;

        SiemStreaming(List<SiemStreamer> streamers) {
            this.streamers = List.copyOf(streamers);
        }

        @Override
        public void start() {
            streamers.forEach(SiemStreamer::start);
            running = true;
        }

        @Override
        public void stop() {
            streamers.forEach(SiemStreamer::close);
            running = false;
        }

        @Override
        public boolean isRunning() {
            return running;
        }
    }
}
