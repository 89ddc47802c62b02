-- Whoever holds the application's database credentials must not be able to plant a checkpoint key: a row
-- written here once made /audit/keys serve it and a forged export verify. The trusted keys now come from
-- configuration; this table is only history, readable by the application and written by no one but the
-- schema owner.
do $$
begin
    if '${appRole}' <> current_user and exists (select 1 from pg_roles where rolname = '${appRole}') then
        execute format('revoke all on audit_signing_key from %I', '${appRole}');
        execute format('grant select on audit_signing_key to %I', '${appRole}');
    end if;
end
$$;
