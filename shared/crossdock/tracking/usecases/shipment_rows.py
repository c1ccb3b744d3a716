"""Shipment import files (pure): the parcels an operator registers with `crossdock shipments import`.

CSV with a header row, or a JSON list of objects, with the fields

    tracking_number  required; 4 to 50 letters, digits and hyphens (the check order events get too)
    carrier          required; free text as the carrier is usually written ("4PX", "Yanwen", "USPS")
    shipped_at       optional; ISO 8601 with a zone ("2026-11-20T08:00:00+08:00", "…Z"); default: now
    channel, shop_id, order_id   optional; the order the parcel ships, all three or none

Every row is checked before anything is registered: a bad file yields every problem as
"line N: reason" (N is the file's line: the CSV line, or the line where the JSON object starts).
A tracking number given twice in one file is a problem on its second line.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from crossdock.core.rows import RowErrors, name
from crossdock.tracking.rules.parcel import OrderRef
from crossdock.tracking.usecases.register import NewShipment, tracking_number_problem

REQUIRED = ("tracking_number", "carrier")
ORDER_FIELDS = ("channel", "shop_id", "order_id")
OPTIONAL = ("shipped_at", *ORDER_FIELDS)
FIELDS = REQUIRED + OPTIONAL

CLOCK_SKEW = timedelta(minutes=10)  # a shipped_at this far past "now" is a typo, not a clock drift

__all__ = ["RowErrors", "ShipmentRow", "parse_shipment_file"]


@dataclass(frozen=True)
class ShipmentRow:
    line: int
    tracking_number: str
    carrier: str
    shipped_at: datetime  # UTC
    order: OrderRef | None = None

    @property
    def shipment(self) -> NewShipment:
        return NewShipment(self.tracking_number, self.carrier, self.shipped_at, self.order)


# -- fields ----------------------------------------------------------------------------------------
def field_text(value: Any, what: str) -> str:
    """Non-empty text without control characters (a JSON number or list is refused as such)."""
    if value is not None and not isinstance(value, str):
        raise ValueError(f"{what} must be text, got {value!r}")
    return name(value, what)


def tracking_number(value: Any) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise ValueError(
            f"tracking_number {value!r} must be text (quote it: a JSON number loses leading zeros)"
        )
    number = field_text(value, "tracking_number")
    problem = tracking_number_problem(number)
    if problem is not None:
        raise ValueError(problem)
    return number


def shipped_at(value: Any, now: datetime) -> datetime:
    if value in (None, ""):
        return now
    if not isinstance(value, str):
        raise ValueError(f"shipped_at must be an ISO 8601 time as text, got {value!r}")
    given = value.strip()
    try:
        moment = datetime.fromisoformat(given.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(
            f"shipped_at {given!r} is not an ISO 8601 time (e.g. 2026-11-20T08:00:00Z)"
        ) from None
    if moment.tzinfo is None:
        raise ValueError(
            f"shipped_at {given!r} has no time zone: give the time with Z or an offset, "
            "e.g. 2026-11-20T08:00:00+08:00"
        )
    moment = moment.astimezone(UTC)
    if moment > now + CLOCK_SKEW:
        raise ValueError(f"shipped_at {given!r} is in the future")
    return moment


def order_ref(fields: dict[str, Any], channels: Collection[str] | None) -> OrderRef | None:
    given = [f for f in ORDER_FIELDS if fields.get(f) not in (None, "")]
    if not given:
        return None
    missing = [f for f in ORDER_FIELDS if f not in given]
    if missing:
        raise ValueError(f"channel, shop_id and order_id go together: {', '.join(missing)} missing")
    channel = field_text(fields["channel"], "channel").lower()
    if channels is not None and channel not in channels:
        raise ValueError(f"unknown channel {channel!r}; known: {', '.join(sorted(channels))}")
    return OrderRef(
        channel, field_text(fields["shop_id"], "shop_id"), field_text(fields["order_id"], "order_id")
    )


def to_row(
    line: int, fields: dict[str, Any], *, now: datetime, channels: Collection[str] | None = None
) -> ShipmentRow:
    return ShipmentRow(
        line=line,
        tracking_number=tracking_number(fields.get("tracking_number")),
        carrier=field_text(fields.get("carrier"), "carrier"),
        shipped_at=shipped_at(fields.get("shipped_at"), now),
        order=order_ref(fields, channels),
    )


# -- records ---------------------------------------------------------------------------------------
Record = tuple[int, dict[str, Any], str | None]  # (line, fields, a problem found while reading)


def _csv_records(text: str) -> list[Record]:
    reader = csv.reader(io.StringIO(text))
    header = [h.strip().lower() for h in next(reader, [])]
    missing = [h for h in REQUIRED if h not in header]
    unknown = [h for h in header if h not in FIELDS]
    if missing or unknown or len(set(header)) != len(header):
        raise RowErrors(
            [
                f"line 1: header must name {', '.join(REQUIRED)} and optionally {', '.join(OPTIONAL)}, "
                f"got {','.join(header)!r}"
            ]
        )
    records: list[Record] = []
    for cells in reader:
        if not any(c.strip() for c in cells):
            continue
        problem = None
        if len(cells) != len(header):
            problem = f"{len(cells)} fields where the header has {len(header)}"
        records.append((reader.line_num, dict(zip(header, cells, strict=False)), problem))
    return records


def _skip_blanks(text: str, position: int) -> int:
    while position < len(text) and text[position] in " \t\r\n":
        position += 1
    return position


def _json_records(text: str) -> list[Record]:
    """The objects of a JSON list, each with the line it starts on (read one value at a time)."""
    decoder = json.JSONDecoder()
    records: list[Record] = []
    try:
        position = _skip_blanks(text, text.index("[") + 1)
        while position >= len(text) or text[position] != "]":
            value, end = decoder.raw_decode(text, position)
            line = text.count("\n", 0, position) + 1
            problem = None
            if not isinstance(value, dict):
                value, problem = {}, f"expected an object, got {type(value).__name__}"
            elif unknown := sorted(set(value) - set(FIELDS)):
                problem = f"unknown key(s) {unknown}"
            records.append((line, value, problem))
            position = _skip_blanks(text, end)
            if position < len(text) and text[position] == ",":
                position = _skip_blanks(text, position + 1)
            elif position >= len(text) or text[position] != "]":
                raise json.JSONDecodeError("expected ',' or ']'", text, position)
        if text[position + 1 :].strip():
            raise json.JSONDecodeError("extra data after the list", text, position + 1)
    except json.JSONDecodeError as exc:
        raise RowErrors([f"line {exc.lineno}: not valid JSON ({exc.msg})"]) from None
    return records


def parse_shipment_file(
    text: str, *, now: datetime, channels: Collection[str] | None = None
) -> list[ShipmentRow]:
    """Rows of a CSV or JSON shipment file; raises RowErrors naming every bad line, in file order.

    `now` (UTC-aware) stands in for a missing shipped_at; `channels`, if given, are the channel
    names an order reference may use."""
    text = text.lstrip("\ufeff")
    records = _json_records(text) if text.lstrip().startswith("[") else _csv_records(text)
    rows: list[ShipmentRow] = []
    problems: list[tuple[int, str]] = []
    first_seen: dict[str, int] = {}
    for line, fields, problem in records:
        try:
            if problem is not None:
                raise ValueError(problem)
            row = to_row(line, fields, now=now, channels=channels)
        except ValueError as exc:
            problems.append((line, str(exc)))
            continue
        earlier = first_seen.setdefault(row.tracking_number.upper(), line)
        if earlier != line:
            problems.append(
                (line, f"tracking number {row.tracking_number} was already given on line {earlier}")
            )
            continue
        rows.append(row)
    if not records:
        problems.append((1, "the file has no rows"))
    if problems:
        raise RowErrors([f"line {line}: {reason}" for line, reason in sorted(problems, key=lambda p: p[0])])
    return rows
