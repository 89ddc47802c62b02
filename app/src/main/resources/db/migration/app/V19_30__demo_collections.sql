-- The demo collections Warden built from the data it ships: which version of the shipped data (and text model)
-- each current collection was built from, so a restart rebuilds only when that changed.
create table demo_collection (
    name               text        primary key,
    source_digest      text        not null,
    collection_version bigint      not null,
    items              integer     not null check (items > 0),
    built_at           timestamptz not null
);
