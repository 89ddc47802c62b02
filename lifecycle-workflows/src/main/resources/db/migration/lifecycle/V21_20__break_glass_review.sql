-- One row per emergency access (break-the-glass) the gateway allowed: what compliance reviews, and the finding.
-- Names are kept as they were at the time, so the review reads the same after an agent or person is renamed.
create table break_glass_review (
    id             uuid primary key,
    agent_id       text        not null,
    client_id      text        not null,
    agent_name     text        not null,
    person_id      text        not null,
    person_name    text,
    tool           text        not null,
    dataset        text        not null,
    justification  text        not null,
    request_digest text        not null,
    trace_id       text,
    used_at        timestamptz not null,
    due_at         timestamptz not null,
    status         text        not null check (status in ('OPEN', 'ESCALATED', 'REVIEWED')),
    escalated_at   timestamptz,
    finding        text check (finding in ('JUSTIFIED', 'NOT_JUSTIFIED')),
    note           text,
    reviewed_by    text,
    reviewed_at    timestamptz,
    check ((status = 'REVIEWED') = (finding is not null and reviewed_by is not null and reviewed_at is not null))
);
create index break_glass_review_waiting on break_glass_review (status, used_at desc);
