-- Kill switches: what is stopped (everything, an agent, a tool or a dataset), by whom, why, and since when.
-- Changes are announced on the channel warden_kill_switch (LISTEN/NOTIFY) so every instance applies them
-- at once; instances also reconcile from this table every few seconds.
create table kill_switch (
    id               uuid primary key,
    scope            text        not null check (scope in ('GLOBAL', 'AGENT', 'TOOL', 'DATASET')),
    target           text        not null,
    active           boolean     not null,
    engaged_by       text        not null,
    engaged_at       timestamptz not null,
    reason           text        not null,
    release_requested_by text,
    released_by      text,
    released_at      timestamptz,
    release_reason   text,
    check ((scope = 'GLOBAL') = (target = '*'))
);

-- one active switch per target
create unique index kill_switch_active on kill_switch (scope, target) where active;
