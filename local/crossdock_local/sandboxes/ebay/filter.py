"""The eBay sandbox's request grammar: getOrders `filter` criteria and eBay's `errors[]` envelope.

Filter criteria (comma-separated, percent-decoded): `creationdate:[from..to]`, `lastmodifieddate:[from..to]`
(`[from..]` open-ended; timestamps `YYYY-MM-DDThh:mm:ss.sssZ`, both ends inclusive; if both dates are
given only `creationdate` counts), `orderfulfillmentstatus:{NOT_STARTED|IN_PROGRESS}` or
`{FULFILLED|IN_PROGRESS}`. Errors carry the model's documented errorIds (30700…31100).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from crossdock_local.sandboxes.base import Reply
from crossdock_local.sandboxes.clock import parse_iso

HISTORY = timedelta(days=730)  # current docs: orders up to two years old
DEFAULT_CREATED_SPAN = timedelta(days=90)  # no filter: orders created within the last 90 days
TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z")
RANGE = re.compile(r"\[(?P<start>[^\]]*?)\.\.(?P<end>[^\]]*)\]")
FULFILLMENT_SETS = {"{NOT_STARTED|IN_PROGRESS}", "{FULFILLED|IN_PROGRESS}"}
# (errorId, message, HTTP status, domain) of eBay's platform-level errors
INVALID_TOKEN = (1001, "Invalid access token", 401, "OAuth")
ACCESS_DENIED = (1100, "Access denied", 403, "ACCESS")
THROTTLED = (2001, "The request limit has been reached for the resource.", 429, "ACCESS")
INTERNAL = (2003, "There was a problem with an eBay internal system or process.", 500, "ACCESS")


class EbayRequestError(Exception):
    def __init__(self, error_id: int, message: str, *, status: int = 400, domain: str = "API_FULFILLMENT"):
        super().__init__(message)
        self.error_id, self.message, self.status, self.domain = error_id, message, status, domain

    def reply(self) -> Reply:
        category = "APPLICATION" if self.status >= 500 else "REQUEST"
        error = {
            "errorId": self.error_id,
            "domain": self.domain,
            "category": category,
            "message": self.message,
        }
        return Reply(self.status, {"errors": [error]})


@dataclass(frozen=True)
class Criteria:
    field: str  # "lastmodifieddate" | "creationdate"
    start: datetime
    end: datetime | None
    fulfillment: frozenset[str] | None = None


def _timestamp(text: str, now: datetime) -> datetime:
    if not TIMESTAMP.fullmatch(text):
        raise EbayRequestError(30810, "Invalid date format")
    value = parse_iso(text)
    if value > now:
        raise EbayRequestError(30850, "Start and end dates can't be in the future")
    return value


def parse_filter(text: str | None, now: datetime) -> Criteria:
    """getOrders `filter`: comma-separated `name:value` criteria (already percent-decoded)."""
    ranges: dict[str, tuple[datetime, datetime | None]] = {}
    fulfillment: frozenset[str] | None = None
    for criterion in (part.strip() for part in (text or "").split(",") if part.strip()):
        name, _, value = criterion.partition(":")
        if name in ("creationdate", "lastmodifieddate"):
            match = RANGE.fullmatch(value)
            if match is None:
                raise EbayRequestError(30800, f"Invalid filter value {value} for filter {name}")
            if not match["start"]:
                raise EbayRequestError(30820, "Start date is missing")
            start = _timestamp(match["start"], now)
            end = _timestamp(match["end"], now) if match["end"] else None
            if end is not None and start > end:
                raise EbayRequestError(30840, "Start date should be before end date")
            if start < now - HISTORY:
                raise EbayRequestError(30830, "Start date must be within 2 years of the current date.")
            ranges[name] = (start, end)
        elif name == "orderfulfillmentstatus":
            if value not in FULFILLMENT_SETS:
                raise EbayRequestError(30800, f"Invalid filter value {value} for filter {name}")
            fulfillment = frozenset(value.strip("{}").split("|"))
        else:
            raise EbayRequestError(30700, f"Invalid filter name: {name}")
    field = (
        "creationdate" if "creationdate" in ranges or "lastmodifieddate" not in ranges else "lastmodifieddate"
    )
    start, end = ranges.get(field, (now - DEFAULT_CREATED_SPAN, None))
    return Criteria(field, start, end, fulfillment)


def platform_error(spec: tuple[int, str, int, str]) -> EbayRequestError:
    error_id, message, status, domain = spec
    return EbayRequestError(error_id, message, status=status, domain=domain)


def int_or(text: str | None, default: int) -> int:
    return int(text) if text and text.isdigit() else default


def bounded_param(
    query: dict[str, str], name: str, default: int, low: int, high: int | None, error_id: int
) -> int:
    text = query.get(name)
    if text is None:
        return default
    if not text.isdigit() or int(text) < low or (high is not None and int(text) > high):
        raise EbayRequestError(error_id, f"Invalid {name}: {text}")
    return int(text)
