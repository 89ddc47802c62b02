-- The embedded OpenID provider (Spring Authorization Server): registered clients, issued authorizations,
-- the token-signing key, and the local accounts people sign in with. Unused when the issuer is Entra ID.
-- Table layouts follow Spring Authorization Server's JDBC schema, with PostgreSQL types (text, timestamptz).

create table oauth2_registered_client (
    id                            varchar(100)  not null primary key,
    client_id                     varchar(100)  not null unique,
    client_id_issued_at           timestamptz   not null default current_timestamp,
    client_secret                 varchar(200),
    client_secret_expires_at      timestamptz,
    client_name                   varchar(200)  not null,
    client_authentication_methods varchar(1000) not null,
    authorization_grant_types     varchar(1000) not null,
    redirect_uris                 varchar(1000),
    post_logout_redirect_uris     varchar(1000),
    scopes                        varchar(1000) not null,
    client_settings               varchar(2000) not null,
    token_settings                varchar(2000) not null
);

create table oauth2_authorization (
    id                            varchar(100) not null primary key,
    registered_client_id          varchar(100) not null,
    principal_name                varchar(200) not null,
    authorization_grant_type      varchar(100) not null,
    authorized_scopes             varchar(1000),
    attributes                    text,
    state                         varchar(500),
    authorization_code_value      text,
    authorization_code_issued_at  timestamptz,
    authorization_code_expires_at timestamptz,
    authorization_code_metadata   text,
    access_token_value            text,
    access_token_issued_at        timestamptz,
    access_token_expires_at       timestamptz,
    access_token_metadata         text,
    access_token_type             varchar(100),
    access_token_scopes           varchar(1000),
    oidc_id_token_value           text,
    oidc_id_token_issued_at       timestamptz,
    oidc_id_token_expires_at      timestamptz,
    oidc_id_token_metadata        text,
    refresh_token_value           text,
    refresh_token_issued_at       timestamptz,
    refresh_token_expires_at      timestamptz,
    refresh_token_metadata        text,
    user_code_value               text,
    user_code_issued_at           timestamptz,
    user_code_expires_at          timestamptz,
    user_code_metadata            text,
    device_code_value             text,
    device_code_issued_at         timestamptz,
    device_code_expires_at        timestamptz,
    device_code_metadata          text
);

create index oauth2_authorization_state on oauth2_authorization (state);
create index oauth2_authorization_code on oauth2_authorization (md5(authorization_code_value));
create index oauth2_authorization_expiry on oauth2_authorization (access_token_expires_at);

create table idp_signing_key (
    kid        text primary key,
    jwk        text        not null,
    active     boolean     not null,
    created_at timestamptz not null
);

create unique index idp_signing_key_one_active on idp_signing_key (active) where active;

create table local_account (
    username          text primary key,
    password_hash     text    not null,
    directory_user_id text    not null unique references directory_user (id),
    roles             text[]  not null,
    enabled           boolean not null default true,
    demo              boolean not null default false
);
