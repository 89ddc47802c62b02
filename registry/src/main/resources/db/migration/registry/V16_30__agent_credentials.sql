-- Every credential an agent's identity holds, whichever provider issued it: the embedded provider's client
-- secrets (as a one-way verifier only), certificates registered for private_key_jwt, and Entra secrets and
-- certificates (their key id and dates as Entra reported them). Rotation, the expiry dashboard and the
-- owner's notice all read this table; the embedded provider checks secrets and certificates against it.
create table agent_credential (
    id                uuid primary key,
    agent_id          uuid not null,
    client_id         text not null,
    kind              text not null check (kind in ('SECRET', 'CERTIFICATE')),
    provider_key_id   text,
    fingerprint       text,
    verifier          text,
    certificate_pem   text,
    not_before        timestamptz not null,
    expires_at        timestamptz not null,
    created_at        timestamptz not null,
    created_by        text not null,
    revoke_after      timestamptz,
    revoked_at        timestamptz,
    owner_notified_at timestamptz,
    constraint agent_credential_dates check (expires_at > not_before),
    constraint agent_credential_certificate check (kind <> 'CERTIFICATE' or (certificate_pem is not null and fingerprint is not null))
);

create index agent_credential_client on agent_credential (client_id) where revoked_at is null;
create index agent_credential_expiry on agent_credential (expires_at) where revoked_at is null;
create unique index agent_credential_certificate_once on agent_credential (client_id, fingerprint)
    where revoked_at is null and kind = 'CERTIFICATE';
