-- Every committed change to the rules admins tune (the rule fields of data scopes and tools: io.warden.policy.PolicyData)
-- is kept as a version, numbered like the change itself (policy_change.seq, V14_01), so that each decision can name
-- the version it was made on and a candidate can be compared with what was in force. The database writes the rows,
-- for the same reason as V14_01's numbering: a change made by any path (the API, a workflow, a SQL prompt) is a
-- version. A deferred constraint trigger runs at commit, once the transaction's changes are final, and records one
-- version per transaction, only when the content differs from the newest version (a renamed scope is no new rule).
-- Numbers come in commit order: the changing transaction holds policy_version's row until it ends.
create table policy_data_version (
    version     bigint primary key check (version >= 0),
    data        jsonb       not null,
    sha256      text        not null check (sha256 ~ '^[0-9a-f]{64}$'),
    recorded_at timestamptz not null
);

-- The rules in force, in PolicyData's JSON form: purposes and scopes sorted, so equal rules are equal documents.
create function warden_policy_data() returns jsonb language sql stable set search_path from current as $$
select jsonb_build_object(
    'dataScopes', coalesce((select jsonb_object_agg(s.key, jsonb_build_object(
            'sensitivity', s.sensitivity,
            'phi', s.phi,
            'deidentified', s.deidentified,
            'allowedPurposes', to_jsonb(array(select distinct p from unnest(s.allowed_purposes) p order by p)),
            'deidentifyFor', to_jsonb(array(select distinct p from unnest(s.deidentify_for) p order by p)),
            'approvalRequired', s.approval_required)) from data_scope s), '{}'::jsonb),
    'tools', coalesce((select jsonb_object_agg(t.key, jsonb_build_object(
            'maxK', t.max_k,
            'requiredScopes', to_jsonb(array(select distinct r from unnest(t.required_scopes) r order by r)),
            'sensitivity', t.sensitivity,
            'approvalRequired', t.approval_required)) from tool t), '{}'::jsonb))
$$;

-- SECURITY DEFINER: the application role may only read the versions (below), yet its own changes must still be
-- recorded. The function does nothing a caller chooses: it records what the tables hold.
create function warden_policy_data_recorded() returns trigger language plpgsql security definer
    set search_path from current as $$
declare
    change bigint;
    rules  jsonb;
begin
    select seq into change from policy_change where txid = txid_current();
    -- one look per transaction: every changed row of it fires this trigger at commit
    if change is null or current_setting('warden.policy_data_checked', true) = change::text then
        return null;
    end if;
    perform set_config('warden.policy_data_checked', change::text, true);
    rules := warden_policy_data();
    if exists (select 1 from policy_data_version where version = change)
       or rules = (select data from policy_data_version order by version desc limit 1) then
        return null;
    end if;
    insert into policy_data_version (version, data, sha256, recorded_at)
    values (change, rules, encode(sha256(convert_to(rules::text, 'UTF8')), 'hex'), clock_timestamp());
    return null;
end
$$;

create constraint trigger data_scope_policy_data after insert or update or delete on data_scope
    deferrable initially deferred for each row execute function warden_policy_data_recorded();
create constraint trigger tool_policy_data after insert or update or delete on tool
    deferrable initially deferred for each row execute function warden_policy_data_recorded();

-- The first version: the rules in force when this migration ran, numbered with the newest change.
insert into policy_data_version (version, data, sha256, recorded_at)
select n, d, encode(sha256(convert_to(d::text, 'UTF8')), 'hex'), clock_timestamp()
from policy_version, warden_policy_data() d;

-- History is never rewritten, by anyone: a version that changed after decisions named it would make them unreadable.
create function policy_data_version_refuse_change() returns trigger language plpgsql as $$
begin
    raise exception 'policy versions are append-only: % on % is refused', tg_op, tg_table_name
        using errcode = 'insufficient_privilege';
end
$$;
create trigger policy_data_version_append_only before update or delete on policy_data_version
    for each row execute function policy_data_version_refuse_change();
create trigger policy_data_version_no_truncate before truncate on policy_data_version
    for each statement execute function policy_data_version_refuse_change();

-- The application role reads versions; only the trigger above (as the schema owner) writes them.
do $$
begin
    if '${appRole}' <> current_user and exists (select 1 from pg_roles where rolname = '${appRole}') then
        execute format('revoke all on policy_data_version from %I', '${appRole}');
        execute format('grant select on policy_data_version to %I', '${appRole}');
    end if;
end
$$;
