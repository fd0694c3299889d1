"""How a goal and its monthly targets are printed, by `dataops goal` and `dataops phase`."""

from __future__ import annotations

import polars as pl

from cli.common import cell_text, frame_table, out
from metrics.plan.goals import Goal
from metrics.plan.months import GoalSaved


def print_saved(saved: GoalSaved) -> None:
    print_goal(saved.goal, saved.targets)
    for message in saved.messages:
        out.print(f"note: {message}", markup=False)
    if saved.pending:
        out.print("pending: the monthly targets follow once the baseline is frozen", markup=False)


def print_goal(goal: Goal, targets: pl.DataFrame) -> None:
    out.print(
        f"goal {goal.goal} ({goal.name}): {goal.metric} {goal.start_day} to {goal.end_day}, "
        f"target {cell_text(goal.target)}, method {goal.method}, "
        f"last changed by {goal.updated_by}",
        markup=False,
    )
    if targets.is_empty():
        out.print("no monthly targets yet (waiting for the natural baseline)", markup=False)
        return
    shown = targets.select(
        pl.col("month").dt.strftime("%Y-%m"),
        "days",
        "target",
        "method_target",
        pl.when("overridden").then(pl.lit("yes")).otherwise(pl.lit("")).alias("overridden"),
        pl.col("note").fill_null(""),
    )
    out.print(frame_table(shown, "monthly targets"))
