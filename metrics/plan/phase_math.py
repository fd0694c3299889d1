"""Pure math of phases: each team's target in a phase, and a phase's shortfall re-spread.

A phase's target combines its monthly targets the way the goal does (flow: sum; level and ratio:
mean weighted by the months' weights). Its gap = phase target - company natural over the phase.
A team's target = its segment's natural over the phase + share * gap. For a ratio goal a team moves
the company ratio only through its share of the denominator, so its own ratio must rise by
share * gap * (company denominator / team denominator) to close its share of the company gap.

An indicator other than the goal metric gets the same *relative* uplift the team needs on the goal
metric: indicator target = indicator natural * (1 + (team target - team natural) / team natural).
That keeps a team's own dashboard number pointing in the company goal's direction and size without
pretending to know a cross-metric elasticity nobody has measured.
"""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

from metrics.plan.decomposition import goal_mass
from metrics.store.catalog import Metric, MetricKind
from metrics.store.errors import DataopsError

COMPANY = "__company__"


def natural_by_team_month(baseline: pl.DataFrame) -> pl.DataFrame:
    """Monthly natural totals from a goal baseline (day, metric, team, yhat, ...).

    Columns: month, team, metric, value (the sum of the month's daily natural values).
    """
    return (
        baseline.group_by(pl.col("day").dt.truncate("1mo").alias("month"), "team", "metric")
        .agg(pl.col("yhat").sum().alias("value"))
        .sort("month", "team", "metric")
    )


def month_phases(monthly: pl.DataFrame, phases: pl.DataFrame) -> pl.DataFrame:
    """`monthly` (with a month column) plus the phase each month belongs to (null if none)."""
    spans = phases.select("phase", "start_month", "end_month")
    return monthly.join_where(
        spans, pl.col("month") >= pl.col("start_month"), pl.col("month") <= pl.col("end_month")
    ).drop("start_month", "end_month")


def team_phase_targets(
    monthly_targets: pl.DataFrame,
    natural_by_team_month: pl.DataFrame,
    phases: pl.DataFrame,
    assignments: pl.DataFrame,
    *,
    metric: Metric,
    catalogue: Mapping[str, Metric],
) -> pl.DataFrame:
    """Each assigned team's target per phase, on the goal metric and on its indicator.

    Inputs: monthly_targets (month, days, weight, target), natural_by_team_month (month, team,
    metric, value), phases (phase, start_month, end_month), assignments (phase, team, share,
    indicator). Columns: phase, team, indicator, share, natural, gap (the phase's), target,
    uplift (target - natural), indicator_natural, indicator_target (null without a baseline of
    the indicator).
    """
    months = month_phases(monthly_targets, phases)
    days = months.group_by("phase").agg(pl.col("days").sum())
    phase_target = months.group_by("phase").agg(
        target=(pl.col("weight") * pl.col("target")).sum()
        / (1.0 if metric.kind is MetricKind.FLOW else pl.col("weight").sum())
    )
    natural = month_phases(natural_by_team_month, phases)
    teams = _phase_values(natural, metric, days)
    company = _phase_values(_company(natural), metric, days).drop("team")
    phase = phase_target.join(company, on="phase").select(
        "phase", gap=pl.col("target") - pl.col("value"), company_den=pl.col("denominator")
    )
    frame = assignments.join(phase, on="phase", how="inner").join(
        teams.rename({"value": "natural"}), on=["phase", "team"], how="left"
    )
    share_of_gap = pl.col("share") * pl.col("gap")
    if metric.kind is MetricKind.RATIO:
        share_of_gap = share_of_gap * pl.col("company_den") / pl.col("denominator")
    frame = frame.with_columns(target=pl.col("natural") + share_of_gap)
    indicators = _indicator_naturals(natural, assignments, catalogue, days)
    frame = frame.join(indicators, on=["phase", "team", "indicator"], how="left")
    relative = (pl.col("target") - pl.col("natural")) / pl.col("natural")
    return (
        frame.with_columns(
            uplift=pl.col("target") - pl.col("natural"),
            indicator_natural=pl.when(pl.col("indicator") == metric.metric)
            .then(pl.col("natural"))
            .otherwise(pl.col("indicator_natural")),
        )
        .with_columns(indicator_target=pl.col("indicator_natural") * (1 + relative))
        .join(phases.select("phase", "start_month"), on="phase")
        .sort("start_month", "team")
        .select(
            "phase", "team", "indicator", "share", "natural", "gap", "target", "uplift",
            "indicator_natural", "indicator_target",
        )
    )  # fmt: skip


def _company(natural: pl.DataFrame) -> pl.DataFrame:
    return natural.group_by("phase", "month", "metric").agg(
        pl.col("value").sum(), team=pl.lit(COMPANY)
    )


def _phase_values(natural: pl.DataFrame, metric: Metric, days: pl.DataFrame) -> pl.DataFrame:
    """A metric's natural value per (phase, team) in its own terms. Columns: phase, team, value,
    denominator (ratio only, else null)."""
    stored = natural.filter(pl.col("metric").is_in(list(metric.stored_metrics)))
    per_metric = [
        pl.col("value").filter(pl.col("metric") == name).sum().alias(name)
        for name in metric.stored_metrics
    ]
    sums = stored.group_by("phase", "team").agg(
        *per_metric, pl.col("metric").unique().len().alias("found")
    )
    sums = sums.filter(pl.col("found") == len(metric.stored_metrics)).join(days, on="phase")
    if metric.kind is MetricKind.RATIO:
        num, den = metric.stored_metrics
        value, denominator = pl.col(num) / pl.col(den), pl.col(den)
    else:
        per = pl.col("days") if metric.kind is MetricKind.LEVEL else pl.lit(1.0)
        value, denominator = pl.col(metric.metric) / per, pl.lit(None, pl.Float64)
    return sums.select("phase", "team", value.alias("value"), denominator.alias("denominator"))


def _indicator_naturals(
    natural: pl.DataFrame,
    assignments: pl.DataFrame,
    catalogue: Mapping[str, Metric],
    days: pl.DataFrame,
) -> pl.DataFrame:
    frames = [
        _phase_values(natural, catalogue[name], days).select(
            "phase", "team", indicator=pl.lit(name), indicator_natural="value"
        )
        for name in assignments["indicator"].unique().to_list()
        if name in catalogue
    ]
    schema = {"phase": pl.String, "team": pl.String, "indicator": pl.String}
    empty = pl.DataFrame(schema=schema | {"indicator_natural": pl.Float64})
    return pl.concat(frames) if frames else empty


def phase_shortfalls(
    monthly_targets: pl.DataFrame,
    actuals: pl.DataFrame,
    phases: pl.DataFrame,
    *,
    kind: MetricKind,
    higher_is_better: bool = True,
) -> pl.DataFrame:
    """How each phase stands. `actuals`: month, actual (goal terms), complete (every day seen).

    Columns: phase, start_month, end_month, target, actual, shortfall (> 0: short of the target),
    ended (every month of the phase complete).
    """
    months = month_phases(monthly_targets, phases).join(actuals, on="month", how="left")
    divisor = 1.0 if kind is MetricKind.FLOW else pl.col("weight").sum()
    sums = months.group_by("phase").agg(
        target=(pl.col("weight") * pl.col("target")).sum() / divisor,
        actual=(pl.col("weight") * pl.col("actual")).sum() / divisor,
        ended=pl.col("complete").fill_null(False).all(),
    )
    short = pl.col("target") - pl.col("actual")
    return (
        phases.select("phase", "start_month", "end_month")
        .join(sums, on="phase")
        .with_columns(shortfall=short if higher_is_better else -short)
        .select("phase", "start_month", "end_month", "target", "actual", "shortfall", "ended")
        .sort("start_month")
    )


def respread_shortfall(
    monthly_targets: pl.DataFrame,
    actuals: pl.DataFrame,
    phases: pl.DataFrame,
    from_phase: str,
    *,
    kind: MetricKind,
    target: float,
    higher_is_better: bool = True,
) -> pl.DataFrame:
    """Move an ended phase's shortfall onto the later phases' months, keeping the goal's total.

    The phase's months are set to their actuals (marked overridden, with a note) and every later
    month not overridden by hand is scaled by one factor so the months still add up to `target`.
    Columns: as `monthly_targets` (month, days, weight, target, method_target, overridden, note).
    """
    standing = phase_shortfalls(
        monthly_targets, actuals, phases, kind=kind, higher_is_better=higher_is_better
    ).filter(pl.col("phase") == from_phase)
    if standing.is_empty():
        known = ", ".join(phases["phase"])
        raise DataopsError(f"there is no phase {from_phase!r}. Fix: use one of {known}")
    row = standing.row(0, named=True)
    if not row["ended"]:
        raise DataopsError(
            f"phase {from_phase} has not ended (or its data is incomplete), so its shortfall is "
            "not known yet. Fix: re-spread after its last month's data is in"
        )
    if row["shortfall"] <= 0:
        raise DataopsError(
            f"phase {from_phase} is not short of its target (actual {row['actual']:,.6g} vs "
            f"target {row['target']:,.6g}); there is nothing to re-spread"
        )
    frame = monthly_targets.join(actuals.select("month", "actual"), on="month", how="left")
    in_phase = (pl.col("month") >= row["start_month"]) & (pl.col("month") <= row["end_month"])
    later = (pl.col("month") > row["end_month"]) & ~pl.col("overridden")
    note = f"set to actual: phase {from_phase}'s shortfall re-spread over later months"
    frame = frame.with_columns(
        target=pl.when(in_phase).then("actual").otherwise("target"),
        overridden=pl.col("overridden") | in_phase,
        note=pl.when(in_phase).then(pl.lit(note)).otherwise("note"),
    )
    rest = frame.filter(later)
    if rest.is_empty():
        raise DataopsError(
            f"no later month is free to take phase {from_phase}'s shortfall (none left, or all "
            "overridden by hand). Fix: clear an override of a later month first"
        )
    fixed = frame.filter(~later)
    fixed_mass = float((fixed["weight"] * fixed["target"]).sum())
    rest_mass = float((rest["weight"] * rest["target"]).sum())
    scale = (goal_mass(kind, target, frame) - fixed_mass) / rest_mass
    return frame.with_columns(
        target=pl.when(later).then(pl.col("target") * scale).otherwise("target")
    ).select(*monthly_targets.columns)
