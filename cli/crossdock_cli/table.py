"""Plain-text tables and durations for the terminal (the text itself is `crossdock.core.text`)."""

from __future__ import annotations

from collections.abc import Sequence

from crossdock.core.text import duration, table_lines

__all__ = ["duration", "print_table"]


def print_table(headers: Sequence[str], rows: Sequence[Sequence[str]], *, empty: str) -> None:
    for line in table_lines(headers, rows, empty):
        print(line)
