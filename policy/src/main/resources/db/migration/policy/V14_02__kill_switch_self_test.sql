-- Kill-switch self-tests: each run engages a TOOL switch on the canary tool and records, per live instance, when
-- its gateway refused the canary and when it served it again after the release. The runs and results are the
-- history the kill-switch page shows; the audit trail holds the same results, signed into its chain.
create table self_test_run (
    id          uuid primary key,
    started_by  text        not null,
    started_at  timestamptz not null,
    engaged_at  timestamptz,
    released_at timestamptz,
    finished_at timestamptz,
    passed      boolean
);

create index self_test_run_started on self_test_run (started_at desc);

create table self_test_result (
    run_id        uuid        not null references self_test_run (id) on delete cascade,
    instance_id   text        not null,
    instance_name text        not null,
    armed_at      timestamptz,
    refused_at    timestamptz,
    recovered_at  timestamptz,
    problem       text,
    primary key (run_id, instance_id)
);
