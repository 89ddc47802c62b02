-- Issue 21: a tool or data scope may oblige every call to wait for a person's approval of its exact arguments.
-- Existing rows keep serving calls as before (false); an admin marks them through the API.
alter table tool add column approval_required boolean not null default false;
alter table data_scope add column approval_required boolean not null default false;
