-- Tools have backends (issue 18): a service built into Warden (the retrieval tools), a tool of an upstream MCP
-- server, or one JSON-over-HTTP operation. Upstream hosts must be on the egress allowlist. Owned by the registry.
-- The application role gets read and write on these tables through the default privileges of V3_00 (audit).

-- An upstream MCP server, reached over Streamable HTTP. Secrets are stored by name only: the value lives in the
-- secret store, never in the database.
create table mcp_server (
    key           text primary key check (key ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
    display_name  text        not null check (length(display_name) between 1 and 200),
    url           text        not null check (url ~ '^https?://' and length(url) <= 2000),
    auth_kind     text        not null check (auth_kind in ('NONE', 'BEARER', 'CLIENT_CREDENTIALS')),
    auth_secret   text check (auth_secret ~ '^[A-Za-z0-9._-]{1,200}$'),
    token_url     text check (token_url ~ '^https?://' and length(token_url) <= 2000),
    client_id     text check (length(client_id) between 1 and 500),
    scope         text check (length(scope) <= 1000),
    phi_approved  boolean     not null,
    created_by    text        not null,
    created_at    timestamptz not null,
    updated_at    timestamptz not null,
    version       bigint      not null check (version > 0),
    constraint mcp_server_auth check (case auth_kind
        when 'NONE' then auth_secret is null and token_url is null and client_id is null and scope is null
        when 'BEARER' then auth_secret is not null and token_url is null and client_id is null and scope is null
        else auth_secret is not null and token_url is not null and client_id is not null
    end)
);

-- The hosts Warden may call out to: an exact host name (or IP literal), or '*.suffix' for every host under a
-- domain. allow_private lets the entry's host resolve to loopback, private or link-local addresses.
create table egress_host (
    host          text primary key
                  check (host = lower(host) and length(host) between 1 and 253 and host !~ '[/@?#\s]'
                         and (host !~ '\*' or host ~ '^\*\.[^*]+$')),
    allow_private boolean     not null,
    reason        text        not null check (length(reason) between 1 and 2000),
    created_by    text        not null,
    created_at    timestamptz not null
);

alter table tool add column backend_kind text not null default 'BUILTIN'
    check (backend_kind in ('BUILTIN', 'MCP', 'HTTP'));
alter table tool add column mcp_server text references mcp_server (key);
alter table tool add column upstream_tool text check (length(upstream_tool) between 1 and 200);
alter table tool add column http_method text check (http_method in ('GET', 'POST', 'PUT', 'PATCH', 'DELETE'));
alter table tool add column http_url_template text check (http_url_template ~ '^https?://' and length(http_url_template) <= 2000);
alter table tool add column http_timeout_ms integer check (http_timeout_ms between 1 and 300000);
alter table tool add column http_max_response_bytes integer check (http_max_response_bytes between 1 and 67108864);
alter table tool add column http_bearer_secret text check (http_bearer_secret ~ '^[A-Za-z0-9._-]{1,200}$');
alter table tool add column http_phi_approved boolean not null default false;
alter table tool add column input_schema text not null default '';
alter table tool add column data_scopes text[] not null default '{}';
alter table tool add column store_payloads boolean not null default false;
-- Each kind has its own columns and no other's: a row cannot say two things about where its calls go.
alter table tool add constraint tool_backend_columns check (case backend_kind
    when 'BUILTIN' then mcp_server is null and upstream_tool is null and http_method is null
        and http_url_template is null and http_timeout_ms is null and http_max_response_bytes is null
        and http_bearer_secret is null and not http_phi_approved
    when 'MCP' then mcp_server is not null and upstream_tool is not null and http_method is null
        and http_url_template is null and http_timeout_ms is null and http_max_response_bytes is null
        and http_bearer_secret is null and not http_phi_approved
    else mcp_server is null and upstream_tool is null and http_method is not null
        and http_url_template is not null and http_timeout_ms is not null and http_max_response_bytes is not null
end);
create index tool_mcp_server on tool (mcp_server) where mcp_server is not null;

-- A tool row's changes are already numbered for the gateway by tool_policy_changed (policy V14_01). An MCP tool's
-- PHI approval and address come from its server's row, and a host leaving the allowlist narrows where calls may
-- go, so those changes are numbered and announced too. The function is the policy module's: where it is absent
-- (the registry's own tests run without the policy module) there is no gateway to tell.
do $$
begin
    if exists (select 1 from pg_proc where proname = 'warden_policy_changed') then
        create trigger mcp_server_policy_changed after update on mcp_server for each row
            when (old.url is distinct from new.url or old.phi_approved is distinct from new.phi_approved
                  or old.auth_kind is distinct from new.auth_kind or old.auth_secret is distinct from new.auth_secret
                  or old.token_url is distinct from new.token_url or old.client_id is distinct from new.client_id
                  or old.scope is distinct from new.scope)
            execute function warden_policy_changed();
        create trigger mcp_server_policy_removed after delete on mcp_server
            for each row execute function warden_policy_changed();
        create trigger egress_host_policy_changed after insert or update or delete on egress_host
            for each row execute function warden_policy_changed();
    end if;
end
$$;
