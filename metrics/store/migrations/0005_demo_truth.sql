-- What the demo generator planted, so tests can check that the measurements recover it.
-- Empty in a real company's store.
create table demo_truth_natural (
    day      date not null,
    metric   varchar not null,
    team     varchar not null,
    value    double not null,  -- the series as it would have been with no operations work
    primary key (day, metric, team)
);

-- actual = demo_truth_natural.value + the sum of effects on that (day, metric, team)
create table demo_truth_effects (
    initiative  varchar not null,
    day         date not null,
    metric      varchar not null,
    team        varchar not null,  -- the team whose series moved (not always the initiative's)
    effect      double not null,
    kind        varchar not null check (kind in ('uplift', 'pull_forward', 'cannibalisation'))
);

-- One row per planted case: an initiative's uplift on its own team, the payback dip after a
-- pull-forward (same team), or a cannibalisation (another team on the initiative's metric).
create table demo_truth_cases (
    initiative       varchar not null,
    kind             varchar not null check (kind in ('uplift', 'pull_forward', 'cannibalisation')),
    team             varchar not null,  -- the team whose series moved
    acting_team      varchar not null,  -- the team that ran the initiative
    metric           varchar not null,  -- the initiative's target metric
    start_day        date not null,     -- the days the case spans on the moved series
    end_day          date not null,
    relative_effect  double not null,   -- mean planted relative change of `metric` on those days
    effect           double not null,   -- the case's total effect on `metric`, in its units
    primary key (initiative, kind, team)
);
