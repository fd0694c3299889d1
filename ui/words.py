"""The app's names for the actions a domain error's fix asks for: the buttons, boxes and pages
that do them (`metrics.store.errors.ACTIONS` lists the actions; the CLI names its flags). No
entry names a command-line flag: a person in the app cannot pass one."""

from __future__ import annotations

from metrics.store.errors import DataopsError, in_words

CONTROLS = {
    "fit_baseline": "fit it on the Goals page (Fit the natural baseline)",
    "refit_baseline": "refit it on the Goals page: saving a goal whose frozen baseline does not "
    "fit it refits the baseline (the old one is kept for audit)",
    "refit_for_period": "save the goal: saving refits its natural baseline for the new period "
    "(the old one is kept for audit)",
    "split_goal": "fit the goal's natural baseline on the Goals page, which then splits it",
    "clear_overrides": "tick “Clear the months set by hand” (they stay in the goal's history)",
    "give_tactics": "fill in the Tactic weights table",
    "use_tactics_method": "choose the Tactics decomposition method",
    "use_even_method": "choose the Even decomposition method",
    "change_target": "change the goal's Target",
    "pick_as_of": "pick an As of day inside the goal period in the sidebar",
    "name_author": "type your name",
    "name_problems": "say what stands in the way under Problems",
    "import_observations": "import observations on the Data page",
    "create_goal": "create the goal on the Goals page",
    "migrate_store": "restart the app, which brings the store up to date",
    "replace_rows": "tick “Replace rows that already exist in the store”",
    "goal_period": "make the End on or after the Start",
}


def say(error: DataopsError) -> str:
    """A domain error as the app shows it: its fix names the app's controls."""
    return error.say(CONTROLS)


def words(text: str) -> str:
    """A domain text (a problem's message or fix) with its actions named as the app names them."""
    return in_words(text, CONTROLS)
