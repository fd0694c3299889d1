"""The command line's names for the actions a domain error's fix asks for: its flags and
commands (`metrics.store.errors.ACTIONS` lists the actions; the app names its controls)."""

from __future__ import annotations

FLAGS = {
    "fit_baseline": "run `dataops forecast --goal {goal}`",
    "refit_baseline": "run `dataops forecast --goal {goal} --rebaseline` (the old runs are kept)",
    "refit_for_period": "pass --rebaseline to `dataops goal set` to refit it for the new period",
    "split_goal": "run `dataops goal decompose --goal {goal}` once its baseline is frozen "
    "(`dataops forecast --goal {goal}`)",
    "clear_overrides": "pass --clear-overrides (the overrides stay in the goal's history)",
    "give_tactics": "pass --tactics FILE (month,tactic,weight)",
    "use_tactics_method": "pass --method tactic",
    "use_even_method": "pass --method even",
    "change_target": "change the target with `dataops goal set --goal {goal} ... --target X`",
    "pick_as_of": "pass --as-of with a day inside the goal period, or leave it out for the "
    "latest data",
    "name_author": "pass --by NAME",
    "name_problems": "pass --problems TEXT",
    "import_observations": "import observations with `dataops import observations FILE`",
    "create_goal": "create the goal first with `dataops goal set`",
    "migrate_store": "run any `dataops` command on the store once, so its migrations run",
    "replace_rows": "import with --replace",
    "build_store": "build one with `dataops demo --store {path}` or import your data with "
    "`dataops import ... --store {path}`",
    "replace_store": "pass --force to replace it with the demo company",
    "other_store": "choose another path with --store",
    "goal_period": "make --end on or after --start",
    "demo_teams": "pass --teams 5 for the standard demo company",
    "demo_seed": "pass --seed 7 for the standard demo company, or another such number",
    "writable_store": "choose a --store path in a folder you can write",
    "writable_out": "choose a path in a folder you can write (--out)",
    "demo_years": "pass --years 3 (forecasts learn yearly seasonality from them)",
    "query_files": "leave --query out, or give the files the format's columns",
    "remove_source": "choose another name, or remove it first with "
    "`dataops source remove {source}`",
    "list_sources": "check the name with `dataops source list`",
    "sync_sources": "run `dataops refresh` (or `dataops sync`)",
    "name_recipients": "pass --to ADDR,ADDR (or grant roles with `dataops access grant`)",
    "give_mail_server": "pass --smtp HOST:PORT, or set DATAOPS_SMTP_HOST and DATAOPS_SMTP_PORT "
    "(or host and port under [smtp] in .streamlit/secrets.toml)",
    "give_sender": "pass --from ADDR, or set DATAOPS_SMTP_FROM (or from under [smtp] in "
    ".streamlit/secrets.toml)",
}
