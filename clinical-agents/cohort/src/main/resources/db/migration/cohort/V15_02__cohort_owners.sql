-- Cohorts belong to the COHORT_BUILDER agent that made them, and builds read registered data sources.
-- A cohort's collection is unique across builders; a run replaces only earlier runs in its own cohort's collection.
create table cohort (
    collection text        primary key,
    name       text        not null,
    agent_id   text        not null,
    created_at timestamptz not null,
    unique (agent_id, name)
);

-- Upgrade: each cohort made before owners existed belongs to the builder of its published run (else its newest
-- run), and keeps its collection (cohort-<name>) so that agents searching it see no change.
insert into cohort (collection, name, agent_id, created_at)
select distinct on (r.collection) r.collection, r.cohort, r.agent_id,
       (select min(f.started_at) from cohort_run f where f.collection = r.collection)
from cohort_run r
order by r.collection, (r.status = 'PUBLISHED') desc, r.started_at desc;

-- The data source a run read; null for runs made before data sources were registered.
alter table cohort_run add column source_key text;
create index cohort_run_by_collection on cohort_run (collection, started_at desc);
