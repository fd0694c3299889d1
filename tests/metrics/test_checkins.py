"""Check-ins: validated whole, filtered by goal and team, never lost when saved at once."""

from __future__ import annotations

import datetime as dt
import threading
import uuid

import pytest

from metrics.plan import decomposition as dec
from metrics.plan.checkins import MAX_TEXT, add_checkin, load_checkins
from metrics.plan.edits import set_goal
from metrics.plan.goals import Goal
from metrics.store.connection import open_store
from metrics.store.errors import ValidationFailed
from tests.metrics.plan_factories import GOAL_YEAR, seed_company

GOAL = f"gmv_{GOAL_YEAR}"


def with_goal(con) -> None:
    seed_company(con)
    start, end = dt.date(GOAL_YEAR, 1, 1), dt.date(GOAL_YEAR, 12, 31)
    set_goal(con, Goal(GOAL, "GMV", "gmv", start, end, 1.7e9, dec.Method.EVEN), "ana")


@pytest.fixture
def company(con):
    with_goal(con)
    return con


def test_a_checkin_is_saved_and_read_back_newest_first(company):
    first = add_checkin(company, "growth", GOAL, "ana", "on_track", notes="coupons live")
    second = add_checkin(
        company, "promo", GOAL, "ben", "at_risk", problems="618 stock late", next_actions="chase"
    )
    add_checkin(company, "growth", None, "ana", "on_track", notes="not tied to a goal")
    assert uuid.UUID(first) and first != second
    rows = load_checkins(company, goal_id=GOAL)
    assert rows["checkin"].to_list() == [second, first]
    promo = rows.row(0, named=True)
    assert (promo["team"], promo["department"], promo["status"]) == (
        "promo",
        "marketing",
        "at_risk",
    )
    assert promo["problems"] == "618 stock late" and promo["next_actions"] == "chase"
    assert load_checkins(company, team="growth").height == 2
    assert load_checkins(company, goal_id=GOAL, team="growth")["checkin"].to_list() == [first]
    assert load_checkins(company).height == 3


@pytest.mark.parametrize(
    ("fields", "fragments"),
    [
        ({"team": "ghosts"}, ["column 'team', value 'ghosts': is not a team"]),
        ({"team": "unassigned"}, ["value 'unassigned': is not a team"]),
        ({"goal_id": "gmv_1999"}, [f"value 'gmv_1999': is not a goal. Fix: use one of {GOAL}"]),
        ({"status": "fine"}, ["value 'fine': is not a status"]),
        ({"status": "off_track"}, ["is off_track without problems"]),
        (
            {"author": " ", "notes": "x" * (MAX_TEXT + 1), "status": "great"},
            ["has no author", f"is {MAX_TEXT + 1} characters long", "is not a status"],
        ),
    ],
)
def test_bad_checkins_are_refused_with_every_problem(company, fields, fragments):
    values = {"team": "growth", "goal_id": GOAL, "author": "ana", "status": "on_track"} | fields
    with pytest.raises(ValidationFailed) as raised:
        add_checkin(company, **values)
    found = [str(problem) for problem in raised.value.problems]
    assert len(found) == len(fragments)
    for fragment in fragments:
        assert any(fragment in problem for problem in found), (fragment, found)
    assert load_checkins(company).is_empty()


def test_checkins_saved_at_the_same_moment_both_persist(tmp_path):
    path = tmp_path / "store.duckdb"
    with open_store(path) as con:
        with_goal(con)
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def report(team: str, author: str) -> None:
        barrier.wait()
        try:
            with open_store(path) as con:
                add_checkin(con, team, GOAL, author, "at_risk", problems=f"{author}'s problem")
        except BaseException as error:  # surfaced below: a thread's exception is otherwise lost
            errors.append(error)

    people = [("growth", "ana"), ("content", "ben"), ("promo", "cy"), ("growth", "dee")]
    threads = [threading.Thread(target=report, args=person) for person in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with open_store(path, read_only=True) as con:
        saved = load_checkins(con, goal_id=GOAL)
    assert sorted(saved["author"].to_list()) == ["ana", "ben", "cy", "dee"]
