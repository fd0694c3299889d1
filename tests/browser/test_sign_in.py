"""Sign-in through a real OpenID Connect provider, in a real browser: a team lead, an owner and
someone without a grant, each signing in on the provider's own form (never a patched st.user)."""

from __future__ import annotations

import re
import secrets
import shutil
import uuid

import pytest

from metrics.access.grants import grant, revoke
from metrics.store.connection import open_store
from tests.browser.conftest import _free_port, serve
from tests.browser.test_walkthrough import assert_no_exception, fill, wait_until_idle

pytestmark = pytest.mark.browser

OWNER, LEAD, STRANGER = "olga@example.com", "tim@example.com", "nobody@example.com"


@pytest.fixture(scope="module")
def signed_app(demo_store, oidc_provider, tmp_path_factory, browser):
    """The app with `[auth]` pointing at the test provider, on a copy of the demo store where
    Olga is the owner and Tim leads promotions and (until revoked in a test) user_ops."""
    folder = tmp_path_factory.mktemp("signed")
    store = folder / "store.duckdb"
    shutil.copyfile(demo_store, store)
    with open_store(store) as con:
        grant(con, OWNER, "owner", [], "test")
        grant(con, LEAD, "team_lead", ["promotions", "user_ops"], "test")
    port = _free_port()
    auth = f"""[auth]
redirect_uri = "http://127.0.0.1:{port}/oauth2callback"
cookie_secret = "{secrets.token_hex(16)}"
client_id = "cockpit"
client_secret = "{secrets.token_hex(8)}"
server_metadata_url = "{oidc_provider}/.well-known/openid-configuration"
"""
    for url in serve(store, folder, secrets=auth, port=port):
        yield url, store


def sign_in(browser, url: str, email: str):
    """A fresh browser opens `url`, presses Sign in and signs in as `email` on the provider's
    form; returns the page, back in the app."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(url)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_placeholder("sub").fill(email)  # the provider's form: who signs in
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(lambda address: "/oauth2" not in address and "127.0.0.1" in address)
    return page


def heading(page, text: str) -> None:
    page.get_by_role("heading", name=text, exact=True).first.wait_for()
    wait_until_idle(page)


def add_checkin(page, note: str) -> None:
    page.get_by_text("On track", exact=True).click()
    fill(page, "Notes", note)
    page.get_by_role("button", name="Save check-in").click()
    wait_until_idle(page)


def test_a_team_lead_checks_in_for_their_team_only_and_cannot_edit_goals(browser, signed_app):
    url, store = signed_app
    page = sign_in(browser, f"{url}/team?team=promotions", LEAD)

    heading(page, "Team review")  # the deep link survived the round trip to the provider
    assert "team=promotions" in page.url
    assert page.get_by_text(f"Signed in as {LEAD}").count() == 1
    note = f"Lead check-in {uuid.uuid4().hex[:8]}"
    add_checkin(page, note)
    page.get_by_text(f"Check-in saved for promotions by {LEAD}").wait_for()

    page.goto(f"{url}/team?team=merchandising")  # another team: no form at all
    heading(page, "Team review")
    page.get_by_text("Only the owner and merchandising's team leads add its check-ins").wait_for()
    assert page.get_by_role("button", name="Save check-in").count() == 0

    page.goto(f"{url}/team?team=user_ops")  # drawn while Tim still leads user_ops...
    heading(page, "Team review")
    with open_store(store) as con:  # ...then the owner takes user_ops from him
        revoke(con, LEAD)
        grant(con, LEAD, "team_lead", ["promotions"], "test")
    add_checkin(page, "forced")  # the stale form is submitted: the server refuses it
    page.get_by_text(f"{LEAD} may not add checkin for team user_ops").wait_for()
    with open_store(store, read_only=True) as con:
        forced = con.execute("select count(*) from checkins where notes = 'forced'").fetchall()
    assert forced == [(0,)]

    page.goto(f"{url}/goals")
    heading(page, "Goals")
    page.get_by_text("Read-only: only an owner agrees goals").wait_for()
    # a saved goal without a baseline offers "Fit the natural baseline" instead of "Save goal"
    goal_button = page.get_by_role("button", name=re.compile("Save goal|Fit the natural baseline"))
    assert goal_button.is_disabled()
    assert_no_exception(page)
    page.context.close()


def test_the_owner_edits_goals_checks_in_for_any_team_and_manages_access(browser, signed_app):
    url, _ = signed_app
    page = sign_in(browser, f"{url}/goals", OWNER)

    heading(page, "Goals")
    assert page.get_by_text("Read-only").count() == 0
    page.get_by_text(f"Changes you save are recorded as {OWNER}").wait_for()
    page.goto(f"{url}/team?team=merchandising")
    heading(page, "Team review")
    add_checkin(page, f"Owner check-in {uuid.uuid4().hex[:8]}")
    page.get_by_text(f"Check-in saved for merchandising by {OWNER}").wait_for()
    page.goto(f"{url}/data")
    heading(page, "Data")
    page.get_by_role("tab", name="Access").click()
    page.get_by_role("button", name="Grant").wait_for()
    page.get_by_text(LEAD).first.wait_for(state="attached")  # a grid cell, drawn on a canvas
    assert_no_exception(page)
    page.context.close()


def test_someone_without_a_grant_sees_only_the_ask_for_access_page(browser, signed_app):
    url, _ = signed_app
    page = sign_in(browser, f"{url}/team?team=promotions", STRANGER)

    heading(page, "Ask an owner for access")
    page.get_by_text(f"You are signed in as {STRANGER}").wait_for()
    assert page.get_by_role("heading", name="Team review").count() == 0
    assert page.get_by_role("link", name="Overview").count() == 0  # no navigation either
    page.context.close()
