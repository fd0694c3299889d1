"""The digest and alerts on companies of growing size, sent to a real local SMTP server.

    .venv/bin/python benchmarks/digest_bench.py [--teams 5 50] [--seed N] [--recipients 20]

For each size: builds the demo company with a stand-in baseline (as `contribution_bench.py`),
then times the report alone, the digest (report + late data + last digest), its three
renderings, one send to `--recipients` addresses through aiosmtpd on loopback, and an alerts
run (the first notes every condition; the second finds nothing new). Prints the figures.
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import time
from pathlib import Path

from contribution_bench import freeze_stand_in

from cli.demo_command import build_demo_store
from metrics.contribution.report import build_report
from metrics.demo import DemoConfig
from metrics.digest import render
from metrics.store.connection import open_store
from workflows import digest as flow
from workflows.mail import SmtpSettings


def timed(action):
    start = time.perf_counter()
    result = action()
    return result, time.perf_counter() - start


def bench(teams: int, seed: int, recipients: int, port: int) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "store.duckdb"
        build_demo_store(path, DemoConfig(seed=seed, teams=teams, years=3,
                                          end=dt.date(2025, 11, 30)))  # fmt: skip
        goal = freeze_stand_in(path, seed)
        with open_store(path, read_only=True) as con:
            _, report_s = timed(lambda: build_report(con, goal))
            digest, digest_s = timed(lambda: flow.load_digest(con, goal))
        texts, render_s = timed(lambda: [render.as_text(digest), render.as_html(digest),
                                         render.as_markdown(digest)])  # fmt: skip
        settings = SmtpSettings("127.0.0.1", port, "bench@example.com")
        emails = [f"r{n}@example.com" for n in range(recipients)]
        outcome, send_s = timed(
            lambda: flow.send_digests(path, settings, [flow.prepared(digest, emails)])
        )
        assert outcome.ok, outcome.delivery
        first, alerts_s = timed(lambda: flow.run_alerts(path, goal))
        again, _ = timed(lambda: flow.run_alerts(path, goal))
        return {
            "teams": len(digest.teams), "report_s": report_s, "digest_s": digest_s,
            "render_s": render_s, "html_kb": len(texts[1]) / 1024, "send_s": send_s,
            "alerts_s": alerts_s, "alerts": first.new.height, "again": again.new.height,
        }  # fmt: skip


def main() -> None:
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Sink

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--teams", type=int, nargs="+", default=[5, 50])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--recipients", type=int, default=20)
    args = parser.parse_args()
    server = Controller(Sink(), hostname="127.0.0.1", port=8025)
    server.start()
    try:
        print("teams  report s  digest s  render s  html KB  send s  alerts s  alerts  again")
        for teams in args.teams:
            r = bench(teams, args.seed, args.recipients, 8025)
            print(f"{r['teams']:5d}  {r['report_s']:8.2f}  {r['digest_s']:8.2f}  "
                  f"{r['render_s']:8.3f}  {r['html_kb']:7.1f}  {r['send_s']:6.3f}  "
                  f"{r['alerts_s']:8.2f}  {r['alerts']:6d}  {r['again']:5d}")  # fmt: skip
    finally:
        server.stop()


if __name__ == "__main__":
    main()
