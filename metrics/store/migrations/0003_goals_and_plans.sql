-- The mechanism: goals split into months, tactics, phases, team assignments and check-ins.
-- Every change a person makes is also appended to goal_changes, so nothing entered is ever lost.
create sequence goal_change_id start 1;

create table goals (
    goal        varchar primary key,
    name        varchar not null,
    metric      varchar not null,
    start_day   date not null,
    end_day     date not null,
    -- flow: total over the period; level: average per day; ratio: the period's ratio
    target      double not null,
    method      varchar not null check (method in ('even', 'last_year', 'natural', 'tactic')),
    created_at  timestamp not null,
    created_by  varchar not null,
    updated_at  timestamp not null,
    updated_by  varchar not null,
    check (end_day >= start_day)
);

create table goal_targets (
    goal           varchar not null,
    month          date not null,      -- first day of the month
    days           integer not null,   -- days of this month inside the goal period (ends may be partial)
    -- How months combine into the goal's target: flow sums the monthly targets; level and ratio take
    -- the weighted mean sum(weight * target) / sum(weight) with weight = days (level) or the month's
    -- natural denominator (ratio; days when no baseline was frozen); flow stores 1. Kept so pacing
    -- combines months exactly as the decomposition did.
    weight         double not null check (weight > 0),
    target         double not null,    -- the month's target in use (the override when overridden)
    method_target  double not null,    -- what the decomposition method gave
    overridden     boolean not null default false,
    note           varchar,
    updated_at     timestamp not null,
    updated_by     varchar not null,
    primary key (goal, month)
);

-- Hand-set months: the source of truth for overrides. goal_targets is derived from the method and
-- these (its overridden/note columns copy them), so a goal waiting for its baseline keeps them.
create table goal_overrides (
    goal        varchar not null,
    month       date not null,
    target      double not null,
    note        varchar,
    updated_at  timestamp not null,
    updated_by  varchar not null,
    primary key (goal, month)
);

create table tactics (
    goal    varchar not null,
    month   date not null,
    tactic  varchar not null,
    weight  double not null check (weight >= 0),
    primary key (goal, month, tactic)
);

create table goal_changes (
    change      bigint primary key default nextval('goal_change_id'),
    goal        varchar not null,
    changed_at  timestamp not null,
    changed_by  varchar not null,
    action      varchar not null,  -- e.g. created, changed, decomposed, month_overridden
    detail      varchar not null   -- JSON: the values before and after
);

create table phases (
    goal         varchar not null,
    phase        varchar not null,
    name         varchar not null,
    start_month  date not null,
    end_month    date not null,   -- first day of the phase's last month
    main_task    varchar not null,
    primary key (goal, phase),
    check (end_month >= start_month)
);

create table assignments (
    goal       varchar not null,
    phase      varchar not null,
    team       varchar not null,
    share      double not null check (share >= 0 and share <= 1),  -- of the phase's gap
    indicator  varchar not null,  -- the metric the team is watched on
    primary key (goal, phase, team)
);

create table checkins (
    checkin       varchar primary key,  -- a UUID, so two people saving at once never collide
    team          varchar not null,
    goal          varchar,
    created_at    timestamp not null,
    author        varchar not null,
    status        varchar not null check (status in ('on_track', 'at_risk', 'off_track')),
    notes         varchar not null default '',
    problems      varchar not null default '',
    next_actions  varchar not null default ''
);
