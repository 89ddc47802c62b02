-- The audit trail: append-only records chained by SHA-256, signed checkpoints, and the public keys that
-- verify them. Owned by the audit module. The database itself refuses to change or remove records.

create table audit_event (
    seq            bigint primary key check (seq > 0),
    schema_version smallint    not null,
    time           timestamptz not null,
    action         text        not null,
    source_id      text,
    actor_id       text        not null,
    actor_type     text        not null check (actor_type in ('PERSON', 'AGENT', 'SYSTEM')),
    actor_owner    text,
    target_type    text        not null,
    target_id      text        not null,
    agent_id       text,
    owner_id       text,
    dataset        text,
    tool           text,
    decision       text check (decision in ('PERMIT', 'DENY')),
    reasons        text[]      not null,
    purpose        text,
    request_digest text,
    outcome        text        not null,
    latency_micros bigint,
    correlation_id text,
    detail_keys    text[]      not null,
    detail_values  text[]      not null,
    hash           bytea       not null check (length(hash) = 32)
);

-- Few indexes, on purpose: every one is paid on each append of the gateway's hot path. Searches walk the
-- primary key backwards (newest first) with filters; the agent and actor indexes serve the common
-- "what did this agent / person do" questions, and a BRIN index narrows time ranges almost for free.
create unique index audit_event_source on audit_event (source_id) where source_id is not null;
create index audit_event_time on audit_event using brin (time);
create index audit_event_agent on audit_event (agent_id, seq) where agent_id is not null;
create index audit_event_actor on audit_event (actor_id, seq);

-- One row: where the chain ends. Writers lock it, so the chain stays one gap-free sequence however many
-- instances append.
create table audit_head (
    id                  integer primary key check (id = 1),
    last_seq            bigint      not null,
    last_hash           bytea       not null,
    last_checkpoint_seq bigint      not null,
    last_checkpoint_at  timestamptz
);

insert into audit_head (id, last_seq, last_hash, last_checkpoint_seq)
values (1, 0, decode(repeat('00', 32), 'hex'), 0);

create table audit_checkpoint (
    last_seq   bigint primary key,
    first_seq  bigint      not null check (first_seq <= last_seq),
    head_hash  bytea       not null,
    time       timestamptz not null,
    key_id     text        not null,
    signature  bytea       not null
);

create table audit_signing_key (
    key_id     text primary key,
    algorithm  text        not null check (algorithm = 'Ed25519'),
    public_key bytea       not null,
    created_at timestamptz not null
);

create function audit_refuse_change() returns trigger language plpgsql as $$
begin
    raise exception 'the audit trail is append-only: % on % is refused', tg_op, tg_table_name
        using errcode = 'insufficient_privilege';
end;
$$;

create trigger audit_event_append_only before update or delete on audit_event
    for each row execute function audit_refuse_change();
create trigger audit_event_no_truncate before truncate on audit_event
    for each statement execute function audit_refuse_change();
create trigger audit_checkpoint_append_only before update or delete on audit_checkpoint
    for each row execute function audit_refuse_change();
create trigger audit_checkpoint_no_truncate before truncate on audit_checkpoint
    for each statement execute function audit_refuse_change();
create trigger audit_signing_key_append_only before update or delete on audit_signing_key
    for each row execute function audit_refuse_change();
create trigger audit_signing_key_no_truncate before truncate on audit_signing_key
    for each statement execute function audit_refuse_change();
create trigger audit_head_no_delete before delete on audit_head
    for each row execute function audit_refuse_change();
create trigger audit_head_no_truncate before truncate on audit_head
    for each statement execute function audit_refuse_change();
