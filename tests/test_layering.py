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


def imported_names(path: Path) -> set[str]:
    """Every dotted module name a file imports, with `from a.b import c` giving a.b and a.b.c."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names |= {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
    return names


FIRST_PARTY = ("metrics", "forecasting", "ui", "app_pages", "cli", "workflows")

# What each room of metrics/ may import of ours (besides itself); each __init__ says the same.
METRICS_ROOMS = {
    "store": set(),
    "stats": set(),
    "forecasts": {"metrics.store", "metrics.stats"},
    "plan": {"metrics.store", "metrics.forecasts", "metrics.stats"},
    "checks": {"metrics.stats"},
    "contribution": {
        "metrics.store",
        "metrics.forecasts",
        "metrics.plan",
        "metrics.checks",
        "metrics.stats",
    },
    "importing": {"metrics.store"},
    "demo": {"metrics.store", "metrics.forecasts", "metrics.plan"},
}


def room_of(name: str) -> str | None:
    """`metrics.plan.goals` -> `metrics.plan`; other first-party names -> their package."""
    parts = name.split(".")
    if parts[0] not in FIRST_PARTY:
        return None
    return ".".join(parts[:2]) if parts[0] == "metrics" and len(parts) > 1 else parts[0]


def test_metrics_has_only_rooms_at_its_top_level():
    loose = {p.stem for p in (ROOT / "metrics").glob("*.py")} - {"__init__"}
    rooms = {p.name for p in (ROOT / "metrics").iterdir() if (p / "__init__.py").exists()}
    assert loose <= set(METRICS_ROOMS)
    assert rooms | loose == set(METRICS_ROOMS)


@pytest.mark.parametrize("room", sorted(METRICS_ROOMS))
def test_each_metrics_room_imports_only_what_its_table_allows(room):
    here = ROOT / "metrics" / room
    files = sorted(here.rglob("*.py")) if here.is_dir() else [here.with_suffix(".py")]
    allowed = METRICS_ROOMS[room] | {f"metrics.{room}", "metrics"}
    offenders = {
        str(path.relative_to(ROOT)): sorted(bad)
        for path in files
        if (bad := {room_of(n) for n in imported_names(path)} - allowed - {None})
    }
    assert offenders == {}


@pytest.mark.parametrize(
    ("package", "allowed"),
    [
        ("forecasting", {"metrics"}),
        ("workflows", {"metrics", "forecasting"}),
        ("ui", {"metrics", "forecasting", "workflows"}),
        ("cli", {"metrics", "forecasting", "workflows"}),
        ("app_pages", {"metrics", "forecasting", "workflows", "ui"}),
    ],
)
def test_each_package_imports_only_the_layers_below_it(package, allowed):
    offenders = {
        str(path.relative_to(ROOT)): sorted(bad)
        for path in python_files(package)
        if (bad := {n.split(".")[0] for n in imported_names(path)}
            & set(FIRST_PARTY) - allowed - {package})
    }  # fmt: skip
    assert offenders == {}


def test_no_import_circles_between_our_modules():
    graph = {}
    for path in python_files(*FIRST_PARTY[:-2], "cli", "workflows"):
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        graph[module] = set()
    for module in graph:
        path = ROOT / (module.replace(".", "/") + ".py")
        if not path.exists():
            path = ROOT / module.replace(".", "/") / "__init__.py"
        graph[module] = _edges(path, graph) - {module}
    assert _cycles(graph) == []


def _edges(path: Path, modules: dict) -> set[str]:
    """The modules of ours a file imports. `from pkg import sub` needs `sub`, not `pkg`'s own
    namespace: a package's __init__ runs before any of its modules anyway."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            subs = {f"{node.module}.{alias.name}" for alias in node.names}
            found |= (subs & modules.keys()) or {node.module}
    return found & modules.keys()


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


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
