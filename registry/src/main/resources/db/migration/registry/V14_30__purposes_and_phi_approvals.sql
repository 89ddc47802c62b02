-- Purposes of use granted per agent, de-identification per purpose on data scopes, PHI approval per agent
-- and scope, and the owners an approval may not be decided by. Owned by the registry module.

-- A data scope may require de-identification for some of its allowed purposes (none by default).
alter table data_scope add column deidentify_for text[] not null default '{}';
alter table data_scope add constraint data_scope_deidentify_for_allowed check (deidentify_for <@ allowed_purposes);

-- Purposes of use are granted per agent, requested and approved like scopes. Existing agents are granted
-- the purposes their data scopes allow, and have requested those their requested scopes allow, so that a
-- deployment keeps working as before the upgrade.
alter table agent add column requested_purposes text[] not null default '{}';
alter table agent add column purposes_of_use text[] not null default '{}';

update agent a set
    purposes_of_use = array(select distinct p from data_scope s cross join unnest(s.allowed_purposes) p
                            where s.key = any(a.data_scopes) order by p),
    requested_purposes = array(select distinct p from data_scope s cross join unnest(s.allowed_purposes) p
                               where s.key = any(a.requested_scopes) order by p);

alter table agent alter column requested_purposes drop default;
alter table agent alter column purposes_of_use drop default;

-- Approvals add and remove purposes too, and remember every owner of the agent since they were requested.
alter table approval add column add_purposes text[] not null default '{}';
alter table approval add column remove_purposes text[] not null default '{}';
alter table approval add column owners_since_request text[] not null default '{}';

-- What still waits (a pending approval, or an approved registration not yet activated) grants the purposes
-- its scopes allow, as the agents' grants above do. Decided approvals keep what they decided.
update approval ap set add_purposes = array(
        select distinct p from data_scope s cross join unnest(s.allowed_purposes) p
        where s.key = any(ap.add_scopes) and not (p = any(g.purposes_of_use)) order by p)
    from agent g
    where g.id = ap.agent_id
      and (ap.status = 'PENDING' or (ap.kind = 'REGISTRATION' and ap.status = 'APPROVED' and g.status = 'PENDING_APPROVAL'));

-- The owner at request time of an approval still waiting is its agent's owner now (the owner could not
-- change without this column knowing it until now). Who owned an agent when a decided approval was asked
-- for was not recorded; those stay empty rather than guessed.
update approval ap set owners_since_request = array[g.owner_id]
    from agent g
    where g.id = ap.agent_id and ap.status = 'PENDING';

alter table approval alter column add_purposes drop default;
alter table approval alter column remove_purposes drop default;
alter table approval alter column owners_since_request drop default;

-- segregation of duties, enforced by the database as well as by the code
alter table approval add constraint approval_not_owner_decided
    check (status in ('PENDING', 'WITHDRAWN') or decided_by is null or not (decided_by = any(owners_since_request)));

-- A compliance officer approved this agent to read this scope as PHI. A scope reclassified as PHI later is
-- not in here for the agents that already hold it: they read it as PHI only after a new approval.
create table agent_phi_approval (
    agent_id    uuid not null references agent (id),
    scope_key   text not null references data_scope (key),
    approval_id uuid not null references approval (id),
    approved_by text not null,
    approved_at timestamptz not null,
    primary key (agent_id, scope_key)
);

-- Carry over the PHI grants compliance approved. Roles live in tokens, not in the database, so the one
-- durable proof that a COMPLIANCE officer decided an approval is requires_compliance: the code refused
-- every other approver of such an approval. For each PHI scope an agent holds (or, before activation, was
-- approved to hold), the latest approved approval that added the scope must be one of those; otherwise the
-- agent loses PHI access to the scope until compliance approves it.
insert into agent_phi_approval (agent_id, scope_key, approval_id, approved_by, approved_at)
select latest.agent_id, latest.scope_key, latest.approval_id, latest.decided_by, latest.decided_at
from (
    select distinct on (g.id, s.key)
           g.id as agent_id, s.key as scope_key, ap.id as approval_id, ap.decided_by, ap.decided_at,
           ap.requires_compliance
    from agent g
    join data_scope s on s.phi
         and ((g.status <> 'PENDING_APPROVAL' and s.key = any(g.data_scopes))
              or (g.status = 'PENDING_APPROVAL' and s.key = any(g.requested_scopes)))
    join approval ap on ap.agent_id = g.id and ap.status = 'APPROVED' and s.key = any(ap.add_scopes)
    order by g.id, s.key, ap.decided_at desc nulls last, ap.requested_at desc
) latest
where latest.requires_compliance and latest.decided_by is not null and latest.decided_at is not null;
