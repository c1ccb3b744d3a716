"""How every command prints, for people and for scripts.

People get rich tables: columns measured in terminal cells (a Chinese character or an emoji is two),
fitted to the terminal by truncating with … (`--wide` shows every column in full), colour only on a
terminal, times in the operator's zone (`--tz`, default the machine's). Scripts get `--json`: one
JSON document on stdout with stable keys and nothing else (notes go to stderr).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import UTC, datetime, tzinfo
from typing import Any, TextIO
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from rich import box
from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from rich.text import Text

from crossdock_cli.arguments import UsageError

WIDE_WIDTH = 10_000  # `--wide`: no column is ever cut
SHORT_COLUMN = 24  # a column this wide or narrower is cut only when the last column cannot give more
LAST_COLUMN_FLOOR = 12  # the last column (by convention the free text) is cut down to this if need be
COLUMN_GAP = 2  # cells between two columns: the right padding and the (blank) rule


def options() -> argparse.ArgumentParser:
    """The output flags every reading command takes (argparse parent parser)."""
    parent = argparse.ArgumentParser(add_help=False)
    group = parent.add_argument_group("output")
    group.add_argument("--json", action="store_true", help="print one JSON document only (for scripts)")
    group.add_argument("--wide", action="store_true", help="every column in full, never truncated")
    group.add_argument("--tz", metavar="ZONE", help="show times in this zone (default: this machine's)")
    return parent


def zone(name: str | None) -> tzinfo:
    """An IANA zone (`Asia/Shanghai`), `UTC`, or the machine's local zone when None."""
    if not name:
        local = datetime.now().astimezone().tzinfo
        return local or UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise UsageError(
            f"--tz {name!r} is not a time zone (e.g. Asia/Shanghai, Europe/Berlin, UTC)"
        ) from None


class Output:
    def __init__(
        self,
        *,
        json_mode: bool = False,
        wide: bool = False,
        tz: tzinfo = UTC,
        stream: TextIO | None = None,
        errors: TextIO | None = None,
    ) -> None:
        self.json_mode = json_mode
        self.wide = wide
        self.tz = tz
        self.stream = stream or sys.stdout
        self.errors = errors or sys.stderr
        self.console = Console(
            file=self.stream,
            width=WIDE_WIDTH if wide else None,
            highlight=False,
            soft_wrap=wide,
            emoji=False,
        )

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> Output:
        return cls(
            json_mode=bool(getattr(args, "json", False)),
            wide=bool(getattr(args, "wide", False)),
            tz=zone(getattr(args, "tz", None)),
        )

    # -- people ------------------------------------------------------------------------------
    def line(self, text: str = "", *, style: str | None = None) -> None:
        """A line of the people's view; with --json it is left out (the JSON document carries the same
        facts). Never cut or wrapped by us (a terminal wraps it; a script greps it whole)."""
        if self.json_mode:
            return
        self.console.print(text, style=style, markup=False, soft_wrap=True)

    def note(self, text: str) -> None:
        """A line a script's operator should still see (what an acting command did): on stderr with
        --json, so stdout stays one JSON document."""
        if self.json_mode:
            print(text, file=self.errors)
            return
        self.line(text)

    def table(
        self,
        headers: Sequence[str],
        rows: Sequence[Sequence[Any]],
        *,
        empty: str,
        title: str | None = None,
        numeric: Sequence[str] = (),
    ) -> None:
        """A table that fits the terminal (cells cut with … unless --wide); `numeric` columns align right."""
        if self.json_mode:
            return
        if not rows:
            self.line(empty)
            return
        table = Table(
            title=title,
            title_justify="left",
            box=box.SIMPLE_HEAD,
            show_edge=False,
            pad_edge=False,
            padding=(0, 1, 0, 0),
            header_style="bold",
        )
        cells = [[_cell(value) for value in row] for row in rows]
        widths = [
            max([cell_len(header)] + [row[index].cell_len for row in cells])
            for index, header in enumerate(headers)
        ]
        if not self.wide:
            widths = fit(widths, self.console.width - COLUMN_GAP * (len(widths) - 1))
        for header, width in zip(headers, widths, strict=True):
            table.add_column(
                header,
                justify="right" if header in numeric else "left",
                no_wrap=True,
                overflow="ellipsis",
                width=width,
            )
        for row in cells:
            table.add_row(*row)
        # On a terminal too narrow even for the short columns, rich would cut them all (`CHAN…`):
        # render at the width they need instead and let the terminal wrap the lines.
        needed = sum(widths) + COLUMN_GAP * (len(widths) - 1)
        terminal = self.console.width
        self.console.width = max(terminal, needed)
        try:
            self.console.print(table)
        finally:
            self.console.width = terminal

    def fields(self, pairs: Sequence[tuple[str, Any]]) -> None:
        """`label:  value` lines, the values aligned (a record shown to people: `shipments show`)."""
        if self.json_mode or not pairs:
            return
        width = max(cell_len(label) for label, _ in pairs) + 1
        for label, value in pairs:
            text = Text(f"{label + ':':<{width}}  ")
            text.append_text(_cell(value))
            self.console.print(text, soft_wrap=True)

    def when(self, value: datetime | None, *, zone: tzinfo | None = None) -> str:
        """A time in the operator's zone (or `zone`, e.g. a shop's): `2026-12-03 22:50 +08:00`."""
        if value is None:
            return "—"
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        local = value.astimezone(zone or self.tz)
        return local.strftime("%Y-%m-%d %H:%M ") + _offset(local)

    # -- scripts -----------------------------------------------------------------------------
    def json(self, data: Any) -> None:
        """The command's JSON document (printed only in --json mode)."""
        if self.json_mode:
            print(json.dumps(data, indent=2, ensure_ascii=False, default=_json_default), file=self.stream)


def fit(widths: Sequence[int], room: int) -> list[int]:
    """Column widths that fit `room` cells: the widest column gives a cell at a time down to
    SHORT_COLUMN (ids, states, times and figures stay whole; long text is cut), then the last column
    (the free text: a status line, a decision) down to LAST_COLUMN_FLOOR. Narrower still, nothing
    more is cut: the table is drawn as wide as it needs and the terminal wraps it."""
    fitted = list(widths)
    while sum(fitted) > room:
        widest = max(range(len(fitted)), key=lambda i: fitted[i])
        if fitted[widest] <= SHORT_COLUMN:
            break
        fitted[widest] -= 1
    if fitted:
        fitted[-1] = max(min(fitted[-1], LAST_COLUMN_FLOOR), fitted[-1] - max(0, sum(fitted) - room))
    return fitted


def _cell(value: Any) -> Text:
    """A cell as rich text: a `Text` keeps its style (e.g. a failed state in red, shown only on a
    terminal); anything else is shown as plain text, never read as markup; None is "—"."""
    if isinstance(value, Text):
        return value
    return Text("—" if value is None else str(value))


def _offset(value: datetime) -> str:
    delta = value.utcoffset()
    if not delta:
        return "UTC"
    minutes = int(delta.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    return str(value)
