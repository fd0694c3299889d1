"""The Data page: catalogue and health from the store, uploads refused whole or written whole."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from metrics.store.connection import open_store
from tests.app_pages.conftest import APP, start_app

DATA_PAGE = "app_pages/data.py"

TEAMS = b"team,name,department\ngrowth,Growth,growth\n"
METRICS = b"metric,name,kind,unit,numerator,denominator,higher_is_better\ngmv,GMV,flow,CNY,,,true\n"
OBSERVATIONS = b"date,metric,team,value\n2026-01-01,gmv,growth,10\n2026-01-03,gmv,growth,12\n"


def store_contents(path: Path) -> dict[str, list[tuple]]:
    with open_store(path, read_only=True) as con:
        return {
            table: con.execute(f"select * from {table} order by all").fetchall()
            for table in ("teams", "metrics", "observations")
        }


@pytest.fixture
def app(store_path, monkeypatch):
    return start_app(store_path, monkeypatch, DATA_PAGE)


def upload(app: AppTest, files: list[tuple[str, bytes]]) -> AppTest:
    app.file_uploader(key="import-files").set_value(
        [(name, data, "text/csv") for name, data in files]
    ).run()
    app.button[0].click().run()
    return app


def test_an_upload_with_problems_is_refused_whole_and_every_problem_is_listed(app, store_path):
    before = store_contents(store_path)
    bad_observations = (
        b"date,metric,team,value\n2026-13-01,gmv,growth,ten\n2026-01-02,gmv,nobody,1\n"
    )
    upload(
        app,
        [("teams.csv", TEAMS), ("metrics.csv", METRICS), ("observations.csv", bad_observations)],
    )

    assert not app.exception
    assert app.error[0].value.startswith("Refused: 3 problem(s) found, nothing was written")
    problems = app.dataframe[-1].value
    assert set(problems["column"]) == {"date", "value", "team"}
    assert set(problems["row"]) == {2, 3}
    assert store_contents(store_path) == before


def test_a_clean_upload_is_written_and_shows_in_catalogue_and_health(app, store_path):
    upload(
        app, [("teams.csv", TEAMS), ("metrics.csv", METRICS), ("observations.csv", OBSERVATIONS)]
    )

    assert not app.exception
    assert "Imported" in app.success[0].value
    assert store_contents(store_path)["observations"][0][1:] == ("gmv", "growth", 10.0)

    app.run()  # a rerun reads the new store version, not a stale cache
    catalogue, health = app.dataframe[0].value, app.dataframe[1].value
    assert catalogue.loc[0, "metric"] == "gmv" and catalogue.loc[0, "rows"] == 2
    assert health.loc[0, "missing_days"] == 1


def test_empty_store_says_what_to_do_next(app):
    assert not app.exception
    assert any("import a metrics file" in info.value for info in app.info)


def test_every_table_can_be_downloaded_from_the_export_tab(app):
    assert app.selectbox(key="export-table").options[0] == "teams"
    assert any(button.label.startswith("Download teams") for button in app.get("download_button"))


def test_without_a_store_the_app_says_how_to_build_one(tmp_path, monkeypatch):
    monkeypatch.setenv("DATAOPS_STORE", str(tmp_path / "absent.duckdb"))
    app = AppTest.from_file(APP, default_timeout=60).run()
    assert not app.exception
    assert "make run" in app.sidebar.error[0].value
