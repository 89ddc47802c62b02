-- Failed sign-ins on the embedded provider's form, per account ('account:<name as typed>') and per client
-- address ('address:<ip>'). Kept in PostgreSQL so that every replica refuses during the same backoff.
create table sign_in_throttle (
    key             text primary key,
    failures        integer     not null check (failures > 0),
    last_failure_at timestamptz not null,
    blocked_until   timestamptz
);

create index sign_in_throttle_last_failure on sign_in_throttle (last_failure_at);
