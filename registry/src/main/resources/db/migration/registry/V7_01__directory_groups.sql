-- Groups of the local directory and their members: people, or other groups (nested membership).
-- Entra ID's groups are read through Graph instead.
create table directory_group (
    id           text primary key,
    display_name text        not null,
    updated_at   timestamptz not null
);

create table directory_group_member (
    group_id  text not null references directory_group (id) on delete cascade,
    member_id text not null, -- a directory_user's id, or another directory_group's id
    primary key (group_id, member_id)
);
create index directory_group_member_member on directory_group_member (member_id);
