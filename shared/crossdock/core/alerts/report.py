"""A report: what people read once a day (the operations digest, purchase suggestions), not an
incident. It goes to the reports topic, is not deduplicated (asking again sends again), and is
rendered here (pure): titled sections of plain lines and, for purchasing, a CSV block to paste
into a sheet.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from crossdock.core.alerts.message import ascii_subject, inert
from crossdock.core.times import iso_z

CSV_BEGIN = "----- BEGIN CSV (paste into a sheet) -----"
CSV_END = "----- END CSV -----"


@dataclass(frozen=True)
class Section:
    title: str
    lines: tuple[str, ...]


@dataclass(frozen=True)
class Report:
    key: str  # names the report in the outbox and the log: "operations-digest:2026-12-03"
    subject: str
    generated_at: datetime
    intro: str = ""
    sections: tuple[Section, ...] = ()
    csv_header: tuple[str, ...] = ()
    csv_rows: tuple[tuple[str, ...], ...] = field(default_factory=tuple)

    def render_subject(self) -> str:
        return ascii_subject(f"[crossdock] {self.subject}")

    def render_body(self) -> str:
        lines = [f"Generated: {iso_z(self.generated_at)} (UTC)"]
        if self.intro:
            lines += ["", self.intro]
        for section in self.sections:
            lines += ["", section.title]
            lines += [f"  {line}" for line in section.lines] or ["  (none)"]
        if self.csv_header:
            lines += ["", CSV_BEGIN, csv_text(self.csv_header, self.csv_rows).rstrip("\n"), CSV_END]
        return "\n".join(lines)


def csv_text(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """RFC 4180 CSV; each cell flattened to one line and stripped of control characters."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(value) for value in row])
    return out.getvalue()


def csv_rows_of(text: str) -> list[list[str]]:
    """The rows of the CSV block in a rendered report body (header first), as a sheet reads them."""
    inside = text.split(CSV_BEGIN + "\n", 1)[-1].split("\n" + CSV_END, 1)[0]
    return list(csv.reader(io.StringIO(inside)))


def quoted(lines: Sequence[str]) -> tuple[str, ...]:
    """Lines that carry text from outside (channels, suppliers), made inert as alerts make them."""
    return tuple(inert(line) for line in lines)


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    cleaned = "".join(ch if ch.isprintable() else " " for ch in text)
    # a cell starting with = + - @ is a formula to a spreadsheet: quote it as text
    return "'" + cleaned if cleaned[:1] in ("=", "+", "-", "@") and not _number(cleaned) else cleaned


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


class ReportSink(Protocol):
    def publish_report(self, report: Report, *, now: datetime) -> None: ...
