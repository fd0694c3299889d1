-- Sources the store fills itself from, every sync run, and how fresh each metric must be.
-- A source's uri is a template: ${VAR} references are expanded from the environment at sync
-- time only, so no password is ever written here (adding a uri with a literal one is refused).
create table sources (
    source            varchar primary key,
    kind              varchar not null check (kind in ('postgres', 'parquet', 'csv')),
    target            varchar not null check (target in ('observations', 'teams', 'initiatives')),
    uri               varchar not null,
    query             varchar,             -- postgres only; null reads the whole table
    restatement_days  integer not null default 7 check (restatement_days >= 0),
    lag_days          integer not null default 1 check (lag_days >= 0),  -- expected latest day = today - lag
    created_at        timestamp not null,
    created_by        varchar not null
);

create sequence sync_run_id start 1;

create table sync_runs (
    run          integer primary key default nextval('sync_run_id'),
    source       varchar not null,
    started_at   timestamp not null,
    seconds      double not null,
    outcome      varchar not null check (outcome in ('ok', 'refused', 'failed')),
    rows_read    bigint not null default 0,
    inserted     bigint not null default 0,
    replaced     bigint not null default 0,   -- rows whose value changed (restated)
    first_day    date,                        -- the days this run read (observations only)
    last_day     date,
    message      varchar not null default ''
);

-- A metric's expected latest day is today - lag_days; metrics without a row expect yesterday.
create table metric_freshness (
    metric    varchar primary key,
    lag_days  integer not null check (lag_days >= 0)
);
