package io.warden.lifecycle.internal;

import com.microsoft.graph.serviceclient.GraphServiceClient;
import io.warden.audit.AuditLog;
import io.warden.lifecycle.NoticeBoard;
import io.warden.lifecycle.RoleMembers;
import io.warden.registry.Directory;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.mail.javamail.JavaMailSender;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.util.IdGenerator;

/**
 * The notifications the processes write, the inbox that reads them and their delivery. E-mail is on when Spring's
 * mail support has a sender ({@code spring.mail.host}) and {@code warden.notifications.mail.enabled} is not false;
 * Teams when {@code warden.notifications.teams.enabled} is true, through the Graph client ({@code warden.graph.*}).
 * A role's notices reach the people the application's identity provider says hold it ({@link RoleMembers}), unless
 * {@code warden.notifications.role-members} names them.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(NotificationProperties.class)
class NotificationConfiguration {

    @Bean
    NotificationDispatcher notificationDispatcher(
            JdbcClient jdbc,
            TransactionTemplate transactions,
            AuditLog audit,
            Clock clock,
            Directory directory,
            NotificationProperties properties,
            ObjectProvider<JavaMailSender> mail,
            ObjectProvider<GraphServiceClient> graph,
            ObjectProvider<RoleMembers> roleMembers) {
        List<NotificationChannel> channels = new ArrayList<>();
        RoleRecipients recipients = new RoleRecipients(directory, properties, roleMembers.getIfAvailable());
        JavaMailSender sender = mail.getIfAvailable();
        if (sender != null && properties.mail().enabled()) {
            channels.add(new MailChannel(sender, recipients, properties));
        }
        if (properties.teams().enabled()) {
            GraphServiceClient client = graph.getIfAvailable();
            if (client == null) {
                throw new IllegalStateException("warden.notifications.teams.enabled needs Microsoft Graph: set"
                        + " warden.graph.authority, warden.graph.client-id and a credential (see deploy/README.md)");
            }
            channels.add(new TeamsChannel(client, recipients, properties));
        }
        return new NotificationDispatcher(jdbc, transactions, channels, audit, clock, properties);
    }

    @Bean
    Notifications notifications(
            JdbcClient jdbc, AuditLog audit, Clock clock, IdGenerator ids, NotificationDispatcher dispatcher) {
        return new Notifications(jdbc, audit, clock, ids, dispatcher.channelNames());
    }

    @Bean
    NoticeBoard noticeBoard(JdbcClient jdbc, Clock clock) {
        return new PostgresNoticeBoard(jdbc, clock);
    }
}
