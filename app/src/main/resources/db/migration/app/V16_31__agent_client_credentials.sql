-- Agents' clients of the embedded provider made before secrets had a lifetime: their current secret is
-- recorded (its verifier as the provider holds it) with a lifetime from now, so that rotation renews it
-- before it lapses instead of it living forever; and they may also authenticate with a registered
-- certificate (private_key_jwt) from now on.
insert into agent_credential (id, agent_id, client_id, kind, verifier, not_before, expires_at, created_at, created_by)
select gen_random_uuid(), a.id, a.client_id, 'SECRET', c.client_secret, least(c.client_id_issued_at, current_timestamp),
       current_timestamp + interval '90 days', current_timestamp, 'system:migration'
from agent a join oauth2_registered_client c on c.client_id = a.client_id
where a.status <> 'RETIRED' and c.client_secret is not null;

update oauth2_registered_client set client_authentication_methods = client_authentication_methods || ',private_key_jwt'
where client_id in (select client_id from agent where client_id is not null)
  and client_authentication_methods not like '%private_key_jwt%';
