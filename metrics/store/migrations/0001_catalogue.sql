-- The catalogue and the facts: who owns which slice of which metric, day by day.
create table teams (
    team        varchar primary key,
    name        varchar not null,
    department  varchar not null
);

-- The reserved team that holds whatever no team owns, so company = sum over teams.
insert into teams values ('unassigned', 'Unassigned', 'unassigned');

create table metrics (
    metric            varchar primary key,
    name              varchar not null,
    kind              varchar not null check (kind in ('flow', 'level', 'ratio')),
    unit              varchar not null,
    numerator         varchar,
    denominator       varchar,
    higher_is_better  boolean not null default true,
    check ((kind = 'ratio') = (numerator is not null and denominator is not null))
);

create table observations (
    day     date not null,
    metric  varchar not null,
    team    varchar not null,
    value   double not null,
    primary key (day, metric, team)
);

create table initiatives (
    initiative  varchar primary key,
    team        varchar not null,
    metric      varchar not null,
    start_day   date not null,
    end_day     date not null,
    name        varchar not null,
    check (end_day >= start_day)
);
