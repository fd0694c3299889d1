"""Sources without a server: URI templates, windows, definitions and freshness."""

from __future__ import annotations

import datetime as dt

import pytest

from metrics.sources import definitions as defs
from metrics.sources.freshness import metric_freshness, metric_lateness, set_metric_lag
from metrics.sources.runs import read_window
from metrics.sources.templates import SourceRefused, check_template, expand, mask
from metrics.store.errors import DataopsError

D = dt.date


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("postgresql://ana:hunter2@db:5432/dw", "postgresql://ana:***@db:5432/dw"),
        ("postgresql://ana:${PW}@db/dw", "postgresql://ana:${PW}@db/dw"),
        (
            "postgresql://db/dw?user=ana&password=hunter2&x=1",
            "postgresql://db/dw?user=ana&password=***&x=1",
        ),
        ('failed for "postgresql://a:b@h/d"', 'failed for "postgresql://a:***@h/d"'),
        ("/data/lake/*.parquet", "/data/lake/*.parquet"),
    ],
)
def test_mask_hides_passwords_but_not_variable_names(text, shown):
    assert mask(text) == shown


@pytest.mark.parametrize(
    "uri",
    [
        "postgresql://ana:hunter2@db/dw",
        "postgresql://db/dw?password=hunter2",
        "postgresql://a:x${P}@h/d",
    ],
)
def test_a_uri_with_a_literal_password_is_refused_without_showing_it(uri):
    with pytest.raises(SourceRefused) as refused:
        check_template(uri)
    assert "hunter2" not in str(refused.value) and "${PGPASSWORD}" in str(refused.value)


def test_expand_fills_references_and_scrubs_their_values_from_messages():
    expanded = expand("postgresql://ana:${PW}@${HOST}/dw", {"PW": "hunter2", "HOST": "db"})
    assert expanded.uri == "postgresql://ana:hunter2@db/dw"
    assert "hunter2" not in expanded.scrub(f"could not connect to {expanded.uri}: hunter2 wrong")


def test_expand_names_every_missing_variable():
    with pytest.raises(DataopsError, match="no A, B"):
        expand("postgresql://${A}:${B}@h/d", {})


@pytest.mark.parametrize(
    ("last", "since", "restate", "first"),
    [
        (None, None, 7, None),  # first sync reads everything
        (D(2026, 11, 20), None, 7, D(2026, 11, 13)),
        (D(2026, 11, 20), None, 0, D(2026, 11, 20)),
        (D(2026, 11, 20), D(2026, 1, 1), 7, D(2026, 1, 1)),  # --since wins
    ],
)
def test_read_window(last, since, restate, first):
    assert read_window(last, since, restate) == first


def test_sources_are_added_listed_masked_and_removed(con):
    source = defs.Source("wh", defs.SourceKind.POSTGRES, defs.Target.OBSERVATIONS,
                         "postgresql://ana:${PW}@db/dw", "select 1")  # fmt: skip
    defs.add_source(con, source, "ana")
    assert defs.load_source(con, "wh") == source
    with pytest.raises(SourceRefused, match="exists"):
        defs.add_source(con, source, "ana")
    assert defs.sources_table(con)["uri"].to_list() == ["postgresql://ana:${PW}@db/dw"]
    defs.remove_source(con, "wh")
    with pytest.raises(defs.UnknownSource, match="no source named 'wh'"):
        defs.remove_source(con, "wh")


@pytest.mark.parametrize(
    ("source", "message"),
    [
        (defs.Source("a b", defs.SourceKind.CSV, defs.Target.TEAMS, "/x.csv"), "not usable"),
        (
            defs.Source("f", defs.SourceKind.CSV, defs.Target.TEAMS, "/x.csv", "select 1"),
            "a query is for postgres",
        ),
        (defs.Source("f", defs.SourceKind.CSV, defs.Target.TEAMS, "/x.csv", None, -1), "negative"),
    ],
)
def test_unusable_sources_are_refused(source, message):
    with pytest.raises(SourceRefused, match=message):
        defs.validate_source(source)


def seed(con, last_day: dt.date):
    con.execute("insert into teams values ('t', 'T', 'd')")
    con.execute(
        "insert into metrics values ('gmv', 'GMV', 'flow', 'CNY', null, null, true),"
        " ('orders', 'Orders', 'flow', '', null, null, true),"
        " ('aov', 'AOV', 'ratio', '', 'gmv', 'orders', true)"
    )
    con.execute(
        "insert into observations values ($1, 'gmv', 't', 1), ($2, 'orders', 't', 1)",
        [last_day, last_day - dt.timedelta(days=3)],
    )


def test_freshness_expects_yesterday_and_a_ratio_is_as_fresh_as_its_staler_part(con):
    seed(con, D(2026, 11, 20))
    frame = metric_freshness(con, D(2026, 11, 27))
    late = dict(zip(frame["metric"], frame["days_late"], strict=True))
    assert late == {"aov": 9, "gmv": 6, "orders": 9}
    assert str(metric_lateness(con, "gmv", D(2026, 11, 27))) == "data up to 2026-11-20, 6 days late"
    assert metric_lateness(con, "gmv", D(2026, 11, 21)) is None


def test_a_metric_with_a_longer_lag_is_on_time_later(con):
    seed(con, D(2026, 11, 20))
    set_metric_lag(con, "gmv", 7)
    assert metric_lateness(con, "gmv", D(2026, 11, 27)) is None
    assert str(metric_lateness(con, "gmv", D(2026, 11, 28))) == "data up to 2026-11-20, 1 day late"
