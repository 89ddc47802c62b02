-- The embedded provider's secrets at rest (issue 16, point 4).
--
-- Token values: from now on oauth2_authorization holds 'sha256:' and the hex SHA-256 of each value, never the value
-- (HashedTokenAuthorizationService computes the same). Values earlier versions stored in clear are hashed here, so
-- that nothing read from this table can be presented as a code or token; lookups by the presented value keep working.
update oauth2_authorization set authorization_code_value = 'sha256:' || encode(sha256(convert_to(authorization_code_value, 'UTF8')), 'hex')
    where authorization_code_value is not null and authorization_code_value not like 'sha256:%';
update oauth2_authorization set access_token_value = 'sha256:' || encode(sha256(convert_to(access_token_value, 'UTF8')), 'hex')
    where access_token_value is not null and access_token_value not like 'sha256:%';
update oauth2_authorization set oidc_id_token_value = 'sha256:' || encode(sha256(convert_to(oidc_id_token_value, 'UTF8')), 'hex')
    where oidc_id_token_value is not null and oidc_id_token_value not like 'sha256:%';
update oauth2_authorization set refresh_token_value = 'sha256:' || encode(sha256(convert_to(refresh_token_value, 'UTF8')), 'hex')
    where refresh_token_value is not null and refresh_token_value not like 'sha256:%';
update oauth2_authorization set user_code_value = 'sha256:' || encode(sha256(convert_to(user_code_value, 'UTF8')), 'hex')
    where user_code_value is not null and user_code_value not like 'sha256:%';
update oauth2_authorization set device_code_value = 'sha256:' || encode(sha256(convert_to(device_code_value, 'UTF8')), 'hex')
    where device_code_value is not null and device_code_value not like 'sha256:%';

-- The signing key: from now on idp_signing_key.jwk holds the private JWK sealed with AES-256-GCM under a
-- key-encryption key kept outside the database (format warden-kek-v1, bound to the row's kid). The keys earlier
-- versions stored in clear are listed here, so that the next start seals exactly those in place; a clear row not
-- listed (planted by someone holding the application's credentials) is refused. The application role may read and
-- delete this list, never add to it.
create table idp_signing_key_clear (
    kid text primary key
);

insert into idp_signing_key_clear (kid) select kid from idp_signing_key where jwk not like 'warden-kek-v1:%';

comment on column idp_signing_key.jwk is 'the private JWK sealed with the key-encryption key (warden-kek-v1:<kek id>:<nonce>:<ciphertext>), never clear';

do $$
begin
    if '${appRole}' <> current_user and exists (select 1 from pg_roles where rolname = '${appRole}') then
        execute format('revoke all on idp_signing_key_clear from %I', '${appRole}');
        execute format('grant select, delete on idp_signing_key_clear to %I', '${appRole}');
    end if;
end
$$;
