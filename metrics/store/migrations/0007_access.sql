-- Who may do what: one row per (email, role, team). A team lead of two teams has two rows; the
-- other roles are company-wide and keep team null. No row for an e-mail = no access at all.
create table access_grants (
    email       varchar not null,  -- lower case, as the identity provider's `email` claim
    role        varchar not null check (role in ('owner', 'leadership', 'team_lead', 'viewer')),
    team        varchar,           -- only for team_lead
    granted_by  varchar not null,
    granted_at  timestamp not null,
    check ((role = 'team_lead') = (team is not null))
);

-- Who imported what: the audit of the Data page's and `dataops import`'s writes.
create table import_log (
    imported_at  timestamp not null,
    imported_by  varchar not null,  -- the signed-in e-mail, or the OS user of the command line
    files        varchar not null,  -- the file names, comma-separated
    summary      varchar not null   -- what was written, e.g. "12 teams, 3,400 observations"
);
