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
