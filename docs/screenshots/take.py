"""Take the README's screenshots from a running app in Debian's headless Chromium.

    .venv/bin/python docs/screenshots/take.py [STORE]    # default: data/dataops.duckdb

Serves the app on the store (build it first with `make run` or `dataops demo`) and saves one
PNG per page next to this script.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, serve  # noqa: E402

SHOTS = {  # file name: (url path, heading to wait for)
    "overview.png": ("/", "Overview"),
    "team_review.png": ("/team?team=promotions", "Team review"),
    "review_meeting.png": ("/review", "Review meeting"),
    "goals.png": ("/goals", "Goals"),
    "forecasts.png": ("/forecasts", "Forecasts"),
    "data.png": ("/data", "Data"),
}


def main() -> None:
    store = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "data" / "dataops.duckdb"
    with tempfile.TemporaryDirectory() as home, sync_playwright() as playwright:
        for url in serve(store, Path(home)):
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1440, "height": 1100})
            for name, (path, heading) in SHOTS.items():
                page.goto(url + path)
                page.get_by_role("heading", name=heading, exact=True).first.wait_for(
                    timeout=120_000
                )
                page.wait_for_function(
                    "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')",
                    timeout=120_000,
                )
                time.sleep(2)  # let charts finish drawing
                page.screenshot(path=str(Path(__file__).parent / name))
                print("saved", name)
            browser.close()


if __name__ == "__main__":
    main()
