-- Rate limits and call quotas of the gateway, per agent and tool, shared by every instance.
-- rate_limit_default: an admin's default for a tool; rate_limit_override: one agent's limit for a tool.
-- With neither, the built-in default (configuration) applies. A null quota means no quota.
create table rate_limit_default (
    tool            text             primary key,
    rate_per_second double precision not null check (rate_per_second > 0 and rate_per_second <> 'Infinity'),
    burst           integer          not null check (burst >= 1),
    daily_quota     bigint           check (daily_quota >= 0),
    monthly_quota   bigint           check (monthly_quota >= 0),
    version         bigint           not null,
    updated_by      text             not null,
    updated_at      timestamptz      not null
);

create table rate_limit_override (
    agent_id        uuid             not null,
    tool            text             not null,
    rate_per_second double precision not null check (rate_per_second > 0 and rate_per_second <> 'Infinity'),
    burst           integer          not null check (burst >= 1),
    daily_quota     bigint           check (daily_quota >= 0),
    monthly_quota   bigint           check (monthly_quota >= 0),
    version         bigint           not null,
    updated_by      text             not null,
    updated_at      timestamptz      not null,
    primary key (agent_id, tool)
);

-- The shared state instances lease from (see PostgresRateLimits): the token bucket (tokens at refilled_at)
-- and the calls counted in the current UTC day and month, leased units included.
create table rate_counter (
    agent_id    uuid             not null,
    tool        text             not null,
    tokens      double precision not null,
    refilled_at timestamptz      not null,
    day         date             not null,
    day_used    bigint           not null check (day_used >= 0),
    month       date             not null,
    month_used  bigint           not null check (month_used >= 0),
    primary key (agent_id, tool)
);
