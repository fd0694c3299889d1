"""Forecasts: each series' natural growth, its parts, how well it forecasts, and the runs in use.

The rolling forecast of a series is fitted on its last three years (initiative days masked) and
runs 90 days ahead; its model was chosen by backtests 90 and 180 days back, and the first of them
compares it with seasonal-naive. Intervals are learnt from those backtests' errors (the
calibration table). Goal baselines are frozen runs of the same series: the table at the bottom
says which.
"""

from __future__ import annotations

import streamlit as st

from metrics.access.roles import Action
from metrics.forecasts import reads as fs
from metrics.plan.goals import list_goals
from metrics.store.errors import DataopsError
from ui import forecast_charts as charts
from ui.access_view import allowed
from ui.store_access import authorised, read, store_path
from ui.text import md_text
from ui.widgets import progress_bar, table
from workflows.forecasts import refit_forecasts

METRIC_KEY, TEAM_KEY = "forecasts-metric", "forecasts-team"
PERCENT = st.column_config.NumberColumn(format="percent")

st.title("Forecasts")
st.caption(
    "Natural growth: what each series would do without operations work. Shaded green: days "
    "left out of the fit because an initiative (or its payback) ran; shaded purple: festivals."
)


def refresh() -> None:
    """Refit the series whose data changed, with a progress bar; say what happened."""
    try:
        authorised(Action.REFIT)  # the workflow opens the store itself, so ask first
    except DataopsError as error:
        st.error(f"Not refreshed: {error}")
        return
    with progress_bar("Checking which series changed…") as progress:
        report = refit_forecasts(store_path(), progress=progress)
    st.success(md_text(f"Forecasts refreshed: {report.summary()}."))
    for item in report.failed:
        st.warning(md_text(f"{item.label} could not be fitted: {item.reason}"))


left, right = st.columns([3, 1])
right.button(
    "Refresh forecasts", icon=":material/refresh:", key="forecasts-refresh",
    help="Refits only the series whose data, masked days or calendar changed (all cores).",
    disabled=not allowed(Action.REFIT),
)  # fmt: skip
if st.session_state.get("forecasts-refresh"):
    with left:
        refresh()

runs = read(fs.rolling_runs)
if runs.is_empty():
    st.info(
        "No forecasts yet. Press **Refresh forecasts** to fit every series (a few seconds each)."
    )
    st.stop()

st.subheader("Every series")
table(
    charts.runs_table(runs),
    name="forecast_runs",
    column_config={
        "fitted_at": st.column_config.DatetimeColumn("fitted at", format="YYYY-MM-DD HH:mm"),
        "trained_from": st.column_config.DateColumn("trained from", format="YYYY-MM-DD"),
        "trained_to": st.column_config.DateColumn("trained to", format="YYYY-MM-DD"),
        "model_smape": st.column_config.NumberColumn("model sMAPE", format="percent"),
        "naive_smape": st.column_config.NumberColumn("seasonal-naive sMAPE", format="percent"),
        "coverage": st.column_config.NumberColumn(
            "coverage",
            format="percent",
            help="Backtest window totals inside the calibrated 80% interval (series left out)",
        ),
    },
)

good = runs.filter(runs["status"] == "ok")
if good.is_empty():
    st.warning("No series has a good forecast yet: the table above says why each one failed.")
    st.stop()
metrics = sorted(set(good["metric"]))
metric_column, team_column = st.columns(2)
metric = metric_column.selectbox("Metric", metrics, key=METRIC_KEY)
team = team_column.selectbox("Team", charts.teams_of(good, metric), key=TEAM_KEY)
if metric is None or team is None:
    st.stop()

frame = read(fs.rolling_forecast, metric, team)
run = charts.run_of(good, metric, team)
festivals = read(fs.festivals_between, frame["day"].min(), frame["day"].max())
st.plotly_chart(
    charts.natural_figure(frame, festivals, title=f"{metric} · {team}: actual and natural growth"),
    theme="streamlit", key="forecasts-natural",
)  # fmt: skip

model, naive, coverage, masked = st.columns(4)
model.metric("Model sMAPE (backtest)", f"{run['model_smape']:.1%}" if run["horizon"] else "—")
naive.metric("Seasonal-naive sMAPE", f"{run['naive_smape']:.1%}" if run["horizon"] else "—")
coverage.metric(
    "Interval coverage (backtest)",
    f"{run['coverage']:.0%}" if run["coverage"] is not None else "—",
    help="Share of this series' backtest window totals inside its calibrated 80% interval",
)
masked.metric("Masked training days", f"{run['masked_days']:,}")
st.caption(
    f"Run {run['run']}, fitted {run['created_at']} "
    f"on {run['train_start']} – {run['train_end']}; model: {charts.model_text(run['settings'])}; "
    f"public holidays: {md_text(run['country'] or 'none')}. The backtest held out the last "
    f"{run['horizon'] or '—'} days and chose its model on the days before them."
)

st.subheader("Components")
st.plotly_chart(charts.components_figure(frame), theme="streamlit", key="forecasts-components")

with st.expander("How the model was chosen"):
    st.caption(
        "Each candidate fitted on the training days before each origin and scored on the mean "
        "error of its running totals over the next 90 days. The default (blend) is kept unless "
        "a challenger halves its error at every origin."
    )
    table(
        charts.selection_table(run["selection"]),
        name=f"model_choice_{metric}_{team}",
        column_config={"chosen": st.column_config.CheckboxColumn("chosen")},
        empty="This series was too short for a backtest; the default (blend) was used.",
    )

st.subheader("How the intervals were learnt")
st.caption(
    "Each 80% interval comes from how wrong the baseline was on the series' own history: the "
    "errors of window totals in its backtests, pooled over the metric's series. Half-width: of "
    "the whole forecast period's total; coverage: the series' backtest totals inside its "
    "interval when left out of the pool (0.80 is right)."
)
goals = read(list_goals)
scopes = (
    ["rolling forecasts", *goals["goal"].to_list()]
    if not goals.is_empty()
    else ["rolling forecasts"]
)
scope = st.selectbox("Intervals of", scopes, key="forecasts-calibration-scope")
calibrations = (
    read(fs.run_calibrations, "rolling", None)
    if scope == "rolling forecasts"
    else read(fs.run_calibrations, "goal", scope)
)
table(
    charts.calibration_table(calibrations),
    name=f"calibration_{scope}",
    column_config={
        name: PERCENT
        for name in (
            "half_width",
            "backtest_coverage",
            "level_error",
            "slope_error_per_year",
            "daily_noise",
        )
    },
    empty="No calibrated runs here yet.",
)

st.subheader("Goal baselines of this series")
table(
    read(fs.series_goal_runs, metric, team),
    name=f"goal_runs_{metric}_{team}",
    empty="No goal has frozen a baseline of this series yet (goals fit theirs on the Goals page).",
)

st.subheader("The forecast, day by day")
table(frame, name=f"forecast_{metric}_{team}", height=300)
