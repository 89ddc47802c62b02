-- Governed collections: the catalog every instance reads before a search, the versions each build writes, a build's
-- committed progress (so a stopped build resumes after its last committed position) and the items it refused.

create table collection (
    name            varchar(63)  primary key,
    display_name    varchar(200) not null,
    data_scope      varchar(63)  not null,
    modality        varchar(10)  not null check (modality in ('TEXT', 'IMAGE', 'VOLUME')),
    embedding_model varchar(200) not null,
    index_kind      varchar(10)  not null check (index_kind in ('FLAT', 'HNSW', 'HNSW_INT8')),
    dimension       integer      not null check (dimension between 1 and 8192),
    deidentified    boolean      not null,
    label_field     varchar(63)  not null default 'label',
    status          varchar(10)  not null default 'ACTIVE' check (status in ('ACTIVE', 'RETIRED')),
    -- 0 until a first version is current; switched in the same transaction that marks the version READY
    current_version bigint       not null default 0,
    -- API: filled by collection builds; COHORT: a cohort run's collection, whose versions cohort runs publish
    managed_by      varchar(10)  not null default 'API' check (managed_by in ('API', 'COHORT')),
    created_by      varchar(200) not null,
    created_at      timestamptz  not null,
    retired_by      varchar(200),
    retired_at      timestamptz,
    retire_reason   varchar(1000)
);

create index collection_by_scope on collection (data_scope);

create table collection_upload (
    id          varchar(64)  primary key,
    collection  varchar(63)  not null references collection (name),
    bytes       bigint       not null,
    sha256      varchar(64)  not null,
    created_by  varchar(200) not null,
    created_at  timestamptz  not null
);

create table collection_version (
    collection         varchar(63)   not null references collection (name),
    version            bigint        not null check (version >= 1),
    state              varchar(12)   not null check (state in ('BUILDING', 'READY', 'FAILED', 'SUPERSEDED')),
    source_kind        varchar(40)   not null,
    -- what the build reads: upload ids, or the version and item an item removal starts from (JSON)
    source             text          not null,
    storage_path       varchar(1000) not null,
    total              bigint        not null default -1,
    processed          bigint        not null default 0,
    accepted           bigint        not null default 0,
    rejected           bigint        not null default 0,
    -- the last position whose item (accepted or refused) is committed; -1 before the first batch
    committed_position bigint        not null default -1,
    item_count         bigint        not null default 0,
    created_by         varchar(200)  not null,
    created_at         timestamptz   not null,
    finished_at        timestamptz,
    reason             varchar(1000),
    error              varchar(2000),
    primary key (collection, version)
);

create table collection_rejection (
    collection varchar(63)   not null,
    version    bigint        not null,
    position   bigint        not null,
    reference  varchar(300)  not null,
    code       varchar(60)   not null,
    reason     varchar(1000) not null,
    primary key (collection, version, position),
    foreign key (collection, version) references collection_version (collection, version)
);

create table collection_evaluation (
    id         varchar(64)  primary key,
    collection varchar(63)  not null,
    version    bigint       not null,
    created_by varchar(200) not null,
    created_at timestamptz  not null,
    settings   text         not null,
    top1       double precision not null,
    result     text         not null,
    foreign key (collection, version) references collection_version (collection, version)
);

-- a data scope's evaluation gate: a RAG_CLASSIFIER agent holding the scope is approved only when one of the scope's
-- collections has a current version evaluated at or above this Top-1 accuracy
create table collection_scope_gate (
    data_scope varchar(63)  primary key,
    min_top1   double precision not null check (min_top1 between 0 and 1),
    set_by     varchar(200) not null,
    set_at     timestamptz  not null
);
