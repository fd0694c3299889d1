-- Keys that start with the series, not the day. DuckDB keeps a primary key as an ART index in
-- the file; keyed (day, metric, team), every row's index entry carried its own copy of the metric
-- and team names, and the index took about 80 bytes a row against the data's 5: on a store of
-- 5 million observations the two day-first keys (observations and the demo's planted natural)
-- were most of the file (benchmarks/store_size_bench.py, docs/scaling.md). Keyed (metric, team,
-- day), a series' days share one path through the index and it takes about 10 bytes a row. The
-- same keys, so the same rows are refused or replaced; the columns keep their order.

create table observations_compact (
    day     date not null,
    metric  varchar not null,
    team    varchar not null,
    value   double not null,
    primary key (metric, team, day)
);
insert into observations_compact select day, metric, team, value from observations
order by metric, team, day;
drop table observations;
alter table observations_compact rename to observations;

create table demo_truth_natural_compact (
    day      date not null,
    metric   varchar not null,
    team     varchar not null,
    value    double not null,  -- the series as it would have been with no operations work
    primary key (metric, team, day)
);
insert into demo_truth_natural_compact select day, metric, team, value from demo_truth_natural
order by metric, team, day;
drop table demo_truth_natural;
alter table demo_truth_natural_compact rename to demo_truth_natural;
