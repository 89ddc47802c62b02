-- Warden connects as its application role (placeholder appRole; warden_app in the embedded database),
-- while migrations run as the schema owner. The application role gets plain read and write on every
-- table, now and later; the audit trail's own tables are narrowed to SELECT and INSERT in V3_02.
-- Nothing happens when the application and migration roles are the same, or the role does not exist.
do $$
begin
    if '${appRole}' <> current_user and exists (select 1 from pg_roles where rolname = '${appRole}') then
        execute format('grant usage on schema public to %I', '${appRole}');
        execute format('grant select, insert, update, delete on all tables in schema public to %I', '${appRole}');
        execute format('grant usage, select on all sequences in schema public to %I', '${appRole}');
        execute format('alter default privileges in schema public grant select, insert, update, delete on tables to %I', '${appRole}');
        execute format('alter default privileges in schema public grant usage, select on sequences to %I', '${appRole}');
    end if;
end
$$;
