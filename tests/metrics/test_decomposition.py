"""Goal -> monthly targets: every method, every metric kind, reproduces the target exactly."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import pytest

from metrics.plan import decomposition as dec
from metrics.store.catalog import Metric, MetricKind
from metrics.store.errors import DataopsError

START, END = dt.date(2025, 1, 15), dt.date(2025, 12, 20)  # partial months at both ends
KINDS = [MetricKind.FLOW, MetricKind.LEVEL, MetricKind.RATIO]
TARGETS = {MetricKind.FLOW: 1.2e9, MetricKind.LEVEL: 55_000.0, MetricKind.RATIO: 0.034}


def natural_factory(kind: MetricKind, seed: int = 1) -> pl.DataFrame:
    """Monthly natural in goal terms with a seasonal wobble; ratio carries its denominator."""
    rng = np.random.default_rng(seed)
    months = dec.goal_months(START, END)
    scale = TARGETS[kind] / (1.1 * (months.height if kind is MetricKind.FLOW else 1))
    natural = scale * (1 + 0.3 * rng.standard_normal(months.height).clip(-2, 2) / 2)
    denominator = 1e6 * months["days"].to_numpy() * (1 + 0.2 * rng.random(months.height))
    return months.select(
        "month",
        natural=pl.Series(natural),
        denominator=pl.Series(denominator)
        if kind is MetricKind.RATIO
        else pl.lit(None, pl.Float64),
    )


def last_year_factory(kind: MetricKind) -> pl.DataFrame:
    return natural_factory(kind, seed=9).select("month", value=pl.col("natural") * 0.9)


def tactics_factory() -> pl.DataFrame:
    rows = [
        (dt.date(2025, 1, 1), "spring_festival", 3.0),
        (dt.date(2025, 6, 1), "618", 4.0),
        (dt.date(2025, 6, 1), "members_day", 1.0),
        (dt.date(2025, 11, 1), "double_11", 5.0),
    ]
    return pl.DataFrame(rows, schema=["month", "tactic", "weight"], orient="row")


def decomposed(method: dec.Method, kind: MetricKind) -> pl.DataFrame:
    natural = natural_factory(kind)
    months = dec.with_weights(kind, dec.goal_months(START, END), natural)
    return dec.decompose(
        method,
        kind,
        TARGETS[kind],
        months,
        natural=natural,
        last_year=last_year_factory(kind),
        tactics=tactics_factory(),
    )


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("method", list(dec.Method))
def test_every_method_reproduces_the_target_for_every_kind(method, kind):
    months = decomposed(method, kind)
    value = dec.period_value(kind, months, "method_target")
    assert value == pytest.approx(TARGETS[kind], rel=1e-12)
    assert months["month"].to_list() == dec.goal_months(START, END)["month"].to_list()


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("method", list(dec.Method))
def test_overrides_are_kept_and_the_rest_re_spread_to_the_target(method, kind):
    months = decomposed(method, kind)
    chosen = months.sample(2, seed=3).select(
        "month", target=pl.col("method_target") * 1.05, note=pl.lit("agreed in review")
    )
    result = dec.apply_overrides(kind, TARGETS[kind], months, chosen)
    assert dec.period_value(kind, result) == pytest.approx(TARGETS[kind], rel=1e-12)
    kept = result.filter("overridden").join(chosen, on="month", suffix="_set")
    assert kept.height == 2
    assert (kept["target"] == kept["target_set"]).all()
    assert kept["note"].to_list() == ["agreed in review"] * 2
    free = result.filter(~pl.col("overridden"))
    ratios = (free["target"] / free["method_target"]).to_numpy()
    assert ratios == pytest.approx(np.full(len(ratios), ratios[0]), rel=1e-12)  # shape kept


@pytest.mark.parametrize("kind", KINDS)
def test_no_overrides_leave_the_method_targets_untouched(kind):
    months = decomposed(dec.Method.TACTIC, kind)
    none = pl.DataFrame(schema={"month": pl.Date, "target": pl.Float64, "note": pl.String})
    result = dec.apply_overrides(kind, TARGETS[kind], months, none)
    assert result["target"].to_list() == months["method_target"].to_list()
    assert not result["overridden"].any()


def test_even_splits_flow_by_days_and_keeps_level_and_ratio_flat():
    flow = decomposed(dec.Method.EVEN, MetricKind.FLOW)
    per_day = flow["method_target"] / flow["days"]
    assert per_day.to_numpy() == pytest.approx(np.full(flow.height, per_day[0]), rel=1e-12)
    assert flow["days"][0] == 17 and flow["days"][-1] == 20  # partial first and last months
    for kind in (MetricKind.LEVEL, MetricKind.RATIO):
        values = decomposed(dec.Method.EVEN, kind)["method_target"].to_numpy()
        assert values == pytest.approx(np.full(len(values), TARGETS[kind]), rel=1e-12)


@pytest.mark.parametrize("kind", KINDS)
def test_tactic_puts_the_gap_only_in_tactic_months_in_proportion_to_weights(kind):
    natural = natural_factory(kind)
    months = decomposed(dec.Method.TACTIC, kind).join(natural, on="month")
    uplift_mass = (months["method_target"] - months["natural"]) * months["weight"]
    by_month = dict(zip(months["month"], uplift_mass, strict=True))
    quiet = [m for m in by_month if m.month not in (1, 6, 11)]
    assert all(abs(by_month[m]) < 1e-6 * abs(by_month[dt.date(2025, 6, 1)]) for m in quiet)
    assert by_month[dt.date(2025, 6, 1)] / by_month[dt.date(2025, 1, 1)] == pytest.approx(5 / 3)
    assert by_month[dt.date(2025, 11, 1)] / by_month[dt.date(2025, 1, 1)] == pytest.approx(5 / 3)


@pytest.mark.parametrize("kind", KINDS)
def test_natural_gives_every_month_the_same_relative_uplift(kind):
    months = decomposed(dec.Method.NATURAL, kind).join(natural_factory(kind), on="month")
    uplift = (months["method_target"] / months["natural"]).to_numpy()
    assert uplift == pytest.approx(np.full(len(uplift), uplift[0]), rel=1e-12)


@pytest.mark.parametrize(
    ("method", "inputs", "message"),
    [
        (dec.Method.LAST_YEAR, {"last_year": None}, "last year's observations has no value"),
        (dec.Method.NATURAL, {"natural": None}, "the natural baseline has no value"),
        (dec.Method.TACTIC, {"tactics": None}, "give tactic weights"),
        (
            dec.Method.TACTIC,
            {"tactics": tactics_factory().with_columns(weight=pl.lit(0.0))},
            "weights add up to 0",
        ),
    ],
)
def test_missing_inputs_are_refused_with_a_fix(method, inputs, message):
    natural = natural_factory(MetricKind.FLOW)
    kwargs = {"natural": natural, "last_year": last_year_factory(MetricKind.FLOW)}
    kwargs |= {"tactics": tactics_factory()} | inputs
    months = dec.with_weights(MetricKind.FLOW, dec.goal_months(START, END))
    with pytest.raises(DataopsError, match=message) as raised:
        dec.decompose(method, MetricKind.FLOW, 1e9, months, **kwargs)
    assert "Fix:" in str(raised.value)


def test_missing_last_year_months_are_all_named():
    partial = last_year_factory(MetricKind.FLOW).filter(pl.col("month").dt.month() > 3)
    months = dec.with_weights(MetricKind.FLOW, dec.goal_months(START, END))
    with pytest.raises(DataopsError, match="2025-01, 2025-02, 2025-03"):
        dec.decompose(dec.Method.LAST_YEAR, MetricKind.FLOW, 1e9, months, last_year=partial)


@pytest.mark.parametrize(
    ("factor", "every_month", "message"),
    [(30.0, False, "leaving -"), (1.0, True, "every month of the goal would be overridden")],
)
def test_impossible_overrides_are_refused(factor, every_month, message):
    months = decomposed(dec.Method.EVEN, MetricKind.FLOW)
    chosen = months if every_month else months.head(2)
    chosen = chosen.select("month", target=pl.col("method_target") * factor, note=pl.lit(None))
    with pytest.raises(DataopsError, match=message):
        dec.apply_overrides(MetricKind.FLOW, TARGETS[MetricKind.FLOW], months, chosen)


def baseline_factory(metric: Metric, start: dt.date, end: dt.date) -> pl.DataFrame:
    """Daily goal baseline of two teams, as forecast_store.goal_baseline returns it."""
    days = pl.date_range(start, end, "1d", eager=True)
    frames = []
    for name in metric.stored_metrics:
        for team, level in (("growth", 100.0), ("unassigned", 50.0)):
            value = level * (10 if name == "visitors" else 1)
            frames.append(
                pl.DataFrame({"day": days}).with_columns(
                    metric=pl.lit(name), team=pl.lit(team), yhat=pl.lit(value)
                )
            )
    return pl.concat(frames)


@pytest.mark.parametrize(
    ("metric", "january", "denominator"),
    [
        (Metric("gmv", "GMV", MetricKind.FLOW, "CNY"), 150.0 * 17, None),
        (Metric("dau", "DAU", MetricKind.LEVEL, "users"), 150.0, None),
        (
            Metric("cr", "Conv.", MetricKind.RATIO, "%", "orders", "visitors"),
            0.1,
            1500.0 * 17,
        ),
    ],
)
def test_monthly_natural_sums_teams_in_the_goal_terms(metric, january, denominator):
    months = dec.goal_months(START, END)
    natural = dec.monthly_natural(metric, baseline_factory(metric, START, END), months)
    assert natural["natural"][0] == pytest.approx(january)
    assert natural["denominator"][0] == (pytest.approx(denominator) if denominator else None)


def test_monthly_natural_refuses_a_baseline_that_misses_days():
    metric = Metric("gmv", "GMV", MetricKind.FLOW, "CNY")
    short = baseline_factory(metric, START, dt.date(2025, 11, 30))
    with pytest.raises(DataopsError, match="does not cover every day of 2025-12"):
        dec.monthly_natural(metric, short, dec.goal_months(START, END))
