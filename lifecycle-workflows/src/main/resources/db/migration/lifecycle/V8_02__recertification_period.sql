-- The recertification period is a parameter of its rule, so that admins set it with the others: after an
-- attestation the next recertification is due this many days later.
update lifecycle_rule set parameters = '{"periodDays": 90}'::jsonb, version = version + 1 where key = 'recertification-due';
