-- RFC 3161 time-stamp tokens over signed checkpoints: proof from an outside authority that a checkpoint
-- existed at a time, which whoever holds the database and the signing key cannot produce afterwards for a
-- rewritten history. A row of its own, written after the checkpoint commits, so a slow or absent
-- time-stamp authority never holds up an append. Append-only like the rest of the trail; no foreign key,
-- so that removing an expired range (retention) is one rule for checkpoints and their tokens alike.
create table audit_checkpoint_timestamp (
    last_seq   bigint primary key,
    authority  text        not null,
    gen_time   timestamptz not null,
    token      bytea       not null
);

create trigger audit_checkpoint_timestamp_append_only before update or delete on audit_checkpoint_timestamp
    for each row execute function audit_refuse_change();
create trigger audit_checkpoint_timestamp_no_truncate before truncate on audit_checkpoint_timestamp
    for each statement execute function audit_refuse_change();

do $$
begin
    if '${appRole}' <> current_user and exists (select 1 from pg_roles where rolname = '${appRole}') then
        execute format('revoke all on audit_checkpoint_timestamp from %I', '${appRole}');
        execute format('grant select, insert on audit_checkpoint_timestamp to %I', '${appRole}');
    end if;
end
$$;
