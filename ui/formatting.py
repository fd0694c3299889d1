"""Numbers with units, the same way on every page."""

from __future__ import annotations

import math

_CURRENCY_SYMBOLS = {"CNY": "¥", "RMB": "¥", "USD": "$", "EUR": "€", "GBP": "£"}


def format_value(value: float | None, unit: str = "", *, kind: str = "flow") -> str:
    """`1234567.8, 'CNY'` -> '¥1.23M'; ratios in percent; other units after the number."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    if kind == "ratio" or unit == "%":
        return f"{value * 100:.2f}%"
    symbol = _CURRENCY_SYMBOLS.get(unit.upper())
    number = _compact(value)
    if symbol:
        return f"-{symbol}{number[1:]}" if number.startswith("-") else f"{symbol}{number}"
    return f"{number} {unit}".strip()


def format_share(value: float | None) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    return f"{value * 100:.1f}%"


def _compact(value: float) -> str:
    magnitude = abs(value)
    for threshold, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if magnitude >= threshold:
            return f"{value / threshold:.2f}{suffix}"
    if magnitude >= 100 or float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:,.2f}"
