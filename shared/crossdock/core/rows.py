"""Checks every imported file row shares (stock files, shipment files)."""

from __future__ import annotations

from typing import Any


class RowErrors(ValueError):
    """The file's problems, one "line N: reason" each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def name(value: Any, what: str) -> str:
    """A SKU or warehouse name: non-empty text without control characters."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{what} is missing")
    text = value.strip()
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in text) or len(text) > 200:
        raise ValueError(f"{what} {text[:40]!r} has control characters or is over 200 characters")
    return text
