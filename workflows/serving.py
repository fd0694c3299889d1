"""Where the app is served unless told otherwise, for the links a digest and an alert carry.

Apart from `workflows.digest` so that `dataops digest --help` shows it without importing the
store's modules."""

from __future__ import annotations

DEFAULT_BASE_URL = "http://localhost:8501"
