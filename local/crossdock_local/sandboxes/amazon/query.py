"""The Amazon sandbox's reading of `searchOrders` parameters and its pagination tokens (pure).

Rules from the official model: exactly one of `createdAfter` / `lastUpdatedAfter`, never mixed with
the other pair; the "Before" must not precede the "After" and must be at least two minutes before the
request; `maxResultsPerPage` 1–100; `marketplaceIds` at most 50; enum values as listed. A
`paginationToken` is valid for 24 hours and only with every other parameter repeated unchanged
(`maxResultsPerPage` and `includedData` may change). Breaking a rule raises InvalidInput, which the
sandbox answers as Amazon does: 400 `{"errors": [{"code": "InvalidInput", ...}]}`.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

INCLUDED_DATA = frozenset(
    {
        "BUYER",
        "RECIPIENT",
        "PROCEEDS",
        "EXPENSE",
        "PROMOTION",
        "CANCELLATION",
        "FULFILLMENT",
        "PACKAGES",
        "TAX",
        "PAYMENT",
        "FULFILLMENT_ORDERS",
    }
)
FULFILLMENT_STATUSES = frozenset(
    {
        "PENDING_AVAILABILITY",
        "PENDING",
        "UNSHIPPED",
        "PARTIALLY_SHIPPED",
        "SHIPPED",
        "CANCELLED",
        "UNFULFILLABLE",
    }
)
FULFILLED_BY = frozenset({"MERCHANT", "AMAZON"})
MAY_CHANGE_BETWEEN_PAGES = frozenset({"paginationToken", "maxResultsPerPage", "includedData"})
SETTLE = timedelta(minutes=2)
TOKEN_LIFETIME = timedelta(hours=24)


class InvalidInput(Exception):
    """A parameter Amazon would refuse with 400 InvalidInput."""


@dataclass(frozen=True)
class SearchQuery:
    by: str  # "lastUpdated" or "created": which timestamp the window applies to
    after: datetime
    before: datetime
    marketplace_ids: tuple[str, ...]
    statuses: frozenset[str] | None
    fulfilled_by: frozenset[str] | None
    page_size: int
    included: frozenset[str]
    signature: str  # the parameters a pagination token binds
    cursor: tuple[str, str] | None  # (exact time, book id) of the last order already served


def _time(query: Mapping[str, str], name: str) -> datetime | None:
    text = query.get(name)
    if text is None:
        return None
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput(f"{name} is not a valid ISO 8601 date-time: {text!r}") from None
    if value.tzinfo is None:
        raise InvalidInput(f"{name} must state its time zone: {text!r}")
    return value


def _enum_list(query: Mapping[str, str], name: str, allowed: frozenset[str]) -> frozenset[str] | None:
    if name not in query:
        return None
    values = frozenset(v for v in query[name].split(",") if v)
    unknown = sorted(values - allowed)
    if unknown:
        raise InvalidInput(f"{name} has invalid values: {', '.join(unknown)}")
    return values


def included_data(query: Mapping[str, str]) -> frozenset[str]:
    """`includedData` of searchOrders and getOrder: values from the model's enum (InvalidInput else)."""
    return _enum_list(query, "includedData", INCLUDED_DATA) or frozenset()


def signature(query: Mapping[str, str]) -> str:
    fixed = sorted((k, v) for k, v in query.items() if k not in MAY_CHANGE_BETWEEN_PAGES)
    return hashlib.sha256(json.dumps(fixed).encode()).hexdigest()[:24]


def encode_token(query: SearchQuery, cursor: tuple[str, str], now: datetime) -> str:
    state = {"s": query.signature, "c": list(cursor), "b": query.before.isoformat(), "t": now.isoformat()}
    return base64.urlsafe_b64encode(json.dumps(state).encode()).decode().rstrip("=")


def _decode_token(text: str, expected_signature: str, now: datetime) -> tuple[tuple[str, str], datetime]:
    try:
        state = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
        cursor, before, issued = (str(state["c"][0]), str(state["c"][1])), state["b"], state["t"]
        before_at, issued_at = datetime.fromisoformat(before), datetime.fromisoformat(issued)
    except (ValueError, KeyError, IndexError, TypeError):
        raise InvalidInput("Invalid paginationToken.") from None
    if state["s"] != expected_signature:
        raise InvalidInput(
            "paginationToken does not match the request: repeat every other parameter unchanged."
        )
    if now - issued_at > TOKEN_LIFETIME:
        raise InvalidInput("paginationToken has expired.")
    return cursor, before_at


def parse_search_query(query: Mapping[str, str], *, now: datetime) -> SearchQuery:
    created_after, updated_after = _time(query, "createdAfter"), _time(query, "lastUpdatedAfter")
    created_before, updated_before = _time(query, "createdBefore"), _time(query, "lastUpdatedBefore")
    uses_created = created_after is not None or created_before is not None
    uses_updated = updated_after is not None or updated_before is not None
    if uses_created and uses_updated:
        raise InvalidInput(
            "createdAfter/createdBefore cannot be combined with lastUpdatedAfter/lastUpdatedBefore."
        )
    if (created_after is None) == (updated_after is None):
        raise InvalidInput("Exactly one of createdAfter and lastUpdatedAfter must be provided.")
    by = "created" if created_after is not None else "lastUpdated"
    after = created_after or updated_after
    before = created_before or updated_before
    assert after is not None
    if before is not None and before > now - SETTLE:
        raise InvalidInput(f"{by}Before must be at least 2 minutes before the time of the request.")
    if before is not None and before < after:
        raise InvalidInput(f"{by}Before must be equal to or after {by}After.")
    if after > now:
        raise InvalidInput(f"{by}After must not be in the future.")
    try:
        page_size = int(query.get("maxResultsPerPage", "100"))
    except ValueError:
        raise InvalidInput("maxResultsPerPage must be an integer.") from None
    if not 1 <= page_size <= 100:
        raise InvalidInput("maxResultsPerPage must be between 1 and 100.")
    marketplace_ids = tuple(m for m in query.get("marketplaceIds", "").split(",") if m)
    if len(marketplace_ids) > 50:
        raise InvalidInput("marketplaceIds accepts at most 50 values.")
    sig = signature(query)
    cursor = None
    if "paginationToken" in query:
        cursor, before = _decode_token(query["paginationToken"], sig, now)
    return SearchQuery(
        by=by,
        after=after,
        before=before or now - SETTLE,
        marketplace_ids=marketplace_ids,
        statuses=_enum_list(query, "fulfillmentStatuses", FULFILLMENT_STATUSES),
        fulfilled_by=_enum_list(query, "fulfilledBy", FULFILLED_BY),
        page_size=page_size,
        included=included_data(query),
        signature=sig,
        cursor=cursor,
    )
