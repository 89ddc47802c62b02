-- The gateway also caches an agent's granted purposes of use and its PHI approvals per scope (V14_30): a change
-- to either is numbered and announced like every other change the gateway must see at once (V14_01).
drop trigger agent_policy_changed on agent;
create trigger agent_policy_changed after update on agent for each row
    when (old.status is distinct from new.status or old.data_scopes is distinct from new.data_scopes
          or old.tools is distinct from new.tools or old.owner_id is distinct from new.owner_id
          or old.client_id is distinct from new.client_id or old.purposes_of_use is distinct from new.purposes_of_use)
    execute function warden_policy_changed();
create trigger agent_phi_approval_policy_changed after insert or update or delete on agent_phi_approval
    for each row execute function warden_policy_changed();
