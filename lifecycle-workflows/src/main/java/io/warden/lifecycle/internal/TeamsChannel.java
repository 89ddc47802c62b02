package io.warden.lifecycle.internal;

import com.microsoft.graph.models.ItemBody;
import com.microsoft.graph.models.KeyValuePair;
import com.microsoft.graph.models.TeamworkActivityTopic;
import com.microsoft.graph.models.TeamworkActivityTopicSource;
import com.microsoft.graph.serviceclient.GraphServiceClient;
import com.microsoft.graph.users.item.teamwork.sendactivitynotification.SendActivityNotificationPostRequestBody;
import io.warden.registry.DirectoryUser;
import java.util.List;

/**
 * Microsoft Teams through Graph: {@code POST /users/{id}/teamwork/sendActivityNotification} (v1.0), a notice in
 * the person's Teams activity feed whose topic is the notice's subject and links to the portal inbox. Needs the
 * application permission {@code TeamsActivity.Send} and Warden's Teams app (declaring the activity type)
 * installed for the recipient. A role's notice goes to each active person holding the role ({@link RoleRecipients});
 * there is no shared mailbox in Teams.
 */
final class TeamsChannel implements NotificationChannel {

    static final String NAME = "teams";

    private final GraphServiceClient graph;
    private final RoleRecipients recipients;
    private final NotificationProperties properties;

    TeamsChannel(GraphServiceClient graph, RoleRecipients recipients, NotificationProperties properties) {
        this.graph = graph;
        this.recipients = recipients;
        this.properties = properties;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<String> addresses(String recipient) {
        return recipients.people(recipient).stream().map(DirectoryUser::id).toList();
    }

    @Override
    public void send(Outgoing notice, String address) {
        TeamworkActivityTopic topic = new TeamworkActivityTopic();
        topic.setSource(TeamworkActivityTopicSource.Text);
        topic.setValue(notice.subject());
        topic.setWebUrl(notice.link());
        ItemBody preview = new ItemBody();
        preview.setContent(notice.dueText().isEmpty() ? notice.subject() : notice.dueText());
        SendActivityNotificationPostRequestBody body = new SendActivityNotificationPostRequestBody();
        body.setTopic(topic);
        body.setActivityType(properties.teams().activityType());
        body.setPreviewText(preview);
        KeyValuePair subject = new KeyValuePair(); // the manifest's templateText says "{subject}"
        subject.setName("subject");
        subject.setValue(notice.subject());
        body.setTemplateParameters(List.of(subject));
        if (properties.teams().teamsAppId() != null) {
            body.setTeamsAppId(properties.teams().teamsAppId());
        }
        graph.users().byUserId(address).teamwork().sendActivityNotification().post(body);
    }
}
