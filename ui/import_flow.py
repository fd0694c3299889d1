"""The Data page's upload: every file validated together, written all-or-nothing."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from metrics.access.roles import Action
from metrics.importing import ImportKind, parse_files
from metrics.importing.log import import_files_by
from metrics.store.errors import ValidationFailed, problems_frame
from ui.identity import current_person
from ui.store_access import write
from ui.words import CONTROLS


@dataclass(frozen=True)
class UploadOutcome:
    summary: str  # what was written, e.g. "12 teams, 3,400 observations"
    problems: pl.DataFrame  # empty when the import went through
    problem_count: int = 0  # rows at fault, including those a summary line stands for

    @property
    def refused(self) -> bool:
        return not self.problems.is_empty()


def guess_kind(file_name: str) -> ImportKind | None:
    """`teams.csv`, `my-observations-2026.csv` -> the kind their name mentions, if exactly one."""
    lowered = file_name.lower()
    matches = [kind for kind in ImportKind if kind.value.rstrip("s") in lowered]
    return matches[0] if len(matches) == 1 else None


def run_import(files: list[tuple[ImportKind, str, bytes]], *, replace: bool) -> UploadOutcome:
    parsed = parse_files(files)  # the costly part, before the store's lock is taken
    try:
        by = current_person()
        report = write(import_files_by, parsed, by.email if by else "", replace=replace,
                       needs=Action.IMPORT_DATA)  # fmt: skip
    except ValidationFailed as refused:
        return UploadOutcome(
            summary="nothing",
            problems=problems_frame(refused.problems, CONTROLS),
            problem_count=refused.count,
        )
    return UploadOutcome(summary=str(report), problems=problems_frame([]))
