"""What the Goals page shows: the inputs of a live decomposition preview, the preview itself, the
tactics editor's rows and what a save would change. Pure functions, frames in and frames out,
except `author_input` (a widget both plan pages share) and `preview_inputs` (a named read,
called through `ui.store_access.read`).

The preview calls the same `metrics.plan.decomposition` functions, in the same order, as
`metrics.plan.inputs.compute_targets` does when the goal is saved, so what the user sees before
saving is what is written.
"""

from __future__ import annotations

import csv
import datetime as dt
import getpass
import io
import json
from dataclasses import dataclass, replace

import duckdb
import polars as pl
import streamlit as st

from metrics.forecasts.reads import goal_baseline
from metrics.plan import decomposition as dec
from metrics.plan.files import parse_tactics
from metrics.plan.goals import Goal
from metrics.plan.inputs import last_year_monthly
from metrics.store.catalog import Metric, MetricKind, load_metrics
from metrics.store.errors import DataopsError, Problem, ValidationFailed
from ui.formatting import format_value
from ui.text import md_text

AUTHOR_KEY = "plan-author"  # not a widget key, so the name survives moving between pages

MONTH_FORMAT = "%Y-%m"
NO_OVERRIDES = pl.DataFrame(schema={"month": pl.Date, "target": pl.Float64, "note": pl.String})
# Default tactic weights per market-calendar event: more of the uplift where the festivals are.
# The Spring Festival holiday week itself is left out: deliveries stop and browsing drops.
FESTIVAL_TACTICS = {
    "spring_festival_runup": ("New Year goods run-up", 4.0),
    "618": ("618 shopping festival", 5.0),
    "double_11": ("Double 11 (Singles' Day)", 6.0),
    "double_12": ("Double 12", 1.5),
}


def author_input(page: str) -> str:
    """The "Your name" input (recorded with every change): remembered for the session, $USER
    until someone types a name."""
    remembered = st.session_state.get(AUTHOR_KEY) or _login_name()
    name = st.text_input(
        "Your name",
        value=remembered,
        key=f"{page}-author",
        help="Recorded with every change you save, in the goal's history.",
    ).strip()
    st.session_state[AUTHOR_KEY] = name
    return name


def show_flash(page: str) -> str | None:
    """Show what the last save said (kept across the rerun after it); return its `opened`."""
    flash = st.session_state.pop(f"{page}-flash", {"said": [], "opened": None})
    for kind, text in flash["said"]:  # plain sentences that quote names: shown as typed
        getattr(st, kind)(md_text(text))
    return flash["opened"]


def finish(page: str, said: list[tuple[str, str]], opened: str | None = None) -> None:
    """After a save: rerun, so the page reads the new store version and its editors start again
    from what is stored (editor keys start with `{page}-editor-`), then show `said`."""
    st.session_state[f"{page}-flash"] = {"said": said, "opened": opened}
    for key in [key for key in st.session_state if str(key).startswith(f"{page}-editor-")]:
        del st.session_state[key]
    st.session_state.pop(f"{page}-confirm", None)
    st.rerun()


def _login_name() -> str:
    try:
        return getpass.getuser()  # $USER (or LOGNAME...), else the account's name
    except (KeyError, OSError):
        return ""


@dataclass(frozen=True)
class PreviewInputs:
    metric: Metric
    months: pl.DataFrame  # month, days
    natural: pl.DataFrame | None  # month, natural, denominator; None without a usable baseline
    baseline_frozen: bool  # a baseline is frozen for the goal id (it may not fit the inputs)
    natural_problem: str | None  # why a frozen baseline cannot be used for these inputs
    last_year: pl.DataFrame  # month, value: last year's company values in the goal's terms


def preview_inputs(
    con: duckdb.DuckDBPyConnection, goal_id: str, metric_id: str, start: dt.date, end: dt.date
) -> PreviewInputs:
    """Everything a preview of `metric_id` over start..end needs, read once per store version."""
    metric = load_metrics(con)[metric_id]
    months = dec.goal_months(start, end)
    baseline = goal_baseline(con, goal_id)
    natural, problem = None, None
    if not baseline.is_empty():
        try:
            natural = dec.monthly_natural(metric, baseline, months)
        except DataopsError as error:
            problem = str(error)
    last_year = last_year_monthly(con, metric, months, start)
    return PreviewInputs(metric, months, natural, not baseline.is_empty(), problem, last_year)


def preview_targets(
    inputs: PreviewInputs,
    method: dec.Method,
    target: float,
    tactics: pl.DataFrame | None,
    overrides: pl.DataFrame,
) -> pl.DataFrame:
    """The monthly targets a save would write. Columns: as `plan.goals.monthly_targets`, plus
    natural (null without a baseline). Raises DataopsError when the method cannot run."""
    kind, natural = inputs.metric.kind, inputs.natural
    weighted = dec.with_weights(kind, inputs.months, natural)
    split = dec.decompose(
        method, kind, target, weighted, natural=natural, last_year=inputs.last_year, tactics=tactics
    )
    targets = dec.apply_overrides(kind, target, split, overrides)
    if natural is None:
        return targets.with_columns(natural=pl.lit(None, pl.Float64))
    return targets.join(natural.select("month", "natural"), on="month", how="left")


def month_labels(months: pl.DataFrame) -> list[str]:
    return months["month"].dt.strftime(MONTH_FORMAT).to_list()


def target_meaning(metric: Metric) -> str:
    """What the goal's single target number means for the metric's kind."""
    unit = f" ({metric.unit})" if metric.unit and metric.kind is not MetricKind.RATIO else ""
    return {
        MetricKind.FLOW: f"total {metric.name} over the whole period{unit}",
        MetricKind.LEVEL: f"average {metric.name} per day over the period{unit}",
        MetricKind.RATIO: f"{metric.name} over the whole period, as a fraction (0.035 = 3.5%)",
    }[metric.kind]


def number_format(metric: Metric, decimals: int = 0) -> str:
    """The st.column_config number format of the metric's values, its unit included: percent
    for ratios, else e.g. `¥%,.0f` for CNY or `%,.0f users`, as `format_value` places the unit."""
    if metric.kind is MetricKind.RATIO or metric.unit == "%":
        return "percent"
    prefix, _, suffix = format_value(0.0, metric.unit).partition("0")
    return f"{prefix}%,.{decimals}f{suffix}"


def preview_table(preview: pl.DataFrame) -> pl.DataFrame:
    """Columns: month (YYYY-MM), natural, target, above_natural, set_by_hand, note."""
    return preview.select(
        pl.col("month").dt.strftime(MONTH_FORMAT),
        "natural",
        "target",
        above_natural=pl.col("target") - pl.col("natural"),
        set_by_hand=pl.col("overridden"),
        note=pl.col("note").fill_null(""),
    )


def reference_values(inputs: PreviewInputs) -> dict[str, float]:
    """Last year's and the natural baseline's value over the whole period, where every month has
    one, in the target's terms: what a sensible target is measured against."""
    weighted = dec.with_weights(inputs.metric.kind, inputs.months, inputs.natural)
    found = {}
    for name, frame, column in (
        ("last year", inputs.last_year, "value"),
        ("natural baseline", inputs.natural, "natural"),
    ):
        if frame is not None and frame.height == weighted.height:
            joined = weighted.join(frame.select("month", column), on="month")
            found[name] = dec.period_value(inputs.metric.kind, joined, column)
    return found


def default_tactics(months: pl.DataFrame, festivals: pl.DataFrame) -> pl.DataFrame:
    """Tactic weights for the festivals inside the goal's months, each festival's weight split
    over its months by days. `festivals`: event, start_day, end_day. Columns: month (YYYY-MM),
    tactic, weight."""
    wanted = festivals.filter(
        pl.col("event").is_in(list(FESTIVAL_TACTICS)),
        pl.col("end_day") >= months["month"].min(),
        pl.col("start_day").dt.truncate("1mo") <= months["month"].max(),
    )
    spans = wanted.with_columns(day=pl.date_ranges("start_day", "end_day")).explode("day")
    names = pl.col("event").replace_strict({k: v[0] for k, v in FESTIVAL_TACTICS.items()})
    weights = pl.col("event").replace_strict({k: v[1] for k, v in FESTIVAL_TACTICS.items()})
    window_days = (pl.col("end_day") - pl.col("start_day")).dt.total_days() + 1
    per_month = spans.group_by(
        pl.col("day").dt.truncate("1mo").alias("month"), "event", "start_day", "end_day"
    ).agg(pl.len().alias("days"))
    inside = per_month.join(months.select("month"), on="month", how="semi")
    return inside.select(
        pl.col("month").dt.strftime(MONTH_FORMAT),
        tactic=names,
        weight=(weights * pl.col("days") / window_days).round(2),
    ).sort("month", "tactic")


def tactics_editor_frame(tactics: pl.DataFrame) -> pl.DataFrame:
    """Stored tactics (month, tactic, weight) as editor rows. Columns: month (YYYY-MM), tactic,
    weight."""
    return tactics.select(pl.col("month").dt.strftime(MONTH_FORMAT), "tactic", "weight")


def tactics_from_editor(
    edited: pl.DataFrame, months: pl.DataFrame
) -> tuple[pl.DataFrame | None, list[Problem]]:
    """The edited rows checked by the tactics file's own rules (`plan_files.parse_tactics`).

    Returns (tactics: month, tactic, weight) or (None, every problem), rows counted as the
    editor shows them (first row = 1).
    """
    rows = edited.select("month", "tactic", "weight").rows()
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(["month", "tactic", "weight"])
    writer.writerows(["" if cell is None else cell for cell in row] for row in rows)
    try:
        return parse_tactics(text.getvalue(), "tactics", months), []
    except ValidationFailed as refused:
        return None, editor_rows(refused.problems)


def editor_rows(problems: list[Problem]) -> list[Problem]:
    """Problems of a CSV made from editor rows, renumbered to the editor's rows (first = 1)."""
    return [p if p.row is None else replace(p, row=p.row - 1) for p in problems]


def stored_overrides(targets: pl.DataFrame) -> pl.DataFrame:
    """The hand-set months of stored monthly targets. Columns: month, target, note."""
    return targets.filter("overridden").select("month", "target", "note")


def overrides_outside(overrides: pl.DataFrame, months: pl.DataFrame) -> list[str]:
    """Months (YYYY-MM) set by hand that the new period no longer has."""
    outside = overrides.join(months, on="month", how="anti")
    return [month.strftime(MONTH_FORMAT) for month in outside["month"]]


def definition_changes(before: Goal, after: Goal) -> pl.DataFrame:
    """What a save changes in the goal's definition. Columns: field, saved, new (as text)."""
    old, new = before.definition(), after.definition()
    rows = [(key, str(old[key]), str(new[key])) for key in new if old[key] != new[key]]
    return pl.DataFrame(rows, schema=["field", "saved", "new"], orient="row")


def month_differences(saved: pl.DataFrame, new: pl.DataFrame) -> pl.DataFrame:
    """Months whose target a save changes (relative change above 1e-9; months only on one side
    included). Columns: month (YYYY-MM), saved, new, change."""
    joined = saved.select("month", saved="target").join(
        new.select("month", new="target"), on="month", how="full", coalesce=True
    )
    change = pl.col("new") - pl.col("saved")
    scale = pl.max_horizontal(pl.col("saved").abs(), pl.col("new").abs(), pl.lit(1.0))
    moved = change.is_null() | (change.abs() > 1e-9 * scale)
    return (
        joined.filter(moved)
        .sort("month")
        .select(pl.col("month").dt.strftime(MONTH_FORMAT), "saved", "new", change=change)
    )


@dataclass(frozen=True)
class MonthEdit:
    month: dt.date
    target: float | None  # None gives the month back to the method
    note: str | None


def month_editor_frame(targets: pl.DataFrame) -> pl.DataFrame:
    """Stored monthly targets as editor rows. Columns: month (YYYY-MM), method_target, target,
    set_by_hand, note."""
    return targets.select(
        pl.col("month").dt.strftime(MONTH_FORMAT),
        "method_target",
        "target",
        set_by_hand=pl.col("overridden"),
        note=pl.col("note").fill_null(""),
    )


def month_edits(targets: pl.DataFrame, edited: pl.DataFrame) -> list[MonthEdit]:
    """The overrides the edited rows ask for, clears first: a changed target sets the month by
    hand, unticking `set_by_hand` gives it back, ticking it pins today's value, and a new note
    on a hand-set month is saved with it."""
    edits = []
    for old, new in zip(targets.iter_rows(named=True), edited.iter_rows(named=True), strict=True):
        note = (new["note"] or "").strip() or None
        moved = new["target"] is not None and abs(new["target"] - old["target"]) > 1e-9 * max(
            abs(old["target"]), 1.0
        )
        if moved or (new["set_by_hand"] and not old["overridden"]):
            edits.append(MonthEdit(old["month"], new["target"], note))
        elif old["overridden"] and not new["set_by_hand"]:
            edits.append(MonthEdit(old["month"], None, None))
        elif old["overridden"] and note != old["note"]:
            edits.append(MonthEdit(old["month"], old["target"], note))
    return sorted(edits, key=lambda edit: edit.target is not None)


def history_table(changes: pl.DataFrame) -> pl.DataFrame:
    """goal_changes for people. Columns: change, changed_at, changed_by, action, what."""
    rows = changes.select("action", "detail").rows()
    return changes.select("change", "changed_at", "changed_by", "action").with_columns(
        what=pl.Series([_summary(action, json.loads(detail)) for action, detail in rows])
    )


def _summary(action: str, detail: dict) -> str:
    before, after = detail.get("before") or {}, detail.get("after") or {}
    said = []
    if action in ("created", "changed"):
        old, new = before.get("goal") or {}, after["goal"]
        said += [f"{k}: {old[k]} → {v}" for k, v in new.items() if old and old[k] != v]
        said += [] if old else [f"target {new['target']:,.6g}, method {new['method']}"]
        said += ["monthly targets wait for the baseline"] if after.get("pending") else []
    if isinstance(after, dict) and after.get("targets") and not after.get("pending"):
        old_targets = {row["month"]: row["target"] for row in before.get("targets", [])}
        moved = [row for row in after["targets"] if old_targets.get(row["month"]) != row["target"]]
        said.append(f"{len(moved)} month(s) changed")
    if action == "phases_set":
        said.append("phases " + ", ".join(row["phase"] for row in after.get("phases", [])))
    if action == "assignments_set":
        said.append(f"{len(after)} assignment(s)")
    return "; ".join(said)


def has_changes(
    saved: Goal | None,
    goal: Goal,
    tactics: pl.DataFrame | None,
    stored_tactics: pl.DataFrame,
    clear: bool,
) -> bool:
    """Whether saving `goal` (with these tactics, clearing overrides or not) changes anything."""
    if saved is None or clear or saved.definition() != goal.definition():
        return True
    return tactics is not None and not tactics.equals(stored_tactics)


def request_key(goal: Goal, tactics: pl.DataFrame | None, clear: bool) -> str:
    """Identifies what a Save asks for, so a confirmation given for it lapses when inputs change."""
    rows = None if tactics is None else tactics.rows()
    return json.dumps([goal.definition(), rows, clear], default=str)


def sentences(messages: tuple[str, ...]) -> list[str]:
    """The domain's lower-case notes ("kept 1 hand override(s) ...") as sentences."""
    return [message[:1].upper() + message[1:] + "." for message in messages]
