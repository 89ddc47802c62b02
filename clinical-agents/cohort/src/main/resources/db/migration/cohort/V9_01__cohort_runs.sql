-- The imaging cohort builder's runs and the progress of each step. A run's artifacts live in its folder
-- under warden.cohort.runs-dir; these rows say which runs exist, who asked for them and where they stand.
create table cohort_run (
    id            text        primary key,
    cohort        text        not null,
    agent_id      text        not null,
    dataset       text        not null,
    source_kind   text        not null check (source_kind in ('FOLDER', 'DICOMWEB')),
    source        text        not null,
    collection    text        not null,
    status        text        not null check (status in ('RUNNING', 'PUBLISHED', 'FAILED', 'REPLACED')),
    index_version bigint,
    instances     integer     not null default 0,
    series        integer     not null default 0,
    skipped       integer     not null default 0,
    message       text,
    requested_by  text        not null,
    started_at    timestamptz not null,
    finished_at   timestamptz
);
create index cohort_run_by_cohort on cohort_run (cohort, started_at desc);

create table cohort_run_step (
    run_id      text        not null references cohort_run (id) on delete cascade,
    step        text        not null,
    position    integer     not null,
    status      text        not null check (status in ('WAITING', 'RUNNING', 'DONE', 'FAILED')),
    done        integer     not null default 0,
    total       integer     not null default 0,
    started_at  timestamptz,
    finished_at timestamptz,
    message     text,
    primary key (run_id, step)
);
