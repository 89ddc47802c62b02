package io.warden.lifecycle.internal;

import io.warden.registry.DirectoryUser;
import io.warden.registry.Role;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.springframework.mail.MailPreparationException;
import org.springframework.mail.javamail.JavaMailSender;
import org.springframework.mail.javamail.MimeMessageHelper;

/**
 * E-mail through Spring's {@link JavaMailSender} ({@code spring.mail.*}). A person's address is their directory
 * {@code mail}; a role's notice goes to the role's shared mailbox when one is configured, else to the address of each
 * active person holding the role ({@link RoleRecipients}). Each address gets its own message, so a retry after a partial failure reaches only those who
 * got nothing.
 */
final class MailChannel implements NotificationChannel {

    static final String NAME = "mail";

    private final JavaMailSender sender;
    private final RoleRecipients recipients;
    private final NotificationProperties properties;

    MailChannel(JavaMailSender sender, RoleRecipients recipients, NotificationProperties properties) {
        this.sender = sender;
        this.recipients = recipients;
        this.properties = properties;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<String> addresses(String recipient) {
        Optional<Role> role = RoleRecipients.role(recipient);
        if (role.isPresent()) {
            String shared = properties.mail().roleAddresses().get(role.get().name());
            if (shared != null) {
                return List.of(shared);
            }
        }
        // two people sharing a mailbox get one message there
        return recipients.people(recipient).stream()
                .map(DirectoryUser::mail)
                .filter(Objects::nonNull)
                .distinct()
                .sorted()
                .toList();
    }

    @Override
    public void send(Outgoing notice, String address) {
        MimeMessage message = sender.createMimeMessage();
        try {
            MimeMessageHelper helper = new MimeMessageHelper(message, StandardCharsets.UTF_8.name());
            helper.setFrom(properties.mail().from());
            helper.setTo(address);
            helper.setSubject("[Warden] " + notice.subject());
            helper.setText(notice.text());
            // lets a mail system or a reader tell a retried message from a new notice
            message.setHeader("X-Warden-Notification", notice.id());
        } catch (MessagingException e) {
            throw new MailPreparationException("could not write the message for notification " + notice.id(), e);
        }
        sender.send(message);
    }
}
