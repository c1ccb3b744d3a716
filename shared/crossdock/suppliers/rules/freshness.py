"""The supplier freshness gate (pure, no I/O): is a supplier's own update time recent enough to buy on?

The loss behind it: a supplier's API served stock from a twelve-hour-old cache and we bought 50 units
that no longer existed. So an offer counts only if its update time is stated, readable, not in the
future beyond clock skew, and within the product's limit. 1688 states its times in China Standard
Time, often without saying so; they are read as UTC+8 explicitly, never in the process's local zone
(a Lambda runs in UTC, a laptop in Los Angeles), so the verdict is the same on every host.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from enum import StrEnum

from crossdock.core.times import iso_z

CHINA = timezone(timedelta(hours=8), "CST")
SKEW = timedelta(minutes=5)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

# 20250101120000000+0800, 20250101120000000, 20250101120000 (and 14 digits with an offset)
_COMPACT = re.compile(r"(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(\d{3})?([+-]\d{4})?", re.ASCII)
# 2025-01-01 12:00:00, …:00.123, 2025-01-01T04:00:00Z, …T12:00:00.123+08:00, …T12:00:00 (China)
_DASHED = re.compile(
    r"(\d{4})-(\d\d)-(\d\d)[Tt ](\d\d):(\d\d):(\d\d)(?:[.,](\d{1,9}))?\s?([Zz]|[+-]\d\d(?::?\d\d)?)?",
    re.ASCII,
)
_EPOCH_DIGITS = re.compile(r"\d{10}|\d{13}", re.ASCII)


class Rejection(StrEnum):
    MISSING = "missing"  # no update time at all
    UNPARSEABLE = "unparseable"  # a value in no format the platform uses
    STALE = "stale"  # older than the product's limit
    FUTURE = "future"  # ahead of our clock by more than the skew allowance


class UnparseableTime(ValueError):
    """The supplier's update time is in no format we know; the value is named in the message."""


@dataclass(frozen=True)
class Freshness:
    fresh: bool
    reason: Rejection | None
    updated_at: datetime | None  # UTC
    age: timedelta | None  # now − updated_at, 0 for a time within the skew allowance ahead of now
    detail: str


def parse_supplier_time(value: str | int | float | None) -> datetime:
    """The instant a supplier's update time names, as a UTC datetime; a time without an offset is China
    time. Epoch numbers are told apart by their digits: 13 are milliseconds, 10 are seconds."""
    if isinstance(value, str):
        text = value.strip()
    elif (
        isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value) and value >= 0
    ):
        if isinstance(value, float) and not value.is_integer():
            return _epoch(str(int(value)), value)  # epoch seconds or milliseconds with a fraction
        text = str(int(value))  # a number is read as its digits: epoch, or 1688's compact form
    else:
        raise UnparseableTime(f"update time {_shown(value)} is not a time")
    try:
        if _EPOCH_DIGITS.fullmatch(text):
            return _epoch(text, int(text))
        if match := _COMPACT.fullmatch(text):
            *fields, millis, offset = match.groups()
            return _instant(fields, (millis or "0").ljust(6, "0"), offset)
        if match := _DASHED.fullmatch(text):
            *fields, fraction, offset = match.groups()
            return _instant(fields, (fraction or "0")[:6].ljust(6, "0"), offset)
    except (ValueError, OverflowError) as exc:
        raise UnparseableTime(f"update time {_shown(value)} is not a valid time: {exc}") from exc
    raise UnparseableTime(f"update time {_shown(value)} is in no known format")


def check_freshness(
    value: str | int | float | None, *, now: datetime, limit: timedelta, skew: timedelta = SKEW
) -> Freshness:
    """Judge one update time against `now`. The limit is inclusive: data exactly `limit` old is fresh."""
    if now.tzinfo is None:
        raise ValueError("naive `now`: the gate compares instants, never local clock readings")
    if value is None or (isinstance(value, str) and not value.strip()):
        return Freshness(False, Rejection.MISSING, None, None, "the supplier gave no update time")
    try:
        updated = parse_supplier_time(value)
    except UnparseableTime as exc:
        return Freshness(False, Rejection.UNPARSEABLE, None, None, str(exc))
    ahead = updated - now
    if ahead > skew:
        return Freshness(
            False,
            Rejection.FUTURE,
            updated,
            None,
            f"update time {iso_z(updated, millis=True)} is {describe_age(ahead)} ahead of now,"
            f" beyond the {describe_age(skew)} clock-skew allowance",
        )
    age = max(now - updated, timedelta(0))
    if age > limit:
        over = "just over " if describe_age(age) == describe_age(limit) else ""
        return Freshness(
            False,
            Rejection.STALE,
            updated,
            age,
            f"updated {over}{describe_age(age)} ago ({iso_z(updated, millis=True)}),"
            f" beyond the {describe_age(limit)} limit",
        )
    return Freshness(
        True, None, updated, age, f"updated {describe_age(age)} ago ({iso_z(updated, millis=True)})"
    )


def describe_age(age: timedelta) -> str:
    """An age as purchasing reads it: "45 s", "12 min", "1 h", "3 h 5 min", "2 d 3 h" (floored)."""
    seconds = max(int(age.total_seconds()), 0)
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{minutes} min" if minutes else f"{secs} s"


def _epoch(digits: str, value: int | float) -> datetime:
    if len(digits) == 13:
        return _EPOCH + timedelta(milliseconds=value)
    if len(digits) == 10:
        return _EPOCH + timedelta(seconds=value)
    raise UnparseableTime(f"update time {_shown(value)} is neither epoch seconds nor milliseconds")


def _instant(fields: list[str], micros: str, offset: str | None) -> datetime:
    year, month, day, hour, minute, second = (int(f) for f in fields)
    zone = _zone(offset) if offset else CHINA
    return datetime(year, month, day, hour, minute, second, int(micros), tzinfo=zone).astimezone(UTC)


def _zone(offset: str) -> timezone:
    if offset in ("Z", "z"):
        return UTC
    digits = offset[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:] or "0")
    if hours > 14 or minutes > 59:
        raise ValueError(f"offset {offset} out of range")
    delta = timedelta(hours=hours, minutes=minutes)
    return timezone(-delta if offset[0] == "-" else delta)


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
