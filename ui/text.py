"""User text on a page: shown as typed, never as Markdown.

Streamlit renders Markdown in titles, captions, alerts, metric and widget labels, so a goal named
`![x](http://evil.example/x.png)` made every viewer's browser fetch that address. Every string a
user supplied (goal names and ids, team and department names, metric names, authors, file names,
and error messages that quote them) goes through `md_text` before it is put into Markdown.
"""

from __future__ import annotations

import re

from metrics.store.errors import DataopsError
from ui.words import say

# Backslash-escaping these leaves no link, image, emphasis, code, table cell, heading, strike,
# math or HTML tag in the text; CommonMark lets any ASCII punctuation be escaped this way.
# An underscore between letters or digits is literal (CommonMark), so ids like gmv_2025 stay
# readable in exported Markdown.
_MARKUP = re.compile(r"([\\`*\[\]<>|#~$!{}]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9]))")
_LINE_START = re.compile(r"^(\s*)([-+=>]|\d+[.)])", re.MULTILINE)  # list/heading/quote starts


def md_text(value: object) -> str:
    """`value` escaped so that Markdown shows it exactly as typed, on one line."""
    if value is None:
        return ""
    text = " ".join(str(value).split("\n"))
    escaped = _MARKUP.sub(r"\\\1", text)
    return _LINE_START.sub(lambda m: m[1] + re.sub(r"(\D)$", r"\\\1", m[2]), escaped)


def error_text(error: Exception, *, show_server_details: bool) -> str:
    """An error for the page, escaped; without server details (paths, other processes' command
    lines) unless the viewer may see them."""
    public = getattr(error, "public", None)
    if not show_server_details and public is not None:
        return md_text(public)
    return md_text(say(error) if isinstance(error, DataopsError) else str(error))


def md_code(value: object) -> str:
    """Text in code style, where Markdown shows everything as typed; text holding a backtick
    (which would end the code span) or a line break falls back to `md_text`."""
    text = "" if value is None else str(value)
    return f"`{text}`" if text and not set(text) & {"`", "\n", "\r"} else md_text(text)
