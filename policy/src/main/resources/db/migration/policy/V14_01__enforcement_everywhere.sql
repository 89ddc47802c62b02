-- Kill-switch targets are resolved when engaged: an AGENT switch stores the agent's id, and keeps its name and
-- client id as they were then, so people see what was stopped. Switches stored before targets were resolved
-- named an agent by its client id: they are moved to the agent's id where one matches (unless the agent already
-- has an active switch by id); those that match nothing stay as they are, are still enforced, and are reported.
alter table kill_switch add column target_name text;
alter table kill_switch add column target_client_id text;

update kill_switch k set target = a.id::text, target_name = a.name, target_client_id = a.client_id
from agent a
where k.scope = 'AGENT' and k.target = a.client_id
  and not exists (select 1 from kill_switch other
                  where other.scope = 'AGENT' and other.target = a.id::text and other.active and k.active);

update kill_switch k set target_name = a.name, target_client_id = a.client_id
from agent a
where k.scope = 'AGENT' and k.target = a.id::text and k.target_name is null;

update kill_switch k set target_name = t.display_name from tool t where k.scope = 'TOOL' and k.target = t.key;
update kill_switch k set target_name = d.display_name from data_scope d where k.scope = 'DATASET' and k.target = d.key;

-- Every change to what the gateway caches (an agent's status, grants, owner or identity; a tool; a data scope; a
-- person's account) is numbered, once per transaction, by triggers on the tables themselves, and announced on
-- warden_policy_change when that transaction commits. Triggers rather than application events: a change made by
-- any path (the API, a workflow, the directory mirror, a person with a SQL prompt) reaches every gateway.
-- The number comes from the one-row counter policy_version, whose row the changing transaction keeps locked until
-- it ends: numbers are therefore taken in commit order, and an instance that has read number n knows that every
-- change numbered n or less is committed (a sequence would not: a change numbered 10 could commit after one
-- numbered 11, and an instance that applied 11 would never look at 10 again). Changes to policy data are rare,
-- so serialising them costs nothing the gateway feels. Each instance drops its caches when it hears of a change
-- (or when it reconciles) and records the number it has applied in gateway_instance, so that the request that
-- made the change can wait until every live instance has it.
create table policy_version (
    id boolean primary key default true check (id),
    n  bigint  not null
);
insert into policy_version (id, n) values (true, 0);

create table policy_change (
    seq     bigint primary key,
    txid    bigint      not null unique,
    kind    text        not null,
    at      timestamptz not null default now()
);

create function warden_policy_changed() returns trigger language plpgsql as $$
declare
    next bigint;
begin
    if not exists (select 1 from policy_change where txid = txid_current()) then
        update policy_version set n = n + 1 returning n into next;
        insert into policy_change (seq, txid, kind) values (next, txid_current(), tg_table_name);
        perform pg_notify('warden_policy_change', '');
    end if;
    return null;
end
$$;

create trigger agent_policy_changed after update on agent for each row
    when (old.status is distinct from new.status or old.data_scopes is distinct from new.data_scopes
          or old.tools is distinct from new.tools or old.owner_id is distinct from new.owner_id
          or old.client_id is distinct from new.client_id)
    execute function warden_policy_changed();
create trigger agent_policy_removed after delete on agent for each row execute function warden_policy_changed();
create trigger data_scope_policy_changed after insert or update or delete on data_scope
    for each row execute function warden_policy_changed();
create trigger tool_policy_changed after insert or update or delete on tool
    for each row execute function warden_policy_changed();
create trigger directory_user_policy_changed after update on directory_user for each row
    when (old.account_enabled is distinct from new.account_enabled or old.deleted is distinct from new.deleted)
    execute function warden_policy_changed();

alter table gateway_instance add column name text;
alter table gateway_instance add column applied_change bigint not null default 0;
