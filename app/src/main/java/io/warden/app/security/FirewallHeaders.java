package io.warden.app.security;

import org.springframework.security.web.firewall.StrictHttpFirewall;

/**
 * The strict firewall's header checks, as a loop over code points instead of its regular expressions
 * ({@code [\p{IsAssigned}&&[^\p{IsControl}]]*} for names, the same with tab allowed for values): every header an
 * application reads is checked, so on the gateway these two expressions were the largest single cost of the
 * security chain left after it was made lean. Same answers for every string (the tests compare both over every code
 * point). Stateless.
 */
final class FirewallHeaders {

    private FirewallHeaders() {}

    /** A firewall that refuses exactly what Spring's strict firewall refuses, with these header checks. */
    static StrictHttpFirewall strictFirewall() {
        StrictHttpFirewall firewall = new StrictHttpFirewall();
        firewall.setAllowedHeaderNames(FirewallHeaders::isAllowedName);
        firewall.setAllowedHeaderValues(FirewallHeaders::isAllowedValue);
        return firewall;
    }

    /** Every code point assigned and none a control character. */
    static boolean isAllowedName(String name) {
        return allowed(name, false);
    }

    /** Every code point assigned and none a control character other than tab. */
    static boolean isAllowedValue(String value) {
        return allowed(value, true);
    }

    private static boolean allowed(String text, boolean tab) {
        for (int i = 0; i < text.length(); ) {
            int c = text.codePointAt(i);
            int type = Character.getType(c);
            if (type == Character.UNASSIGNED || (type == Character.CONTROL && !(tab && c == '\t'))) {
                return false;
            }
            i += Character.charCount(c);
        }
        return true;
    }
}
