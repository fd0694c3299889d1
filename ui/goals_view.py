"""What the Goals page previews before a save: the inputs of a live decomposition, the monthly
targets they give, the reference values and the tactics editor's rows. Pure functions, frames in
and frames out, except `preview_inputs` (a named read, called through `ui.store_access.read`).
What a save changes is `ui.goal_changes`; the session both plan pages share, `ui.plan_session`.

The preview computes its months with `metrics.plan.decomposition.month_targets`, the function
`metrics.plan.inputs.compute_targets` uses when the goal is saved, so what the user sees before
saving is what is written.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, replace

import duckdb
import polars as pl

from metrics.forecasts.reads import goal_baseline
from metrics.plan import decomposition as dec
from metrics.plan.files import parse_tactics
from metrics.plan.inputs import last_year_monthly
from metrics.store.catalog import Metric, MetricKind, load_metrics
from metrics.store.errors import DataopsError, Problem, ValidationFailed
from ui.formatting import format_value
from ui.words import say

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
            problem = say(error)
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
    natural = inputs.natural
    targets = dec.month_targets(
        method,
        inputs.metric.kind,
        target,
        inputs.months,
        overrides,
        natural=natural,
        last_year=inputs.last_year,
        tactics=tactics,
    )
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
