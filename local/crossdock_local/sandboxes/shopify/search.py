"""Shopify search syntax (the `query:` argument) as far as order pulls use it, and keyset cursors.

Terms `field:value`, `field:>value`, `field:>=value`, `field:<value`, `field:<=value`, joined by
`AND` or plain spaces; values bare, 'single' or "double" quoted. Date fields `updated_at`,
`created_at`, `processed_at` take ISO 8601 datetimes (compared at Shopify's whole-second precision) or
dates (a day in UTC, the sandbox shops' time zone). Like Shopify, a term it cannot use is ignored and
reported in `extensions.search[].warnings`; the sandbox also reports the syntax it does not emulate
(OR, NOT, parentheses, free text) that way, rather than guess.

Cursors are opaque base64 of {"last_id", "last_value"}: the last row's id and sort value, so the next
page starts after that row wherever the rows before it have gone (keyset pagination, as Shopify's).
"""

from __future__ import annotations

import base64
import binascii
import json
import operator
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

DATE_FIELDS = {"updated_at": "updated", "created_at": "created", "processed_at": "created"}
COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
}
TOKEN = re.compile(
    r"""\s*(?:(?P<and>AND)(?=\s|$)|(?P<field>[a-z_]+):(?P<op>>=|<=|>|<)?"""
    r"""(?P<value>'[^']*'|"[^"]*"|[^\s()'"]+)|(?P<other>\S+))"""
)


@dataclass(frozen=True)
class Term:
    attribute: str  # "updated" or "created"
    op: str
    low: datetime
    high: datetime  # exclusive end of the value's span (one second, or a whole day)

    def matches(self, stamp: datetime) -> bool:
        if self.op == "=":
            return self.low <= stamp < self.high
        bound = self.low if self.op in (">=", "<") else self.high - timedelta(seconds=1)
        return COMPARE[self.op](stamp, bound)


@dataclass
class Search:
    terms: list[Term] = field(default_factory=list)
    warnings: list[dict[str, str]] = field(default_factory=list)

    def matches(self, stamps: dict[str, datetime]) -> bool:
        return all(term.matches(stamps[term.attribute]) for term in self.terms)

    def span(self, attribute: str) -> tuple[datetime, datetime]:
        """Loose [low, high] bounds on `attribute` the terms allow (for reading the book)."""
        low, high = datetime.min.replace(tzinfo=UTC), datetime.max.replace(tzinfo=UTC)
        for term in self.terms:
            if term.attribute == attribute and term.op in (">", ">=", "="):
                low = max(low, term.low)
            if term.attribute == attribute and term.op in ("<", "<=", "="):
                high = min(high, term.high)
        return low, high


def parse_search(text: str) -> Search:
    search = Search()
    for match in TOKEN.finditer(text):
        if match["and"]:
            continue
        if match["other"]:
            search.warnings.append({"field": match["other"], "message": "Unsupported search syntax."})
            continue
        name, value = match["field"], match["value"].strip("'\"")
        if name not in DATE_FIELDS:
            search.warnings.append({"field": name, "message": "Invalid search field for this query."})
            continue
        span = _span(value)
        if span is None:
            search.warnings.append({"field": name, "message": f"Invalid date value `{value}`."})
            continue
        search.terms.append(Term(DATE_FIELDS[name], match["op"] or "=", *span))
    return search


def _span(value: str) -> tuple[datetime, datetime] | None:
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            day = datetime.combine(date.fromisoformat(value), datetime.min.time(), UTC)
            return day, day + timedelta(days=1)
        stamp = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=UTC)
    second = whole_second(stamp)
    return second, second + timedelta(seconds=1)


def whole_second(stamp: datetime) -> datetime:
    return stamp.astimezone(UTC).replace(microsecond=0)


def encode_cursor(last_id: int, last_value: str) -> str:
    raw = json.dumps({"last_id": last_id, "last_value": last_value}, separators=(",", ":"))
    return base64.b64encode(raw.encode()).decode()


def decode_cursor(cursor: str) -> tuple[str, int]:
    """(last_value, last_id); ValueError for anything that is not one of our cursors."""
    try:
        decoded = json.loads(base64.b64decode(cursor, validate=True))
        return str(decoded["last_value"]), int(decoded["last_id"])
    except (binascii.Error, ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"invalid cursor {cursor!r}") from exc
