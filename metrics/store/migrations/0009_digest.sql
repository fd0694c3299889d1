-- The e-mail digest and alerts remember what they sent, so the next digest can say what changed
-- and an hourly alerts run mails each event once.
create sequence digest_id start 1;

-- One row per digest message delivered: its scope (the company, or one team), the day it
-- measured, and the state it showed (JSON: per team status, flags, problems), which the next
-- digest of the same scope compares against.
create table digests (
    digest      bigint primary key default nextval('digest_id'),
    goal        varchar not null,
    team        varchar,             -- null: the company's digest
    as_of       date not null,
    sent_at     timestamp not null,
    recipients  varchar not null,    -- comma-separated addresses it was delivered to
    subject     varchar not null,
    state       varchar not null
);

create sequence alert_id start 1;

-- One row per episode of a condition (a team off track, a flag, late data): it opens when the
-- condition is first seen and closes when it is gone, so a condition that comes back alerts again.
create table alert_events (
    alert        bigint primary key default nextval('alert_id'),
    goal         varchar not null,
    key          varchar not null,   -- what the condition is, e.g. off_track:promotions
    kind         varchar not null check (kind in ('off_track', 'flag', 'data_late')),
    team         varchar,            -- the team it concerns (null: the whole goal)
    other_team   varchar,            -- a flag's team held down, which hears of it too
    text         varchar not null,   -- the line the alert mails
    as_of        date not null,      -- the data day it was first seen on
    noticed_at   timestamp not null,
    listed_at    timestamp,          -- shown by a run without --send
    sent_at      timestamp,          -- mailed
    cleared_at   timestamp           -- the condition is gone
);
