-- Intervals learnt from backtests (forecasting/calibration.py) replace Prophet's sampled paths,
-- which assumed independent daily noise and a correct model and covered the truth far less
-- often than they claimed. What a path needs is now a few numbers per run, not 200 rows a day.

-- Relative errors of running totals in a run's backtests: `d` days from the backtest's origin
-- (`n` of them observed, `tbar` their mean years ahead), for a fit on `train_days` days.
create table backtest_errors (
    run         bigint not null,
    origin      integer not null,
    train_days  integer not null,
    d           integer not null,
    n           integer not null,
    error       double not null,
    tbar        double not null,
    primary key (run, origin, d)
);

-- What a run's intervals are made of. noise_* and train_days are the series' own; level_sd,
-- slope_sd (per year ahead) and rho (the share of the level error common to all series) are
-- pooled over `pooled_over` series; `coverage` is the share of this series' backtest errors
-- inside its 80% band when it was left out of the pool; `method` says how in words.
create table calibrations (
    run            bigint primary key,
    noise_sd       double not null,
    noise_phi      double not null,
    train_days     integer not null,
    origin_day     date not null,      -- the last training day: years ahead count from here
    level_sd       double not null default 0,
    slope_sd       double not null default 0,
    rho            double not null default 0,
    pooled_over    integer not null default 0,
    coverage       double,
    method         varchar not null,
    calibrated_at  timestamp not null
);

-- Each path's level and slope error per run (200 paths), drawn when the run is calibrated: the
-- same path keeps the same errors in every window, so a total to date and the rest of the period
-- add up path by path.
create table calibration_draws (
    run     bigint not null,
    sample  integer not null,
    level   double not null,
    slope   double not null,
    primary key (run, sample)
);

-- Runs frozen before calibration existed keep their Prophet band as noise-like width until a
-- re-baseline calibrates them (the method says so on the Forecasts page and in the CLI).
insert into calibrations
select r.run,
       coalesce(avg((f.yhat_upper - f.yhat_lower) / nullif(2 * 1.2815515655446004 * abs(f.yhat), 0)), 0),
       0, 0, coalesce(r.train_end, r.forecast_start - 1), 0, 0, 0, 0, null,
       'frozen before calibrated intervals: Prophet''s band kept; re-baseline to calibrate',
       current_timestamp::timestamp
from forecast_runs r join forecasts f using (run)
where r.status = 'ok'
group by r.run, r.train_end, r.forecast_start;

insert into calibration_draws
select c.run, s.sample::integer, 0, 0 from calibrations c cross join range(200) s(sample);

drop table forecast_samples;

-- A reproducible standard normal per (a, b, c): Box-Muller over two hashes.
create macro unit_hash(a, b, c, k) as
    ((hash(concat_ws(':', a, b, c, k)) >> 11)::double + 0.5) / 9007199254740992;
create macro std_normal(a, b, c) as
    sqrt(-2 * ln(unit_hash(a, b, c, 'u'))) * cos(2 * pi() * unit_hash(a, b, c, 'v'));

-- Sampled natural paths, computed when read: the point forecast times one plus the path's level
-- and slope error and the day's noise. Independent daily noise with the AR(1) sum's long-run
-- variance (sd * sqrt((1 + phi) / (1 - phi))) gives window totals of a week or more their
-- calibrated spread.
create view forecast_samples as
select f.run, d.sample, f.day,
       f.yhat * (1 + d.level + d.slope * greatest(f.day - c.origin_day, 0) / 365.25
                 + c.noise_sd * sqrt((1 + c.noise_phi) / (1 - c.noise_phi))
                   * std_normal(f.run, d.sample, f.day)) as value
from forecasts f
join calibrations c using (run)
join calibration_draws d using (run);
