-- The application role may read and append to the audit trail, nothing else: no UPDATE, DELETE or
-- TRUNCATE (the triggers of V3_01 refuse those to everyone else). It may move the chain's head row.
do $$
begin
    if '${appRole}' <> current_user and exists (select 1 from pg_roles where rolname = '${appRole}') then
        execute format('revoke all on audit_event, audit_checkpoint, audit_signing_key from %I', '${appRole}');
        execute format('grant select, insert on audit_event, audit_checkpoint, audit_signing_key to %I', '${appRole}');
        execute format('revoke all on audit_head from %I', '${appRole}');
        execute format('grant select, update on audit_head to %I', '${appRole}');
    end if;
end
$$;
