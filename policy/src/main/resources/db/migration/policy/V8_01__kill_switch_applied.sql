-- Which Warden instances have applied which kill switch, so that people can see a switch in force
-- everywhere. Every instance says it is alive when it reconciles (every few seconds).
create table gateway_instance (
    id        text primary key,
    seen_at   timestamptz not null
);

create table kill_switch_applied (
    switch_id   uuid        not null references kill_switch (id) on delete cascade,
    instance_id text        not null,
    applied_at  timestamptz not null,
    primary key (switch_id, instance_id)
);
