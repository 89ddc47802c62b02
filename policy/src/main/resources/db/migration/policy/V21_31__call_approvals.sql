-- Issue 21: per-call approvals. A call on a tool or data scope marked for approval is parked here; a person approves
-- or denies it, and the agent's resubmission of exactly the same call (same agent, tool, dataset and argument digest)
-- uses the approval once. Rows are kept after use as the record of who approved what; the audit trail holds each step.
create table call_approval (
    id             uuid        primary key,
    client_id      text        not null,
    agent_id       text        not null,
    agent_name     text        not null,
    tool           text        not null,
    dataset        text        not null,
    phi            boolean     not null,
    purpose        text,
    digest         text        not null,
    shown          jsonb       not null,
    person_id      text,
    delegation     text,
    justification  text,
    edge           text        not null,
    trace_id       text,
    state          text        not null check (state in ('PENDING', 'APPROVED', 'DENIED', 'USED', 'EXPIRED')),
    created_at     timestamptz not null,
    expires_at     timestamptz not null,
    decided_by     text,
    decided_at     timestamptz,
    reason         text,
    used_at        timestamptz,
    check (expires_at > created_at),
    check ((state in ('APPROVED', 'DENIED', 'USED')) = (decided_by is not null and decided_at is not null)),
    check ((state = 'USED') = (used_at is not null))
);

-- the approvers' inbox: pending first, newest first
create index call_approval_inbox on call_approval (state, created_at desc);
