"""`dataops import` and `dataops export` as a user runs them: exit codes, messages, no traceback.

One test runs the installed console script end to end; the rest call the same entry point
(`cli.main.run`, which maps errors to exit codes) in-process, because a fresh interpreter per
command costs a second each.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.running import run_dataops

ROOT = Path(__file__).resolve().parents[2]
DATAOPS = Path(sys.executable).with_name("dataops")
SAMPLES = ROOT / "data" / "samples"
KINDS = ("teams", "metrics", "observations", "initiatives")


@pytest.fixture
def dataops(monkeypatch, capsys):
    """Run `dataops ARGS` in-process; returns (exit code, stdout, stderr)."""

    def run(*args: str | Path) -> tuple[int, str, str]:
        code, out, err = run_dataops(monkeypatch, capsys, *args)
        assert "Traceback" not in out + err
        return code, out, err

    return run


def test_help_lists_the_commands(dataops):
    code, out, _ = dataops("--help")
    assert code == 0 and {"import", "export"} <= set(out.split())


def test_the_console_script_refuses_a_bad_file_whole(tmp_path):
    bad = tmp_path / "observations.csv"
    bad.write_text("date,metric,team,value\n2024-13-01,gmv,nobody,x\n", encoding="utf-8")
    store = tmp_path / "store.duckdb"
    refused = subprocess.run(
        [DATAOPS, "import", "observations", bad, "--store", store],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert refused.returncode == 2
    assert refused.stderr.startswith("error: refused: 4 problems found, nothing was written")
    for column in ("date", "metric", "team", "value"):
        assert f"{bad}, row 2, column '{column}'" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert not store.exists()  # a refused import into a new store leaves no file behind


def test_samples_import_in_order_then_again_only_with_replace_then_export(
    dataops, monkeypatch, tmp_path
):
    store = tmp_path / "new" / "store.duckdb"
    for kind in KINDS:
        code, out, err = dataops("import", kind, SAMPLES / f"{kind}.csv", "--store", store)
        assert code == 0, err
        assert out.startswith("imported ") and f" {kind} from " in out and out.count("\n") == 1

    again = dataops("import", "observations", SAMPLES / "observations.csv", "--store", store)
    assert again[0] == 2 and "import with --replace" in again[2]
    assert again[2].startswith("error: refused: 84 problems found, nothing was written")
    assert "59 more rows with a key the store already has are not listed" in again[2]
    replaced = dataops(
        "import", "observations", SAMPLES / "observations.csv", "--replace", "--store", store
    )
    assert replaced[0] == 0 and "(84 replaced rows the store had)" in replaced[1]

    monkeypatch.setenv("DATAOPS_STORE", str(store))
    out = tmp_path / "teams.csv"
    code, said, _ = dataops("export", "teams", "--out", out)
    assert code == 0 and said.strip() == f"exported 6 rows of teams to {out}"
    assert out.read_bytes().startswith(b"\xef\xbb\xbfteam,name,department\ncontent_ops,")


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("import", "teams", "no-such.csv"), 1, "no file at no-such.csv. Fix: check the path"),
        (("import", "team", "teams.csv"), 2, "'team' is not one of 'teams'"),
        (("export", "schema_version", "--out", "x.csv"), 1, "pick one of teams, metrics"),
        (("export", "teams", "--out", "x.csv", "--store", "absent.duckdb"), 4, "no store at"),
    ],
)
def test_user_errors_exit_non_zero_with_a_message(
    dataops, monkeypatch, tmp_path, args, code, message
):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DATAOPS_STORE", raising=False)
    exit_code, _, err = dataops(*args)
    assert exit_code == code
    assert message in err
    assert not (tmp_path / "x.csv").exists()
