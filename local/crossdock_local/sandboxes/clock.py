"""ISO 8601 times as the platforms write them on the wire (the sandboxes' own, not crossdock's).

Every platform the sandboxes imitate writes UTC instants as ISO 8601 with a `Z` (RFC 3339), some
with milliseconds (eBay `creationDate` "2025-01-02T03:04:05.000Z"), and accepts `Z` or an offset.
"""

from __future__ import annotations

from datetime import UTC, datetime


def iso_z(value: datetime, *, millis: bool = False) -> str:
    """`value` (timezone-aware) as UTC ISO 8601 with a `Z`, to the second or the millisecond."""
    if value.tzinfo is None:
        raise ValueError("naive datetime: a wire time must be an instant")
    text = value.astimezone(UTC).isoformat(timespec="milliseconds" if millis else "seconds")
    return text.replace("+00:00", "Z")


def parse_iso(text: str) -> datetime:
    """ISO 8601 with `Z` or an offset → an aware UTC datetime; a time without a zone is refused."""
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if value.tzinfo is None:
        raise ValueError(f"no time zone in {text!r}")
    return value.astimezone(UTC)
