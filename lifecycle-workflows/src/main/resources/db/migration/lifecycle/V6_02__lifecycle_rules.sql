-- The lifecycle rules: what to watch and when a process starts. Admins edit the parameters and switch
-- rules on and off through the API; each change bumps the version (optimistic locking) and is audited.
create table lifecycle_rule (
    key        text primary key,
    kind       text        not null check (kind in ('DORMANT', 'OWNER_INACTIVE', 'RECERTIFICATION_DUE', 'RISK_SIGNAL')),
    enabled    boolean     not null,
    parameters jsonb       not null,
    version    bigint      not null default 0,
    updated_by text        not null,
    updated_at timestamptz not null
);

insert into lifecycle_rule (key, kind, enabled, parameters, updated_by, updated_at) values
    ('dormancy', 'DORMANT', true, '{"days": 90}', 'system:warden', now()),
    ('orphaned-owner', 'OWNER_INACTIVE', true, '{}', 'system:warden', now()),
    ('recertification-due', 'RECERTIFICATION_DUE', true, '{}', 'system:warden', now()),
    ('risk-signal', 'RISK_SIGNAL', true, '{"denials": 20, "window": "PT1H"}', 'system:warden', now());
