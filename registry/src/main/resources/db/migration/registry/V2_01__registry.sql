-- The agent registry and the local directory of people. Owned by the registry module.
-- Migration versions are allocated across modules as V<issue>_<sequence>; see docs/architecture.md.

create table directory_user (
    id                  text primary key,
    user_principal_name text not null unique,
    display_name        text not null,
    mail                text,
    account_enabled     boolean not null default true,
    deleted             boolean not null default false,
    manager_id          text references directory_user (id),
    updated_at          timestamptz not null
);

create table data_scope (
    key              text primary key check (key ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
    display_name     text not null,
    description      text not null default '',
    sensitivity      text not null check (sensitivity in ('PUBLIC', 'INTERNAL', 'CONFIDENTIAL', 'HIGHLY_CONFIDENTIAL')),
    phi              boolean not null,
    deidentified     boolean not null,
    allowed_purposes text[] not null,
    demo             boolean not null default false,
    created_at       timestamptz not null,
    updated_at       timestamptz not null,
    version          bigint not null check (version > 0),
    constraint data_scope_phi_or_deidentified check (not (phi and deidentified))
);

create table tool (
    key             text primary key check (key ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
    display_name    text not null,
    description     text not null default '',
    backend         text not null,
    required_scopes text[] not null,
    max_k           integer not null check (max_k between 1 and 10000),
    sensitivity     text not null check (sensitivity in ('PUBLIC', 'INTERNAL', 'CONFIDENTIAL', 'HIGHLY_CONFIDENTIAL')),
    demo            boolean not null default false,
    created_at      timestamptz not null,
    updated_at      timestamptz not null,
    version         bigint not null check (version > 0)
);

create table agent (
    id                  uuid primary key,
    name                text not null,
    kind                text not null check (kind in ('RETRIEVAL', 'RAG_CLASSIFIER', 'COHORT_BUILDER', 'ORCHESTRATOR_SPECIALIST')),
    purpose             text not null,
    status              text not null check (status in ('DRAFT', 'PENDING_APPROVAL', 'ACTIVE', 'SUSPENDED', 'RETIRED')),
    owner_id            text not null references directory_user (id),
    client_id           text unique,
    model_name          text,
    model_version       text,
    embedding_dimension integer check (embedding_dimension > 0),
    risk_tier           text not null check (risk_tier in ('LOW', 'MODERATE', 'HIGH')),
    requested_scopes    text[] not null,
    requested_tools     text[] not null,
    data_scopes         text[] not null,
    tools               text[] not null,
    demo                boolean not null default false,
    created_by          text not null,
    created_at          timestamptz not null,
    updated_at          timestamptz not null,
    approved_at         timestamptz,
    last_active_at      timestamptz,
    recertify_by        timestamptz,
    version             bigint not null check (version > 0)
);

-- Names are unique among agents that still exist; a retired agent's name may be reused.
create unique index agent_live_name on agent (lower(name)) where status <> 'RETIRED';
create index agent_status on agent (status);
create index agent_owner on agent (owner_id);
create index agent_kind on agent (kind);
create index agent_data_scopes on agent using gin (data_scopes);
create index agent_created on agent (created_at desc, id);

create table approval (
    id                  uuid primary key,
    agent_id            uuid not null references agent (id),
    kind                text not null check (kind in ('REGISTRATION', 'CHANGE')),
    status              text not null check (status in ('PENDING', 'APPROVED', 'REJECTED', 'WITHDRAWN')),
    add_scopes          text[] not null,
    remove_scopes       text[] not null,
    add_tools           text[] not null,
    remove_tools        text[] not null,
    justification       text not null,
    requires_compliance boolean not null,
    requested_by        text not null,
    requested_at        timestamptz not null,
    decided_by          text,
    decided_at          timestamptz,
    decision_reason     text,
    version             bigint not null check (version > 0),
    -- segregation of duties, enforced by the database as well as by the code
    constraint approval_not_self_decided check (status = 'WITHDRAWN' or decided_by is null or decided_by <> requested_by)
);

-- At most one open approval per agent: a second request waits for the first decision.
create unique index approval_one_pending on approval (agent_id) where status = 'PENDING';
create index approval_status on approval (status, requested_at);

create table idempotency_key (
    actor_id     text not null,
    operation    text not null,
    key          text not null,
    request_hash text not null,
    resource_id  text not null,
    created_at   timestamptz not null,
    primary key (actor_id, operation, key)
);
