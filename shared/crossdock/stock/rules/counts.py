"""Unit counts from outside — a channel's report, a stock file, the adjustments queue — are checked
before they are believed (pure).

A count is a whole number of units from 0 up to a ceiling (`Settings.stock_max_units`, default
1,000,000). Anything else — negative, fractional, in exponent form, not a number, missing, or above
the ceiling — is refused, never clamped or rounded: a wrong count that is stored is pushed to every
channel (a negative FBA count silently lowers what the other warehouses may sell), while a refused
one leaves the last believed count in place and the refusal says which source sent which value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

DEFAULT_MAX_UNITS = 1_000_000
CEILING_SETTING = "CROSSDOCK_STOCK_MAX_UNITS"

_INTEGER = re.compile(r"([+-]?)([0-9]+)")  # ASCII digits only: "²".isdigit() is True, int("²") fails
_NUMBER = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")
_MOST_DIGITS = 100  # far above any ceiling, far below Python's int/str conversion limit
_NOT_WHOLE = "is not a whole number (digits only: no decimal point, no exponent)"


class UnitsRefused(ValueError):
    """A count that cannot be true; the message names where it came from and what it was."""

    def __init__(self, source: str, value: Any, reason: str) -> None:
        super().__init__(f"{source} {reason}" if value is None else f"{source}: {shown(value)} {reason}")
        self.source = source
        self.value = value
        self.reason = reason


@dataclass(frozen=True)
class RefusedSummary:
    """A channel's stock summary whose counts cannot be believed: its SKU keeps its last counts."""

    seller_sku: str
    problems: tuple[str, ...]


def shown(value: Any) -> str:
    """The value as a person should see it in an error: short, quoted when it was text."""
    if isinstance(value, str):
        return repr(value if len(value) <= 40 else value[:40] + "…")
    if isinstance(value, int) and not isinstance(value, bool):
        if value.bit_length() > 10_000:
            return "a number of over 3,000 digits"
        text = str(value)
        return text if len(text) <= 40 else f"{text[:12]}… ({len(text.lstrip('-'))} digits)"
    text = str(value) if isinstance(value, float | Decimal) else repr(value)
    return text if len(text) <= 60 else text[:59] + "…"


def whole_number(value: Any, *, source: str) -> int:
    """A whole number of either sign: a JSON integer, or digits in text (ASCII, an optional sign)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise UnitsRefused(source, None, "is missing")
    if isinstance(value, bool):
        raise UnitsRefused(source, value, "is not a number")
    if isinstance(value, int):
        return value
    if isinstance(value, float | Decimal):
        raise UnitsRefused(source, value, _NOT_WHOLE)
    if not isinstance(value, str):
        raise UnitsRefused(source, value, "is not a number")
    text = value.strip()
    match = _INTEGER.fullmatch(text)
    if match is None:
        raise UnitsRefused(source, value, _NOT_WHOLE if _NUMBER.fullmatch(text) else "is not a number")
    sign, digits = match.group(1), match.group(2).lstrip("0") or "0"
    if len(digits) > _MOST_DIGITS:
        raise UnitsRefused(source, value, f"has {len(digits)} digits: no count is that large")
    return int(sign + digits)


def whole_units(value: Any, *, source: str) -> int:
    """A whole number ≥ 0, not yet held to a ceiling (for readers that do not know it)."""
    result = whole_number(value, source=source)
    if result < 0:
        raise UnitsRefused(source, value, "is negative")
    return result


def _ceiling(ceiling: int) -> str:
    return f"the ceiling of {ceiling:,} units ({CEILING_SETTING})"


def units(value: Any, *, source: str, ceiling: int) -> int:
    """A count of units: a whole number from 0 to `ceiling`, both included; UnitsRefused otherwise."""
    result = whole_units(value, source=source)
    if result > ceiling:
        raise UnitsRefused(source, value, f"is above {_ceiling(ceiling)}")
    return result


def units_change(value: Any, *, source: str, ceiling: int) -> int:
    """A change of units (a delta): a whole number of either sign, at most `ceiling` either way."""
    result = whole_number(value, source=source)
    if abs(result) > ceiling:
        raise UnitsRefused(source, value, f"is beyond ±{ceiling:,} units ({CEILING_SETTING})")
    return result


def units_after(before: int, delta: int, *, source: str, ceiling: int) -> int:
    """The count a delta leads to. Below zero is refused, not clamped: the delta was wrong, or the
    count it was applied to was, and clamping would hide which one."""
    after = before + delta
    if after < 0:
        raise UnitsRefused(source, delta, f"would take {before} units to {after}, below zero")
    if after > ceiling:
        raise UnitsRefused(source, delta, f"would take {before} units to {after}, above {_ceiling(ceiling)}")
    return after
