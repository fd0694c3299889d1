"""User text in Markdown: shown as typed, and errors without server details for visitors."""

from __future__ import annotations

from pathlib import Path

import pytest

from metrics.store.connection import _busy
from metrics.store.errors import DataopsError
from ui.text import error_text, md_code, md_text


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("![x](http://evil.example/x.png)", r"\!\[x\](http://evil.example/x.png)"),
        ("[c](javascript:alert(5))", r"\[c\](javascript:alert(5))"),
        ("<img src=x onerror=alert(1)>", r"\<img src=x onerror=alert(1)\>"),
        ("**bold** and `code`", r"\*\*bold\*\* and \`code\`"),
        ("a | b", r"a \| b"),
        ("$x^2$", r"\$x^2\$"),
        ("# heading", r"\# heading"),
        ("- item", r"\- item"),
        ("1. item", r"1\. item"),
        ("two\nlines", "two lines"),
        ("gmv_2025 and _this_", r"gmv_2025 and \_this\_"),
        ("plain words", "plain words"),
        (None, ""),
    ],
)
def test_markup_in_user_text_is_escaped(typed, shown):
    assert md_text(typed) == shown


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("gmv_2026", "`gmv_2026`"),
        ("a`b", r"a\`b"),
        ("dataops forecast --goal g", "`dataops forecast --goal g`"),
    ],
)
def test_code_style_falls_back_to_escaping_when_a_backtick_would_end_it(typed, shown):
    assert md_code(typed) == shown


def test_visitors_see_a_busy_store_without_its_path_or_the_holders_command_line():
    busy = _busy(
        Path("/srv/secret/store.duckdb"),
        "Conflicting lock is held in /usr/bin/python3 (PID 4242)",
        15,
    )
    owner = error_text(busy, show_server_details=True)
    visitor = error_text(busy, show_server_details=False)
    assert "/srv/secret" in owner and "4242" in owner
    assert "/srv/secret" not in visitor and "4242" not in visitor and "python3" not in visitor
    assert "in use by another process" in visitor and "Fix:" in visitor


def test_an_error_without_server_details_reads_the_same_for_everyone():
    error = DataopsError("there is no goal 'x'. Fix: create one")
    assert error_text(error, show_server_details=False) == error_text(
        error, show_server_details=True
    )
