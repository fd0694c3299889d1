"""metrics.csv: `metric,name,kind,unit,numerator,denominator,higher_is_better`.

A ratio names two flow metrics (in the store or in the same file) as numerator and denominator;
flows and levels leave both empty. `kind` and `higher_is_better` are read case-insensitively,
since spreadsheets write TRUE/FALSE; `unit` may be empty.
"""

from __future__ import annotations

import polars as pl

from metrics.importing.checks import (
    Check,
    known,
    not_in_store,
    one_of,
    plain_id,
    required,
    unique,
)
from metrics.importing.context import Known
from metrics.importing.kinds import Format, ImportKind
from metrics.store.catalog import MetricKind

COLUMNS = ("metric", "name", "kind", "unit", "numerator", "denominator", "higher_is_better")
PARTS = ("numerator", "denominator")
KINDS = tuple(MetricKind)
KIND_MEANING = "flow: summed over days, level: averaged over days, ratio: numerator / denominator"
IS_RATIO = pl.col("_kind") == MetricKind.RATIO
NEW_METRIC = "declare it in this file (any row) or import it first"


def typed(frame: pl.DataFrame) -> pl.DataFrame:
    """Adds _kind (lower case) and _better (Boolean, null unless true/false)."""
    better = pl.col("higher_is_better").str.to_lowercase()
    return frame.with_columns(
        pl.col("kind").str.to_lowercase().alias("_kind"),
        pl.when(better.is_in(["true", "false"])).then(better == "true").alias("_better"),
    )


def checks(known_ids: Known, replace: bool) -> list[Check]:
    rules = [
        *(required(c) for c in ("metric", "name", "kind", "higher_is_better")),
        plain_id("metric", "metric"),
        one_of("kind", KINDS, KIND_MEANING),
        one_of("higher_is_better", ("true", "false"), "whether a rise is good news"),
        *(_part_only_for_ratios(part) for part in PARTS),
        *(_part_of_ratio_required(part) for part in PARTS),
        *(_known_part(part, known_ids) for part in PARTS),
        *(_part_is_flow(part, known_ids) for part in PARTS),
        _parts_differ(),
        unique(("metric",), "metric", "metric", "metric id"),
        _ratio_without_observations(known_ids),
        _still_flow_for_stored_ratio(known_ids),
    ]
    return rules if replace else [*rules, not_in_store("metric", "metric", "metric id")]


def _part_only_for_ratios(part: str) -> Check:
    return Check(
        f"a {part} on a metric that is not a ratio",
        pl.col("_kind").is_in([MetricKind.FLOW, MetricKind.LEVEL]) & pl.col(part).is_not_null(),
        f"a {{_kind}} metric has no {part}",
        f"leave the {part} empty, or make the metric a ratio",
        column=part,
    )


def _part_of_ratio_required(part: str) -> Check:
    return Check(
        f"a ratio without a {part}",
        IS_RATIO & pl.col(part).is_null(),
        f"a ratio metric needs a {part}",
        f"name the flow metric for the {part}, e.g. orders / visitors for a conversion rate",
        column=part,
        value=pl.lit(""),
    )


def _known_part(part: str, known_ids: Known) -> Check:
    check = known(part, known_ids.metrics, "metric", NEW_METRIC)
    return Check(check.summary, IS_RATIO & check.failing, check.message, check.fix, column=part)


def _part_is_flow(part: str, known_ids: Known) -> Check:
    kinds = dict(known_ids.metric_kinds)
    part_kind = pl.col(part).replace_strict(kinds, default=None, return_dtype=pl.String)
    return Check(
        f"a {part} that is not a flow metric",
        IS_RATIO & part_kind.is_not_null() & (part_kind != MetricKind.FLOW),
        "is a {_part_kind} metric, but a ratio divides flow metrics (summed over days)",
        f"name a flow metric as the {part}",
        column=part,
        context=(part_kind.alias("_part_kind"),),
    )


def _parts_differ() -> Check:
    return Check(
        "the same numerator and denominator",
        IS_RATIO & (pl.col("numerator") == pl.col("denominator")),
        "is also the numerator, so the ratio would always be 1",
        "name two different flow metrics",
        column="denominator",
    )


def _ratio_without_observations(known_ids: Known) -> Check:
    # Only reachable with --replace: a stored metric redefined as a ratio.
    return Check(
        "a ratio that the store has observations of",
        IS_RATIO & pl.col("metric").is_in(list(known_ids.observed_metrics)),
        "the store holds observations of this metric, and a ratio is computed, never stored",
        "keep its kind, or give the ratio a new id",
        column="metric",
    )


def _still_flow_for_stored_ratio(known_ids: Known) -> Check:
    users = dict(known_ids.part_of_stored_ratio)
    return Check(
        "a metric that a stored ratio divides, made not a flow",
        pl.col("metric").is_in(list(users))
        & pl.col("_kind").is_in(list(KINDS))
        & (pl.col("_kind") != MetricKind.FLOW),
        "the stored ratio {_user!r} divides this metric, so it must stay a flow metric",
        "keep its kind flow, or redefine {_user} in the same file",
        column="kind",
        context=(
            pl.col("metric")
            .replace_strict(users, default=None, return_dtype=pl.String)
            .alias("_user"),
        ),
    )


def rows(frame: pl.DataFrame) -> pl.DataFrame:
    """Output columns: metric, name, kind, unit, numerator, denominator, higher_is_better."""
    return frame.select(
        "metric",
        "name",
        pl.col("_kind").alias("kind"),
        pl.col("unit").fill_null(""),
        "numerator",
        "denominator",
        pl.col("_better").alias("higher_is_better"),
    )


FORMAT = Format(
    ImportKind.METRICS,
    COLUMNS,
    table="metrics",
    key={"metric": "metric"},
    typed=typed,
    checks=checks,
    rows=rows,
)
