"""House rules that keep the layers apart (see DESIGN.md, house style)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def python_files(*folders: str) -> list[Path]:
    return [path for folder in folders for path in sorted((ROOT / folder).rglob("*.py"))]


@pytest.mark.parametrize(
    ("folders", "forbidden"),
    [
        (("metrics", "forecasting"), {"streamlit"}),
        (("metrics", "ui", "app_pages", "cli"), {"prophet", "pandas", "cmdstanpy"}),
        (("app_pages",), {"duckdb"}),
    ],
)
def test_packages_do_not_import_what_their_layer_forbids(folders, forbidden):
    offenders = {
        str(path.relative_to(ROOT)): sorted(imported_modules(path) & forbidden)
        for path in python_files(*folders)
        if imported_modules(path) & forbidden
    }
    assert offenders == {}


def test_only_ui_wraps_streamlit_caches():
    offenders = [
        str(path.relative_to(ROOT))
        for path in python_files("app_pages", "metrics", "forecasting", "cli")
        if "st.cache_" in path.read_text(encoding="utf-8")
    ]
    assert offenders == []


def test_pages_run_no_sql_and_no_frame_logic():
    """Pages lay out widgets and call functions; queries and frame logic live in metrics/ui."""
    patterns = {
        "runs SQL": re.compile(r"\b(con|conn|connection)\.(sql|execute)\("),
        "builds Polars expressions": re.compile(r"\bpl\.(col|lit|when|concat)\("),
    }
    offenders = [
        f"{path.relative_to(ROOT)} {what}"
        for path in python_files("app_pages")
        for what, pattern in patterns.items()
        if pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
