"""Parsing what operators type: `k=v` pairs, times, credentials files (pure, clear errors)."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


class UsageError(ValueError):
    """Bad input on the command line: exit code 2."""


def pairs(items: list[str] | None, what: str) -> dict[str, Any]:
    """`name=value` pairs; a value that parses as JSON (a list, a number) is taken as JSON."""
    result: dict[str, Any] = {}
    for item in items or []:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise UsageError(f"{what} must look like name=value, got {item!r}")
        try:
            result[name] = json.loads(value)
        except ValueError:
            result[name] = value
    return result


def endpoints(items: list[str] | None) -> dict[str, str]:
    found = {name: str(url) for name, url in pairs(items, "--endpoint").items()}
    for name, url in found.items():
        if not url.startswith(("http://", "https://")):
            raise UsageError(f"--endpoint {name}: {url!r} is not an http(s) URL")
    return found


def timestamp(text: str | None) -> datetime | None:
    """ISO 8601 with a zone (`2026-11-20T08:00:00Z`, `…+08:00`) or a date (midnight UTC)."""
    if text is None:
        return None
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise UsageError(f"{text!r} is not an ISO 8601 time (e.g. 2026-11-20T08:00:00Z)") from None
    if value.tzinfo is None:
        if len(text) == 10:  # a plain date
            return value.replace(tzinfo=UTC)
        raise UsageError(f"{text!r} has no time zone: add Z or an offset such as +08:00")
    return value.astimezone(UTC)


def credentials(source: str) -> dict[str, Any]:
    """The shop's secret JSON from a file, or from stdin with `-` (never from the command line)."""
    try:
        text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot read credentials from {source}: {exc.strerror}") from None
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise UsageError(f"credentials in {source} are not JSON: {exc}") from None
    if not isinstance(value, dict):
        raise UsageError(f"credentials in {source} must be a JSON object")
    return value
