-- Natural-growth forecasts: one run per fitted series, versioned and never silently replaced.
-- Goal runs are frozen: re-baselining sets superseded_at on the old ones and keeps them for audit.
-- Rolling runs are a cache of the latest forecast: a refit replaces the series' previous run.
create sequence forecast_run_id start 1;

create table forecast_runs (
    run             bigint primary key default nextval('forecast_run_id'),
    purpose         varchar not null check (purpose in ('goal', 'rolling')),
    goal            varchar,            -- set when purpose = 'goal'
    metric          varchar not null,
    team            varchar not null,
    input_hash      varchar not null,   -- training series, masked days, calendar, country, policy
    settings        varchar not null,   -- JSON: the settings chosen for this series
    selection       varchar,            -- JSON: each candidate's validation score, to show why
    country         varchar,            -- public-holiday calendar used (null: none)
    masked_days     integer,            -- training days left out because initiatives ran
    train_start     date,
    train_end       date,
    forecast_start  date,
    forecast_end    date,
    created_at      timestamp not null,
    fit_seconds     double,
    status          varchar not null check (status in ('ok', 'failed')),
    error           varchar,
    superseded_at   timestamp,          -- null while in use
    check ((purpose = 'goal') = (goal is not null))
);

-- Goal runs hold the goal period; rolling runs hold the fitted history and the days ahead.
create table forecasts (
    run         bigint not null,
    day         date not null,
    yhat        double not null,
    yhat_lower  double not null,
    yhat_upper  double not null,
    trend       double,
    weekly      double,
    yearly      double,
    calendar    double,
    masked      boolean not null default false,  -- a training day left out (initiative)
    primary key (run, day)
);

-- Sampled natural paths over the goal period (goal runs only), for intervals of sums and the
-- chance of landing a target.
create table forecast_samples (
    run     bigint not null,
    sample  integer not null,
    day     date not null,
    value   double not null
);

-- Accuracy of the natural model per stored series: the last `horizon` days held out, settings
-- chosen on the days before them, compared with seasonal-naive. Refreshed with the rolling run.
create table backtests (
    run          bigint not null,    -- the rolling run it was computed with
    metric       varchar not null,
    team         varchar not null,
    input_hash   varchar not null,
    horizon      integer not null,
    settings     varchar not null,
    created_at   timestamp not null,
    train_days   integer not null,
    model_mape   double,
    model_smape  double,
    coverage     double,
    naive_mape   double,
    naive_smape  double
);
