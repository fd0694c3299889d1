"""What people are told: domain messages in product terms, each front end naming its own controls.

A fix names an action as `<<key>>`; the CLI words it with its flags (`cli/words.py`), the app with
its buttons and boxes (`ui/words.py`). So no text the app can show names a command-line flag or
command: the scan below reads every string the domain, the workflows and the app are built from.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from cli.words import FLAGS
from metrics.store.errors import ACTIONS, DataopsError, Problem, ValidationFailed, in_words
from ui.words import CONTROLS, say

ROOT = Path(__file__).resolve().parents[1]
FLAG = re.compile(r"(?<![\w-])--[a-z]|`dataops\b|\bdataops (demo|forecast|goal|import|phase)")
TOKEN = re.compile(r"<<(\w+)>>")


def shown_strings(path: Path) -> list[tuple[int, str]]:
    """Every string literal of a module except docstrings and bare string statements."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    bare = {id(node.value) for node in ast.walk(tree) if isinstance(node, ast.Expr)}
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in bare
    ]


def files(*folders: str) -> list[Path]:
    return [path for folder in folders for path in sorted((ROOT / folder).rglob("*.py"))]


@pytest.mark.parametrize("folder", ["metrics", "workflows", "ui", "app_pages"])
def test_no_text_the_app_can_show_names_a_command_line_flag(folder):
    offenders = [
        f"{path.relative_to(ROOT)}:{line}: {text!r}"
        for path in files(folder)
        for line, text in shown_strings(path)
        if FLAG.search(text)
    ]
    assert offenders == []


def test_every_action_a_fix_names_is_known_and_worded_by_the_command_line():
    used = {
        key
        for path in files("metrics", "workflows")
        for _, text in shown_strings(path)
        for key in TOKEN.findall(text)
    }
    assert used - set(ACTIONS) == set()
    assert set(FLAGS) == set(ACTIONS)  # the CLI names a flag or command for every action
    assert set(CONTROLS) <= set(ACTIONS)


@pytest.mark.parametrize("key", sorted(ACTIONS))
def test_each_front_end_words_an_action_its_own_way(key):
    error = DataopsError(f"something is wrong. Fix: <<{key}>>", goal="gmv_2026", path="x.duckdb")
    assert "<<" not in str(error) and not FLAG.search(str(error))
    assert not FLAG.search(say(error))
    assert "{" not in error.say(FLAGS)  # every placeholder the CLI's words use is filled


def test_a_refusal_lists_its_problems_in_the_words_of_whoever_shows_it():
    refused = ValidationFailed([Problem("check-in", "has no author", "<<name_author>>")])
    assert "--by NAME" in refused.say(FLAGS)
    assert "type your name" in say(refused)
    assert "say who reports" in str(refused)
    assert in_words("keep <<unknown>> as is") == "keep <<unknown>> as is"
