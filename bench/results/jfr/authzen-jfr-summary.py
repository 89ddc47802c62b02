#!/usr/bin/env python3
# Summary of a JFR recording of AuthZenBench: python3 authzen-jfr-summary.py <(jfr print --stack-depth 96 --events jdk.ExecutionSample rec.jfr) title
"""Aggregates `jfr print --stack-depth 96 --events jdk.ExecutionSample` output: share of samples with a frame of
each area on the stack, and the top self (leaf) methods. Usage: jfr-agg.py print.txt title"""
import re, sys, collections
text = open(sys.argv[1]).read()
events = text.split('jdk.ExecutionSample {')[1:]
# Only the gateway phase: from the first to the last sample with the gateway's controller on the stack (the direct
# phase before it also goes through a security chain, the bench's own, and would blur the comparison).
def when(ev):
    m = re.search(r'startTime = (\d+):(\d+):(\d+\.\d+)', ev)
    return int(m.group(1)) * 3600 + int(m.group(2)) * 60 + float(m.group(3)) if m else None
marks = [when(ev) for ev in events if 'AuthZenController' in ev]
t0, t1 = min(marks), max(marks)
total_events = len(events)
events = [ev for ev in events if when(ev) is not None and t0 <= when(ev) <= t1]
areas = [
 ('Spring Security FilterChainProxy (whole security chain)', r'org\.springframework\.security\.web\.FilterChainProxy'),
 ('  regular expressions (bearer header, firewall header checks, others)', r'DefaultBearerTokenResolver|java\.util\.regex'),
 ('  BearerTokenAuthenticationFilter', r'BearerTokenAuthenticationFilter'),
 ('  AgentBearerAuthentication (lean path)', r'AgentBearerAuthentication'),
 ('  StrictHttpFirewall', r'StrictHttpFirewall|FirewalledRequest'),
 ('  DPoP request matcher', r'DPoP|Dpop'),
 ('  ObservationFilterChainDecorator', r'ObservationFilterChainDecorator'),
 ('  AuthorizationFilter / request matchers', r'AuthorizationFilter|RequestMatcherDelegatingAuthorizationManager|PathPatternRequestMatcher'),
 ('  HeaderWriterFilter', r'HeaderWriterFilter'),
 ('  Session/CSRF/RequestCache/Anonymous filters', r'CsrfFilter|SessionManagementFilter|RequestCacheAwareFilter|AnonymousAuthenticationFilter|SecurityContextHolderAwareRequestFilter|DisableEncodeUrlFilter|LogoutFilter'),
 ('Spring MVC DispatcherServlet (servlet dispatch)', r'org\.springframework\.web\.servlet\.DispatcherServlet'),
 ('  Jackson message conversion', r'AbstractJacksonHttpMessageConverter|tools\.jackson'),
 ('Tomcat connector (coyote)', r'org\.apache\.coyote'),
 ('GatewayService', r'io\.warden\.policy\.internal\.GatewayService|GatewayService\.'),
 ('  GatewayService.evaluate', r'GatewayService\.evaluate'),
 ('  decision point (policy decide)', r'DecisionPoint|EmbeddedDecisionPoint|PolicyMetrics|\.decide\('),
 ('  audit append (waiting included only if on CPU)', r'AuditLog\.append|PostgresAuditLog\.append'),
 ('AuthZenController', r'AuthZenController'),
 ('io.warden.audit (audit writer)', r'io\.warden\.audit'),
 ('JDBC / PostgreSQL driver', r'org\.postgresql|com\.zaxxer\.hikari'),
 ('canonical JSON / SHA-256', r'Canonical|sun\.security\.provider\.SHA|MessageDigest'),
 ('bench driver (java.net.http client)', r'jdk\.internal\.net\.http'),
 ('GC / JIT-compiled-code not attributed', r'^$'),
]
layers = [
 ('Spring Security (filters, firewall, tokens)', r'^org\.springframework\.security|^io\.warden\.app\.security|^com\.nimbusds'),
 ('the bench driver (JDK HTTP client)', r'^jdk\.internal\.net\.http|^java\.net\.http'),
 ('Warden (io.warden: gateway, policy, audit, clinical)', r'^io\.warden'),
 ('JDBC, PostgreSQL driver, Hikari', r'^org\.postgresql|^com\.zaxxer'),
 ('Jackson (JSON read/write)', r'^tools\.jackson|^com\.fasterxml'),
 ('Spring MVC (dispatch, argument resolution, conversion)', r'^org\.springframework\.web\.(servlet|method|bind|accept|util|context)|^org\.springframework\.http'),
 ('other Spring web filters (observation, forwarded headers, ...)', r'^org\.springframework\.web\.filter|^io\.micrometer|^org\.springframework\.boot\.web'),
 ('Tomcat (connector, Catalina)', r'^org\.apache\.(coyote|catalina|tomcat)'),
]
excl = collections.Counter()
on = collections.Counter(); leaf = collections.Counter(); n = 0
for ev in events:
    m = re.search(r'stackTrace = \[(.*?)\n\s*\]', ev, re.S)
    if not m: continue
    frames = [l.strip() for l in m.group(1).strip().split('\n') if l.strip() and l.strip() != '...']
    if not frames: continue
    n += 1
    stack = '\n'.join(frames)
    for name, rx in areas:
        if rx != '^$' and re.search(rx, stack): on[name] += 1
    leaf[re.sub(r'\s+line:.*', '', frames[0])] += 1
    # the innermost layer on the stack: a JDK or library frame is charged to the layer that called it
    who = 'JDK/other only (GC, JIT, idle threads, JDK code outside any layer)'
    for f in frames:
        hit = next((name for name, rx in layers if re.search(rx, f)), None)
        if hit:
            who = hit; break
    excl[who] += 1
print(f'# {sys.argv[2]}')
print(f'# jdk.ExecutionSample events in the gateway phase ({t1 - t0:.1f} s, from the first to the last sample with')
print(f'# AuthZenController on the stack): {n} of {total_events} in the recording; all threads of the process (Warden,')
print(f'# Tomcat, the bench driver; PostgreSQL is another process)')
print('\n## Inclusive: share of samples with the area anywhere on the stack (nested areas overlap; everything the\n## request does downstream runs inside the security chain, so its inclusive share includes the controller)\n')
for name, rx in areas:
    if rx == '^$': continue
    print(f'{100.0*on[name]/max(n,1):6.1f}%  {on[name]:6d}  {name}')
print('\n## Exclusive: each sample charged once, to the innermost layer on its stack\n')
for name, c in excl.most_common():
    print(f'{100.0*c/max(n,1):6.1f}%  {c:6d}  {name}')
print('\n## Top 30 leaf (self) methods\n')
for m_, c in leaf.most_common(30):
    print(f'{100.0*c/max(n,1):6.1f}%  {c:6d}  {m_}')
