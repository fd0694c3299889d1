"""How a step tells its caller how far it is: the CLI draws a rich bar, the app `st.progress`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Step:
    """What a workflow is doing now. Within a batch of fits `done` of `total` are finished and
    `label` is the series just fitted; a stage without a count has `total` None."""

    stage: str  # e.g. "fitting the natural baseline", "writing the store"
    done: int = 0
    total: int | None = None
    label: str = ""

    def __str__(self) -> str:
        if self.total is None:
            return self.stage
        return f"{self.stage} {self.done}/{self.total}" + (f" ({self.label})" if self.label else "")

    @property
    def fraction(self) -> float | None:
        """Share done, for a progress bar; None for a stage without a count."""
        if self.total is None:
            return None
        return self.done / self.total if self.total else 1.0


Progress = Callable[[Step], None]


def quiet(step: Step) -> None:
    """The default: report nothing."""


def fits(progress: Progress, stage: str) -> Callable[[int, int, str], None]:
    """The forecasting runner's `progress(done, total, label)` as steps of `stage`."""
    return lambda done, total, label: progress(Step(stage, done, total, label))
