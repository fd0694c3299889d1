"""Names are text in a real browser: a goal, teams, a department, metrics and an author named
`![x](http://127.0.0.1:PORT/x.png)` make no page fetch that image.

A local HTTP server stands in for the attacker's: it records every request. The test ends by
showing the browser a real <img> of that server, so a silent server would mean a broken test,
not a safe app.
"""

from __future__ import annotations

import shutil
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from metrics.store.connection import open_store
from tests.browser.conftest import serve
from tests.browser.test_walkthrough import assert_no_exception, open_page, warm_up

pytestmark = pytest.mark.browser

PAGES = [  # url path, heading
    ("", "Overview"),
    ("review", "Review meeting"),
    ("team?team=promotions", "Team review"),
    ("goals", "Goals"),
    ("phases", "Phases"),
    ("data", "Data"),
]


@pytest.fixture(scope="module")
def attacker():
    """An HTTP server on 127.0.0.1 that lists the paths it was asked for."""
    asked: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # the name http.server calls
            asked.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args):  # keep the test output clean
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1], asked
    server.shutdown()


@pytest.fixture(scope="module")
def evil_url(demo_goal_store, tmp_path_factory, browser, attacker):
    port, _ = attacker
    evil = f"![x](http://127.0.0.1:{port}/x.png)"
    folder = tmp_path_factory.mktemp("names")
    store = folder / "store.duckdb"
    shutil.copyfile(demo_goal_store, store)
    with open_store(store) as con:
        con.execute("update goals set name = $evil", {"evil": evil})
        con.execute("update teams set name = $evil || ' ' || team", {"evil": evil})
        con.execute(
            "update teams set department = $evil where department = 'commerce'", {"evil": evil}
        )
        con.execute("update checkins set author = $evil", {"evil": evil})
        con.execute("update metrics set name = $evil || ' ' || metric", {"evil": evil})
    for url in serve(store, folder):
        warm_up(browser, url)
        yield url


def test_no_page_fetches_an_image_named_in_the_data(page, evil_url, attacker):
    port, asked = attacker
    for path, heading in PAGES:
        open_page(page, f"{evil_url}/{path}", heading)
        assert_no_exception(page)
        page.wait_for_timeout(500)  # images load after the page settles
    assert asked == []

    # The control: the same browser does fetch a real image from this server.
    page.set_content(f'<img src="http://127.0.0.1:{port}/control.png">')
    page.wait_for_timeout(1000)
    assert asked == ["/control.png"]
