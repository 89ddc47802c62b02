package io.warden.lifecycle.internal;

import java.util.List;

/**
 * One way a notice leaves Warden ({@code mail}, {@code teams}). Implementations are thread-safe.
 */
interface NotificationChannel {

    /** The channel's name in {@code notification_delivery.channel}. */
    String name();

    /**
     * Where this channel sends a notice for this recipient (a person's directory id or {@code role:<ROLE>}): e-mail
     * addresses, directory ids. Empty when there is nowhere to send it.
     *
     * @throws RuntimeException when the directory cannot be read; the delivery is retried
     */
    List<String> addresses(String recipient);

    /**
     * Sends the notice to one address.
     *
     * @throws RuntimeException when it was not sent; the delivery is retried for this address
     */
    void send(Outgoing notice, String address);

    /**
     * What leaves Warden: the subject, the deadline and the link to the inbox. The body stays in Warden, since
     * some bodies quote a clinician's words (a break-the-glass justification) that may name a patient.
     */
    record Outgoing(String id, String subject, String dueText, String link) {

        String text() {
            return subject + "\n\n" + (dueText.isEmpty() ? "" : dueText + "\n\n")
                    + "Open your Warden inbox for the details: " + link + "\n";
        }
    }
}
