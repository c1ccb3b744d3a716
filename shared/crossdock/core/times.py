"""UTC times as every channel, table and alert writes them."""

from __future__ import annotations

from datetime import UTC, datetime


def utc(value: datetime) -> datetime:
    """Timezone-aware UTC; naive datetimes are refused rather than guessed."""
    if value.tzinfo is None:
        raise ValueError("naive datetime: the source's time zone must be stated")
    return value.astimezone(UTC)


def parse_iso(text: str) -> datetime:
    """ISO 8601 with `Z` or an offset → UTC."""
    return utc(datetime.fromisoformat(text.replace("Z", "+00:00")))


def iso_z(value: datetime, *, millis: bool = False) -> str:
    """UTC ISO 8601 with a `Z`, as the HTTP APIs want it."""
    text = utc(value).isoformat(timespec="milliseconds" if millis else "seconds")
    return text.replace("+00:00", "Z")


def now_utc() -> datetime:
    return datetime.now(UTC)
