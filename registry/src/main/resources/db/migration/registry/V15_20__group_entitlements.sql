-- Which directory groups may read which data scopes, and under which purposes of use. People's entitlements
-- are computed from these rows and the groups the directory says a person belongs to.
create table group_entitlement (
    id          uuid primary key,
    group_id    text        not null check (length(group_id) between 1 and 200),
    group_name  text        not null,
    scope_key   text        not null references data_scope (key),
    purposes    text[]      not null check (cardinality(purposes) > 0),
    created_at  timestamptz not null,
    updated_at  timestamptz not null,
    updated_by  text        not null,
    version     bigint      not null,
    unique (group_id, scope_key)
);
create index group_entitlement_group on group_entitlement (group_id);
