package io.warden.app;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * What every portal test in a real browser needs: Debian's chromium, headless, through its chromedriver; the browsers
 * a test opened, closed after it; and, when it fails, their screenshots under {@code target/screenshots}.
 */
abstract class BrowserTest extends IntegrationTest {

    /** Debian's chromium and chromedriver; WARDEN_CHROMIUM and WARDEN_CHROMEDRIVER name others. */
    static final String CHROMIUM = System.getenv().getOrDefault("WARDEN_CHROMIUM", "/usr/bin/chromium");

    static final String CHROMEDRIVER = System.getenv().getOrDefault("WARDEN_CHROMEDRIVER", "/usr/bin/chromedriver");

    final List<WebDriver> browsers = new ArrayList<>();

    @RegisterExtension
    final TestWatcher screenshots = new TestWatcher() {
        @Override
        public void testFailed(ExtensionContext context, @Nullable Throwable cause) {
            for (int i = 0; i < browsers.size(); i++) {
                try {
                    Path folder = Path.of("target", "screenshots");
                    Files.createDirectories(folder);
                    File shot = ((TakesScreenshot) browsers.get(i)).getScreenshotAs(OutputType.FILE);
                    Files.copy(
                            shot.toPath(),
                            folder.resolve(context.getDisplayName().replaceAll("\\W", "_") + "-" + i + ".png"),
                            StandardCopyOption.REPLACE_EXISTING);
                } catch (Exception ignored) {
                    // a screenshot is a help, not a result
                }
            }
        }
    };

    @AfterEach
    void close() {
        browsers.forEach(WebDriver::quit);
    }

    /** A new browser window {@code width} pixels wide, on the portal's sign-in page. */
    WebDriver browser(int width) {
        if (!Files.isExecutable(Path.of(CHROMIUM)) || !Files.isExecutable(Path.of(CHROMEDRIVER))) {
            throw new IllegalStateException(
                    "The browser tests need chromium and its driver: apt-get install chromium chromium-driver"
                            + " (or set WARDEN_CHROMIUM and WARDEN_CHROMEDRIVER)");
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        options.addArguments(
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--window-size=" + width + ",1000");
        WebDriver browser = new ChromeDriver(
                new ChromeDriverService.Builder()
                        .usingDriverExecutable(new File(CHROMEDRIVER))
                        .usingAnyFreePort()
                        .build(),
                options);
        browsers.add(browser);
        browser.get(client.base() + "/portal");
        return browser;
    }

    /** Signed in as {@code username} (demo password) through the sign-in form, on the dashboard. */
    WebDriver signedIn(String username) {
        return signedIn(username, 1280);
    }

    WebDriver signedIn(String username, int width) {
        WebDriver browser = browser(width);
        browser.findElement(By.name("username")).sendKeys(username);
        browser.findElement(By.name("password")).sendKeys("warden-demo");
        browser.findElement(By.cssSelector("button[type=submit]")).click();
        return onTheDashboard(browser);
    }

    static WebDriver onTheDashboard(WebDriver browser) {
        wait(browser)
                .until(b -> b.findElements(By.tagName("h1")).stream()
                        .anyMatch(h -> h.getText().equals("Dashboard")));
        return browser;
    }

    /** Waits up to 30 s; an element replaced while being read (a page reload, an htmx swap) is read again. */
    static WebDriverWait wait(WebDriver browser) {
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30));
        wait.ignoring(StaleElementReferenceException.class);
        return wait;
    }
}
