"""What a batch of fits did, series by series: fitted, skipped (cached or kept), or failed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

# progress(done, total, label): the CLI drives a rich bar with it, the app `st.progress`.
Progress = Callable[[int, int, str], None]


class Outcome(StrEnum):
    FITTED = "fitted"
    SKIPPED = "skipped"  # inputs unchanged (cache hit), or a frozen baseline kept
    FAILED = "failed"


@dataclass(frozen=True)
class SeriesOutcome:
    metric: str
    team: str
    outcome: Outcome
    reason: str | None = None  # why it was skipped or failed
    run: int | None = None  # the run written, or the run kept in use
    seconds: float = 0.0  # fitting time inside the worker

    @property
    def label(self) -> str:
        return f"{self.metric} / {self.team}"


@dataclass(frozen=True)
class RunReport:
    purpose: str  # "goal" or "rolling"
    goal: str | None
    country: str
    outcomes: tuple[SeriesOutcome, ...]
    seconds: float  # wall time of the whole batch

    def _with(self, outcome: Outcome) -> tuple[SeriesOutcome, ...]:
        return tuple(item for item in self.outcomes if item.outcome is outcome)

    @property
    def fitted(self) -> tuple[SeriesOutcome, ...]:
        return self._with(Outcome.FITTED)

    @property
    def skipped(self) -> tuple[SeriesOutcome, ...]:
        return self._with(Outcome.SKIPPED)

    @property
    def failed(self) -> tuple[SeriesOutcome, ...]:
        return self._with(Outcome.FAILED)

    def summary(self) -> str:
        what = f"goal {self.goal!r} baseline" if self.goal else "rolling forecasts"
        why = "kept or copied" if self.goal else "unchanged"
        return (
            f"{what}: {len(self.fitted)} fitted, {len(self.skipped)} skipped ({why}), "
            f"{len(self.failed)} failed, in {self.seconds:.1f} s"
        )


def noop_progress(done: int, total: int, label: str) -> None:
    """The default: report nothing."""
