-- Natural-growth forecasts: one run per fitted series, versioned and never silently replaced.
create sequence forecast_run_id start 1;

create table forecast_runs (
    run             bigint primary key default nextval('forecast_run_id'),
    purpose         varchar not null check (purpose in ('goal', 'rolling')),
    goal            varchar,            -- set when purpose = 'goal'
    metric          varchar not null,
    team            varchar not null,
    input_hash      varchar not null,   -- training series, masked days, calendar and settings
    settings        varchar not null,   -- JSON
    train_start     date,
    train_end       date,
    forecast_start  date,
    forecast_end    date,
    created_at      timestamp not null,
    fit_seconds     double,
    status          varchar not null check (status in ('ok', 'failed')),
    error           varchar,
    superseded_at   timestamp           -- null while in use
);

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
    primary key (run, day)
);

-- Sampled natural paths over the forecast period, for intervals of sums and landing chances.
create table forecast_samples (
    run     bigint not null,
    sample  integer not null,
    day     date not null,
    value   double not null
);

create table backtests (
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
