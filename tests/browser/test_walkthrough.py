"""A real user in a real browser: every page, a team's deep link, a check-in, a CSV download."""

from __future__ import annotations

import shutil
import uuid

import pytest

from tests.browser.conftest import serve

pytestmark = pytest.mark.browser

PAGES = [  # url path, heading (the default page lives at "/" only)
    ("", "Overview"),
    ("review", "Review meeting"),
    ("team", "Team review"),
    ("goals", "Goals"),
    ("phases", "Phases"),
    ("forecasts", "Forecasts"),
    ("data", "Data"),
]


@pytest.fixture(scope="module")
def app_url(demo_goal_store, tmp_path_factory, browser):
    folder = tmp_path_factory.mktemp("browser")
    store = folder / "store.duckdb"
    shutil.copyfile(demo_goal_store, store)
    for url in serve(store, folder):
        warm_up(browser, url)
        yield url


def warm_up(browser, url: str) -> None:
    """Streamlit 1.67 answers the very first visit of a fresh server that lands on a page other
    than the default one with a "Page not found" box (it still runs the page): pages are only
    known once the entry script has run. Visit the default page first, as a user of `make run`
    does, so the tests below see what every later visitor sees."""
    context = browser.new_context()
    first = context.new_page()
    first.goto(url)
    first.get_by_role("heading", name="Overview", exact=True).first.wait_for(timeout=120_000)
    context.close()


def open_page(page, url: str, heading: str) -> None:
    page.goto(url)
    page.get_by_role("heading", name=heading, exact=True).first.wait_for()
    wait_until_idle(page)


def wait_until_idle(page) -> None:
    """Streamlit shows a running indicator while the script runs; wait until it is gone."""
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000
    )


def assert_no_exception(page) -> None:
    exceptions = page.locator('[data-testid="stException"]')
    assert exceptions.count() == 0, exceptions.first.inner_text()
    assert page.get_by_text("Page not found").count() == 0


def fill(page, label: str, text: str) -> None:
    # by role: "Problems" also labels its help button
    page.get_by_role("textbox", name=label, exact=True).fill(text)


@pytest.mark.parametrize(("path", "heading"), PAGES)
def test_every_page_opens_without_an_exception(page, app_url, path, heading):
    open_page(page, f"{app_url}/{path}", heading)
    assert_no_exception(page)


def test_the_team_deep_link_opens_that_team(page, app_url):
    open_page(page, f"{app_url}/team?team=merchandising", "Team review")
    assert_no_exception(page)
    selector = page.get_by_label("Team", exact=True)
    assert "Merchandising" in selector.input_value() or page.get_by_text("Merchandising").count()
    assert "team=merchandising" in page.url


def test_a_check_in_survives_a_reload(page, app_url):
    note = f"Browser check-in {uuid.uuid4().hex[:8]}"
    open_page(page, f"{app_url}/team?team=content_ops", "Team review")
    page.get_by_text("At risk", exact=True).click()
    fill(page, "Notes", note)
    fill(page, "Problems", "Traffic from the summer series fell short")
    fill(page, "Next actions", "Move budget to the autumn series")
    page.get_by_role("button", name="Save check-in").click()
    wait_until_idle(page)
    assert_no_exception(page)

    page.reload()
    page.get_by_role("heading", name="Team review", exact=True).first.wait_for()
    wait_until_idle(page)
    # The history is a data grid drawn on a canvas; its accessible cells exist once it is on screen.
    page.get_by_role("heading", name="Check-ins").first.scroll_into_view_if_needed()
    page.get_by_text(note).first.wait_for(state="attached")


def test_a_table_downloads_as_csv(page, app_url, tmp_path):
    open_page(page, f"{app_url}/data", "Data")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download CSV").first.click()
    saved = tmp_path / download_info.value.suggested_filename
    download_info.value.save_as(saved)
    text = saved.read_text(encoding="utf-8-sig")
    assert saved.suffix == ".csv"
    assert text.splitlines()[0].startswith("metric,name,kind,unit")
    assert "gmv" in text
