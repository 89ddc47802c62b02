-- Issue 25: the notification table is read (an inbox per person), and delivered (e-mail, Microsoft Teams).

-- When the recipient must act by (an attestation, a grace period, a new owner); null for plain news.
alter table notification add column due_at timestamptz;

-- Read per person: a notice to role:<ROLE> is read by each holder of the role on their own.
create table notification_read (
    notification_id uuid        not null references notification (id) on delete cascade,
    person_id       text        not null,
    read_at         timestamptz not null,
    primary key (notification_id, person_id)
);

-- One row per notification and channel that was switched on when it was written. A dispatcher on any instance
-- takes due rows with FOR UPDATE SKIP LOCKED, so two instances never work on the same row; delivered_to keeps
-- the addresses already served, so a retry after a partial failure sends only to those still waiting.
create table notification_delivery (
    notification_id uuid        not null references notification (id) on delete cascade,
    channel         text        not null check (channel in ('mail', 'teams')),
    state           text        not null default 'PENDING' check (state in ('PENDING', 'DELIVERED', 'FAILED')),
    attempts        integer     not null default 0,
    next_attempt_at timestamptz not null,
    last_error      text,
    delivered_to    text[]      not null default '{}',
    delivered_at    timestamptz,
    primary key (notification_id, channel)
);
create index notification_delivery_due on notification_delivery (next_attempt_at) where state = 'PENDING';
