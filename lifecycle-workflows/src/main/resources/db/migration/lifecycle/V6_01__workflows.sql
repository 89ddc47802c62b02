-- Messages published for an agent before any instance waits for them: kept until they expire, delivered
-- when an instance starts waiting (the embedded engine does not buffer messages; Camunda 8 does).
create table workflow_message (
    id           uuid primary key,
    name         text        not null,
    agent_id     text        not null,
    variables    jsonb       not null default '{}'::jsonb,
    published_at timestamptz not null,
    expires_at   timestamptz not null
);
create index workflow_message_agent on workflow_message (agent_id, name);

-- What the processes tell people (an approval waiting, an attestation due, an owner gone): shown in the
-- portal to the recipient, a person's directory id or role:<ROLE> for everyone holding a role.
create table notification (
    id         uuid primary key,
    recipient  text        not null,
    agent_id   text,
    process    text,
    subject    text        not null,
    body       text        not null,
    created_at timestamptz not null
);
create index notification_recipient on notification (recipient, created_at desc);
