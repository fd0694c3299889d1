"""Ways a store file can be unusable, for the CLI's and the app's hardening tests alike."""

from __future__ import annotations

import random
from pathlib import Path


def truncated(store: Path) -> None:
    store.write_bytes(store.read_bytes()[:5000])


def garbled(store: Path) -> None:
    data = bytearray(store.read_bytes())
    data[4096:8192] = random.Random(7).randbytes(4096)
    store.write_bytes(bytes(data))


def text(store: Path) -> None:
    store.write_text("date,metric,team,value\n")


def empty(store: Path) -> None:
    store.write_bytes(b"")


def folder(store: Path) -> None:
    store.unlink()
    store.mkdir()
