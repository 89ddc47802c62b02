package io.warden.app.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.security.web.firewall.RequestRejectedException;
import org.springframework.security.web.firewall.StrictHttpFirewall;

/** The header checks without regular expressions answer as the strict firewall's own expressions, for every input. */
class FirewallHeadersTests {

    // Spring Security's StrictHttpFirewall expressions, verbatim
    static final Pattern NAMES = Pattern.compile("[\\p{IsAssigned}&&[^\\p{IsControl}]]*");
    static final Pattern VALUES = Pattern.compile("[\\p{IsAssigned}&&[[^\\p{IsControl}]||\\t]]*");

    @Test
    void everyCodePointIsJudgedAsByTheExpressions() {
        for (int c = 0; c <= Character.MAX_CODE_POINT; c++) {
            String one = new String(Character.toChars(c));
            String inText = "X-Agent" + one + "value";
            assertThat(FirewallHeaders.isAllowedName(one))
                    .as("name U+%04X", c)
                    .isEqualTo(NAMES.matcher(one).matches());
            assertThat(FirewallHeaders.isAllowedValue(one))
                    .as("value U+%04X", c)
                    .isEqualTo(VALUES.matcher(one).matches());
            assertThat(FirewallHeaders.isAllowedValue(inText))
                    .as("value with U+%04X", c)
                    .isEqualTo(VALUES.matcher(inText).matches());
        }
    }

    @Test
    void brokenSurrogatesAndTheEmptyStringAreJudgedAsByTheExpressions() {
        for (String text : List.of(
                "", "\uD800", "a\uDC00b", "\uDBFF\uDFFF", "\uD83D\uDE00", "\t", "a\tb", "\u0000", "\u007F", "\u0085")) {
            assertThat(FirewallHeaders.isAllowedName(text))
                    .as(text)
                    .isEqualTo(NAMES.matcher(text).matches());
            assertThat(FirewallHeaders.isAllowedValue(text))
                    .as(text)
                    .isEqualTo(VALUES.matcher(text).matches());
        }
    }

    @Test
    void theFirewallStillRefusesAControlCharacterInAHeader() {
        StrictHttpFirewall firewall = FirewallHeaders.strictFirewall();
        MockHttpServletRequest request = new MockHttpServletRequest("POST", "/gateway/v1/text-search");
        request.addHeader("X-Trace", "ok\u0000injected");
        request.addHeader("Authorization", "Bearer abc\tdef");
        var firewalled = firewall.getFirewalledRequest(request);
        assertThat(catchThrowable(() -> firewalled.getHeader("X-Trace"))).isInstanceOf(RequestRejectedException.class);
        assertThat(firewalled.getHeader("Authorization")).isEqualTo("Bearer abc\tdef");
    }
}
