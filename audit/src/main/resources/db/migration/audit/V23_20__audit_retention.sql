-- Retention and legal hold (issue 23). The trail stays append-only for the application: expired records leave
-- only through audit_remove_prefix, a function owned by the schema owner that checks for itself what the
-- application claims (an archive with its digest, a second person's approval, no hold, old enough), removes the
-- start of the chain only, and leaves a marker where the remaining chain starts.

-- Legal holds: a hold covers a record when every criterion it names matches (at least one is named).
create table audit_legal_hold (
    id          uuid primary key,
    agent_id    text,
    person_id   text,
    from_seq    bigint,
    to_seq      bigint,
    from_time   timestamptz,
    to_time     timestamptz,
    reason      text        not null,
    created_by  text        not null,
    created_at  timestamptz not null,
    released_by text,
    released_at timestamptz,
    check (agent_id is not null or person_id is not null or from_seq is not null or from_time is not null),
    check ((from_seq is null) = (to_seq is null) and (from_seq is null or from_seq <= to_seq)),
    check ((from_time is null) = (to_time is null) and (from_time is null or from_time <= to_time)),
    check ((released_by is null) = (released_at is null))
);

-- A signed archive of a prefix of the chain, written to the archive folder before anything is removed.
create table audit_archive (
    id           uuid primary key,
    first_seq    bigint      not null check (first_seq > 0),
    last_seq     bigint      not null,
    file         text        not null,
    sha256       bytea       not null check (length(sha256) = 32),
    events       bigint      not null,
    requested_by text        not null,
    created_at   timestamptz not null,
    check (first_seq <= last_seq)
);

-- The second person: a row here is the approval the function requires; the approver is never the requester.
create table audit_archive_approval (
    archive_id  uuid primary key references audit_archive (id),
    approved_by text        not null,
    approved_at timestamptz not null
);

-- Where the chain starts after a removal: the first remaining sequence and the hash it chains from, which the
-- checkpoint ending at anchor_seq signed (that checkpoint is kept; its signature is copied here too).
create table audit_chain_marker (
    first_seq   bigint primary key check (first_seq > 1),
    anchor_seq  bigint      not null check (anchor_seq = first_seq - 1),
    anchor_hash bytea       not null check (length(anchor_hash) = 32),
    key_id      text        not null,
    signature   bytea       not null,
    archive_id  uuid        not null unique references audit_archive (id),
    removed     bigint      not null,
    removed_at  timestamptz not null
);

create trigger audit_archive_append_only before update or delete on audit_archive
    for each row execute function audit_refuse_change();
create trigger audit_archive_approval_append_only before update or delete on audit_archive_approval
    for each row execute function audit_refuse_change();
create trigger audit_chain_marker_append_only before update or delete on audit_chain_marker
    for each row execute function audit_refuse_change();
create trigger audit_legal_hold_no_delete before delete on audit_legal_hold
    for each row execute function audit_refuse_change();

-- The append-only triggers now let exactly one thing through: a DELETE on the trail or its checkpoints by the
-- tables' owner while audit_remove_prefix runs (it sets warden.audit_removal for its own transaction). The
-- application role has no DELETE privilege at all, so this opens nothing to it.
create or replace function audit_refuse_change() returns trigger language plpgsql as $$
begin
    if tg_op = 'DELETE'
            and tg_table_name in ('audit_event', 'audit_checkpoint')
            and current_setting('warden.audit_removal', true) = 'on'
            and current_user = (select pg_get_userbyid(c.relowner) from pg_class c where c.oid = tg_relid) then
        return old;
    end if;
    raise exception 'the audit trail is append-only: % on % is refused', tg_op, tg_table_name
        using errcode = 'insufficient_privilege';
end;
$$;

-- Removes records first_seq..last_seq of an approved archive. Refusals carry SQLSTATE WA001..WA008 and a message
-- naming the reason; the application maps them to stable codes.
create function audit_remove_prefix(p_archive uuid, p_floor interval) returns bigint
    language plpgsql security definer set search_path = public, pg_temp as $$
declare
    v_archive    audit_archive%rowtype;
    v_approver   text;
    v_first      bigint;
    v_head       bigint;
    v_checkpoint audit_checkpoint%rowtype;
    v_young      bigint;
    v_held       uuid;
    v_removed    bigint;
    -- the shortest retention there is, whatever the application asks for: a caller cannot remove younger records
    c_floor constant interval := interval '365 days';
begin
    -- one removal at a time, and none while writers move the head
    select last_seq into v_head from audit_head where id = 1 for update;
    select * into v_archive from audit_archive where id = p_archive;
    if not found then
        raise exception 'no archive %: a range is removed only after it is archived', p_archive using errcode = 'WA001';
    end if;
    if exists (select 1 from audit_chain_marker where archive_id = p_archive) then
        raise exception 'archive % was removed already', p_archive using errcode = 'WA002';
    end if;
    select approved_by into v_approver from audit_archive_approval where archive_id = p_archive;
    if v_approver is null or v_approver = v_archive.requested_by then
        raise exception 'archive % has no approval by a second person', p_archive using errcode = 'WA003';
    end if;
    select coalesce(max(first_seq), 1) into v_first from audit_chain_marker;
    if v_archive.first_seq <> v_first then
        raise exception 'the chain starts at %, the archive at %: only the start of the chain is removed',
            v_first, v_archive.first_seq using errcode = 'WA004';
    end if;
    select * into v_checkpoint from audit_checkpoint where last_seq = v_archive.last_seq;
    if not found or v_archive.last_seq >= v_head then
        raise exception 'no signed checkpoint ends at %: the chain is cut only where a checkpoint signed it',
            v_archive.last_seq using errcode = 'WA005';
    end if;
    select count(*) into v_young from audit_event
     where seq between v_archive.first_seq and v_archive.last_seq
       and time > now() - greatest(c_floor, coalesce(p_floor, c_floor));
    if v_young > 0 then
        raise exception '% records in % to % are younger than the retention (at least %)',
            v_young, v_archive.first_seq, v_archive.last_seq, greatest(c_floor, coalesce(p_floor, c_floor))
            using errcode = 'WA006';
    end if;
    select h.id into v_held from audit_legal_hold h
     where h.released_at is null
       and exists (select 1 from audit_event e
                    where e.seq between v_archive.first_seq and v_archive.last_seq
                      and (h.agent_id is null or e.agent_id = h.agent_id)
                      and (h.person_id is null or e.actor_id = h.person_id or e.owner_id = h.person_id)
                      and (h.from_seq is null or e.seq between h.from_seq and h.to_seq)
                      and (h.from_time is null or e.time between h.from_time and h.to_time))
     limit 1;
    if v_held is not null then
        raise exception 'legal hold % covers records in % to %', v_held, v_archive.first_seq, v_archive.last_seq
            using errcode = 'WA007';
    end if;
    if (select count(*) from audit_event where seq between v_archive.first_seq and v_archive.last_seq)
            <> v_archive.events then
        raise exception 'the archive holds % records, the chain % in % to %', v_archive.events,
            (select count(*) from audit_event where seq between v_archive.first_seq and v_archive.last_seq),
            v_archive.first_seq, v_archive.last_seq using errcode = 'WA008';
    end if;

    perform set_config('warden.audit_removal', 'on', true);
    delete from audit_event where seq between v_archive.first_seq and v_archive.last_seq;
    get diagnostics v_removed = row_count;
    -- the checkpoint at the cut stays: its signature is what the remaining chain verifies from
    delete from audit_checkpoint where last_seq < v_archive.last_seq;
    perform set_config('warden.audit_removal', 'off', true);

    insert into audit_chain_marker (first_seq, anchor_seq, anchor_hash, key_id, signature, archive_id, removed,
                                    removed_at)
    values (v_archive.last_seq + 1, v_archive.last_seq, v_checkpoint.head_hash, v_checkpoint.key_id,
            v_checkpoint.signature, p_archive, v_removed, now());
    return v_archive.last_seq + 1;
end;
$$;

revoke all on function audit_remove_prefix(uuid, interval) from public;

do $$
begin
    if '${appRole}' <> current_user and exists (select 1 from pg_roles where rolname = '${appRole}') then
        execute format('revoke all on audit_archive, audit_archive_approval, audit_chain_marker from %I', '${appRole}');
        execute format('grant select, insert on audit_archive, audit_archive_approval to %I', '${appRole}');
        execute format('grant select on audit_chain_marker to %I', '${appRole}');
        execute format('revoke all on audit_legal_hold from %I', '${appRole}');
        execute format('grant select, insert on audit_legal_hold to %I', '${appRole}');
        execute format('grant update (released_by, released_at) on audit_legal_hold to %I', '${appRole}');
        execute format('grant execute on function audit_remove_prefix(uuid, interval) to %I', '${appRole}');
    end if;
end
$$;
