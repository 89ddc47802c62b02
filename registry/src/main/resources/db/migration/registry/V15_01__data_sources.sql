-- The data sources builders read: archive folders and DICOMweb servers, each bound to exactly one data scope,
-- which gives it its sensitivity and PHI flag. Owned by the registry module.
create table data_source (
    key          text primary key check (key ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
    display_name text        not null,
    kind         text        not null check (kind in ('FOLDER', 'DICOMWEB')),
    location     text        not null,
    scope_key    text        not null references data_scope (key),
    created_at   timestamptz not null,
    updated_at   timestamptz not null,
    version      bigint      not null,
    unique (kind, location)
);
