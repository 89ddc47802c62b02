-- Streaming the trail to SIEMs (issue 23): one row per configured sink holds how far the receiver has accepted
-- the trail (the durable cursor) and which instance may stream it now (a lease). The cursor moves only after the
-- receiver accepted a batch, and only while the lease is held, so a replica whose lease lapsed cannot move it
-- back or forward. Lease times come from the database's clock, the one clock every replica shares.
create table audit_siem_cursor (
    sink         text primary key check (sink ~ '^[a-z][a-z0-9-]{0,62}$'),
    last_seq     bigint      not null default 0 check (last_seq >= 0),
    updated_at   timestamptz not null default now(),
    holder       text,
    lease_until  timestamptz
);

-- The application streams, so it reads and moves cursors and takes leases; it never removes a sink's history.
do $$
begin
    if '${appRole}' <> current_user and exists (select 1 from pg_roles where rolname = '${appRole}') then
        execute format('revoke all on audit_siem_cursor from %I', '${appRole}');
        execute format('grant select, insert, update on audit_siem_cursor to %I', '${appRole}');
    end if;
end
$$;
