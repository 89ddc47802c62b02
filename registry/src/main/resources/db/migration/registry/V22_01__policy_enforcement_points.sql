-- Policy enforcement points (issue 22) are registered as agents of their own kind.
alter table agent drop constraint agent_kind_check;
alter table agent add constraint agent_kind_check
    check (kind in ('RETRIEVAL', 'RAG_CLASSIFIER', 'COHORT_BUILDER', 'ORCHESTRATOR_SPECIALIST', 'POLICY_ENFORCEMENT_POINT'));
