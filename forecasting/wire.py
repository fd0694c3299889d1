"""Dataclasses to bytes and back without pickle: how jobs and results cross to Spark workers.

The encoding is JSON with Arrow IPC for frames: every field of a dataclass is written by its
value (enums by value, dates as ISO text, Polars and pandas frames and Polars series as Arrow IPC
in base64, nested dataclasses recursively), and decoding rebuilds each field from the class's
type hints. Nothing is executed on the way in, so a job built from a user's data is safe to ship,
and a field added to a job or result later needs no change here as long as its type is one of
the above (or a tuple, list or dict of them).
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import enum
import io
import json
import types
import typing
from typing import Any

import pandas as pd
import polars as pl
import pyarrow as pa

_TAG = "$wire"  # marks a value that JSON cannot hold as is


def to_bytes(value: Any) -> bytes:
    """A dataclass instance (or any supported value) as UTF-8 JSON."""
    return json.dumps(_encode(value), separators=(",", ":")).encode()


def from_bytes(kind: Any, data: bytes) -> Any:
    """Rebuild a value of type `kind` (usually a dataclass) from `to_bytes`' output."""
    return _decode(kind, json.loads(data))


def _encode(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, enum.Enum):
        return _encode(value.value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {field.name: _encode(getattr(value, field.name)) for field in _fields(value)}
    if isinstance(value, pl.DataFrame):
        return _tagged("polars", _ipc(value.to_arrow()))
    if isinstance(value, pl.Series):
        return _tagged("polars-series", _ipc(value.to_frame().to_arrow()))
    if isinstance(value, pd.DataFrame):
        return _tagged("pandas", _ipc(pa.Table.from_pandas(value, preserve_index=False)))
    if isinstance(value, dt.datetime):
        return _tagged("datetime", value.isoformat())
    if isinstance(value, dt.date):
        return _tagged("date", value.isoformat())
    if isinstance(value, tuple | list):
        return [_encode(item) for item in value]
    if isinstance(value, dict):
        if not all(isinstance(key, str) for key in value):
            raise TypeError("only dicts with text keys can be encoded")
        return {key: _encode(item) for key, item in value.items()}
    raise TypeError(f"cannot encode a {type(value).__name__}")


def _fields(value: Any) -> tuple[dataclasses.Field, ...]:
    # init=False fields are derived in __post_init__: sending them would only be overwritten.
    return tuple(field for field in dataclasses.fields(value) if field.init)


def _tagged(kind: str, payload: str) -> dict:
    return {_TAG: kind, "v": payload}


def _ipc(table: pa.Table) -> str:
    sink = io.BytesIO()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return base64.b64encode(sink.getvalue()).decode()


def _table(payload: str) -> pa.Table:
    return pa.ipc.open_stream(base64.b64decode(payload)).read_all()


_FROM_TAG = {
    "polars": lambda v: pl.from_arrow(_table(v)),
    "polars-series": lambda v: pl.from_arrow(_table(v)).to_series(0),
    "pandas": lambda v: _table(v).to_pandas(),
    "datetime": dt.datetime.fromisoformat,
    "date": dt.date.fromisoformat,
}


def _decode(kind: Any, raw: Any) -> Any:
    if isinstance(raw, dict) and _TAG in raw:
        return _FROM_TAG[raw[_TAG]](raw["v"])
    origin = typing.get_origin(kind)
    if origin is typing.Union or origin is types.UnionType:
        return _decode_union(typing.get_args(kind), raw)
    if raw is None or kind is Any:
        return raw
    if origin in (tuple, list):
        args = typing.get_args(kind)
        if origin is tuple and args and args[-1] is not Ellipsis:
            items = [_decode(arg, item) for arg, item in zip(args, raw, strict=True)]
        else:
            items = [_decode(args[0] if args else Any, item) for item in raw]
        return tuple(items) if origin is tuple else items
    if origin is dict:
        value_kind = typing.get_args(kind)[1] if typing.get_args(kind) else Any
        return {key: _decode(value_kind, item) for key, item in raw.items()}
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        hints = typing.get_type_hints(kind)
        return kind(**{name: _decode(hints[name], item) for name, item in raw.items()})
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return kind(raw)
    if kind is float:
        return float(raw)
    return raw


def _decode_union(args: tuple, raw: Any) -> Any:
    """`X | None` and the like: None stays None, anything else takes the first type that fits."""
    if raw is None:
        return None
    options = [arg for arg in args if arg is not type(None)]
    for option in options:
        try:
            return _decode(option, raw)
        except (TypeError, ValueError, KeyError):
            continue
    raise TypeError(f"no type of {args} fits {raw!r}")
