"""Plain text for people: durations and fixed-width tables, as the operators' command prints them and
the local demo's account shows them. Pure string work, below every job."""

from __future__ import annotations

from collections.abc import Sequence


def duration(seconds: float | None) -> str:
    """A span as "4m 05s", "2h 07m" or "3d 04h" (floored); "—" when unknown."""
    if seconds is None:
        return "—"
    seconds = int(seconds)
    if seconds < 3600:
        return f"{seconds // 60}m {seconds % 60:02d}s"
    if seconds < 86400:
        return f"{seconds // 3600}h {seconds % 3600 // 60:02d}m"
    return f"{seconds // 86400}d {seconds % 86400 // 3600:02d}h"


def table_lines(headers: Sequence[str], rows: Sequence[Sequence[str]], empty: str) -> list[str]:
    """The header line and one line per row, each column as wide as its widest cell, two spaces
    between columns, no trailing blanks; only `empty` when there are no rows."""
    if not rows:
        return [empty]
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows, strict=False)]
    return [
        "  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=False)).rstrip()
        for row in [headers, *rows]
    ]
