package io.warden.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.TimeoutException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.Select;

/**
 * The agent page's actions in a real browser: security operations suspend an agent after a refusal that names
 * the reason field, an admin reinstates it and reassigns its owner, the owner requests a change and security
 * operations raise and resolve an incident, each through the page's own forms and confirmations. A failing test
 * leaves screenshots under {@code target/screenshots}.
 */
class AgentActionsBrowserTests extends BrowserTest {

    /** A tablet's width: the actions' forms must work there. */
    @Override
    WebDriver signedIn(String username) {
        return signedIn(username, 1024);
    }

    /** Opens an action's form on the agent page. */
    static void open(WebDriver browser, String action) {
        browser.findElement(By.cssSelector("#action-" + action + " > summary")).click();
    }

    /**
     * The page's message once it starts with {@code expected}: after a submit the old page (with the last message)
     * is still there until the answer replaces it, so the first message found may be the previous one.
     */
    static String message(WebDriver browser, String expected) {
        try {
            BrowserTests.wait(browser)
                    .until(b -> b.findElement(By.id("agent-message")).getText().startsWith(expected));
        } catch (TimeoutException e) {
            // the caller's assertion shows the message the page has instead
        }
        return BrowserTests.wait(browser)
                .until(b -> b.findElement(By.id("agent-message")).getText());
    }

    @Test
    void suspendReinstateReassignRequestAChangeAndHandleAnIncidentFromTheAgentPage() {
        String id = AgentActionsPortalTests.activeAgentOfOtto("Browser actions");
        String page = client.base() + "/portal/agents/" + id;

        WebDriver sam = signedIn("sam.secops");
        sam.get(page);
        open(sam, "suspend");
        // the browser itself refuses an empty reason; a blank one reaches the server, which answers as the API does
        sam.findElement(By.id("suspend-reason")).sendKeys("   ");
        sam.findElement(By.id("suspend-confirmed")).click();
        sam.findElement(By.cssSelector("#action-suspend button[type=submit]")).click();
        assertThat(BrowserTests.wait(sam)
                        .until(b -> b.findElement(By.id("suspend-problem")))
                        .getText())
                .isEqualTo("Field 'reason' must not be blank");
        assertThat(sam.findElement(By.id("suspend-reason")).getAttribute("aria-invalid"))
                .isEqualTo("true");
        sam.findElement(By.id("suspend-reason")).clear();
        sam.findElement(By.id("suspend-reason")).sendKeys("Unexpected reads");
        sam.findElement(By.id("suspend-confirmed")).click();
        sam.findElement(By.cssSelector("#action-suspend button[type=submit]")).click();
        assertThat(message(sam, "Suspended")).startsWith("Suspended");
        assertThat(sam.findElement(By.id("agent-status")).getText()).isEqualTo("SUSPENDED");
        assertThat(sam.findElements(By.id("action-reinstate")))
                .as("only admins reinstate")
                .isEmpty();

        WebDriver ada = signedIn("ada.admin");
        ada.get(page);
        open(ada, "reinstate");
        ada.findElement(By.id("reinstate-reason")).sendKeys("Checked: benign");
        ada.findElement(By.cssSelector("#action-reinstate button[type=submit]")).click();
        assertThat(message(ada, "Reinstated.")).isEqualTo("Reinstated.");
        assertThat(ada.findElement(By.id("agent-status")).getText()).isEqualTo("ACTIVE");
        open(ada, "owner");
        // the new owner by name: typing lists the people found, each by name and e-mail address
        ada.findElement(By.id("owner-find")).sendKeys("olivia");
        String oliviaChoice = "#owner-choices input[value='" + AgentActionsPortalTests.OLIVIA + "']";
        BrowserTests.wait(ada)
                .until(b -> !b.findElements(By.cssSelector(oliviaChoice)).isEmpty());
        assertThat(ada.findElement(By.cssSelector("label[for='"
                                + ada.findElement(By.cssSelector(oliviaChoice)).getDomAttribute("id") + "']"))
                        .getText())
                .contains("Dr. Olivia Owner (demo)");
        ada.findElement(By.cssSelector(oliviaChoice)).click();
        ada.findElement(By.id("owner-reason")).sendKeys("Otto moves to another ward");
        ada.findElement(By.id("owner-confirmed")).click();
        ada.findElement(By.cssSelector("#action-owner button.btn-primary")).click();
        assertThat(message(ada, "Owner changed.")).isEqualTo("Owner changed.");
        assertThat(ada.findElement(By.id("agent-owner")).getText()).contains("Dr. Olivia Owner (demo)");

        WebDriver olivia = signedIn("olivia.owner");
        olivia.get(page);
        open(olivia, "change");
        olivia.findElement(By.id("change-purpose-HRESCH")).click();
        olivia.findElement(By.id("change-justification")).sendKeys("Outcome studies");
        olivia.findElement(By.cssSelector("#action-change button[type=submit]")).click();
        assertThat(message(olivia, "Change requested")).startsWith("Change requested");
        assertThat(client.get("/api/v1/approvals?status=PENDING&agentId=" + id, admin())
                        .json()
                        .get("items"))
                .hasSize(1);

        sam.get(page);
        open(sam, "incident");
        sam.findElement(By.id("incident-reason")).sendKeys("Prompt injection suspected");
        sam.findElement(By.id("incident-confirmed")).click();
        sam.findElement(By.cssSelector("#action-incident button[type=submit]")).click();
        assertThat(message(sam, "Incident raised")).startsWith("Incident raised");
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> {
            sam.get(page);
            return !sam.findElements(By.id("action-resolve")).isEmpty();
        });
        open(sam, "resolve");
        new Select(sam.findElement(By.id("resolve-resolution"))).selectByValue("REINSTATE");
        sam.findElement(By.id("resolve-reason")).sendKeys("False alarm");
        sam.findElement(By.cssSelector("#action-resolve button[type=submit]")).click();
        assertThat(message(sam, "Incident resolved: REINSTATE.")).isEqualTo("Incident resolved: REINSTATE.");
        AgentActionsPortalTests.awaitStatus(id, "ACTIVE");
    }
}
