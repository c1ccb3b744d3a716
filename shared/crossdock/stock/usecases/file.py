"""Own-warehouse stock files (pure): CSV with a header `sku,warehouse,on_hand[,buffer,min_units]` or
a JSON list of objects with those keys.

Every row is checked before anything is applied: a bad file yields every problem as
"line N: reason" (N is the file's line: the CSV line, or the line where the JSON object starts).
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from crossdock.core.rows import RowErrors
from crossdock.stock.rules.counts import DEFAULT_MAX_UNITS
from crossdock.stock.usecases.rows import OPTIONAL, REQUIRED, StockRow, to_row


def _csv_records(text: str) -> list[tuple[int, dict[str, Any]]]:
    reader = csv.reader(io.StringIO(text))
    header = [h.strip().lower() for h in next(reader, [])]
    missing = [h for h in REQUIRED if h not in header]
    unknown = [h for h in header if h not in REQUIRED + OPTIONAL]
    if missing or unknown or len(set(header)) != len(header):
        raise RowErrors(
            [f"line 1: header must be {','.join(REQUIRED)}[,{','.join(OPTIONAL)}], got {','.join(header)!r}"]
        )
    records: list[tuple[int, dict[str, Any]]] = []
    for cells in reader:
        if not any(c.strip() for c in cells):
            continue
        fields: dict[str, Any] = dict(zip(header, cells, strict=False))
        if len(cells) != len(header):
            fields["_width"] = f"{len(cells)} fields where the header has {len(header)}"
        records.append((reader.line_num, fields))
    return records


def _skip_blanks(text: str, position: int) -> int:
    while position < len(text) and text[position] in " \t\r\n":
        position += 1
    return position


def _json_records(text: str) -> list[tuple[int, dict[str, Any]]]:
    decoder = json.JSONDecoder()
    records: list[tuple[int, dict[str, Any]]] = []
    try:
        position = _skip_blanks(text, text.index("[") + 1)
        while position >= len(text) or text[position] != "]":
            value, end = decoder.raw_decode(text, position)
            line = text.count("\n", 0, position) + 1
            if not isinstance(value, dict):
                value = {"_width": f"expected an object, got {type(value).__name__}"}
            unknown = sorted(set(value) - set(REQUIRED + OPTIONAL) - {"_width"})
            if unknown:
                value = {**value, "_width": f"unknown key(s) {unknown}"}
            records.append((line, value))
            position = _skip_blanks(text, end)
            if position < len(text) and text[position] == ",":
                position = _skip_blanks(text, position + 1)
            elif position >= len(text) or text[position] != "]":
                raise json.JSONDecodeError("expected ',' or ']'", text, position)
    except json.JSONDecodeError as exc:
        raise RowErrors([f"line {exc.lineno}: not valid JSON ({exc.msg})"]) from None
    return records


def parse_stock_file(text: str, *, ceiling: int = DEFAULT_MAX_UNITS) -> list[StockRow]:
    """Rows of a CSV or JSON stock file; raises RowErrors naming every bad line. A count that is not a
    whole number from 0 to `ceiling` (`Settings.stock_max_units`) is a bad line."""
    text = text.lstrip("\ufeff")
    records = _json_records(text) if text.lstrip().startswith("[") else _csv_records(text)
    rows: list[StockRow] = []
    problems: list[str] = []
    first_seen: dict[tuple[str, str], int] = {}
    for line, fields in records:
        try:
            if "_width" in fields:
                raise ValueError(fields["_width"])
            row = to_row(line, fields, ceiling=ceiling)
        except ValueError as exc:
            problems.append(f"line {line}: {exc}")
            continue
        earlier = first_seen.setdefault((row.sku, row.warehouse), line)
        if earlier != line:
            problems.append(f"line {line}: {row.sku} in {row.warehouse} was already given on line {earlier}")
        rows.append(row)
    problems += _policy_conflicts(rows)
    if not records and not problems:
        problems.append("line 1: the file has no rows")
    if problems:
        raise RowErrors(sorted(problems, key=lambda p: int(p.split(":")[0].split()[1])))
    return rows


def _policy_conflicts(rows: list[StockRow]) -> list[str]:
    """One SKU's buffer / min_units given differently on two lines."""
    problems: list[str] = []
    seen: dict[tuple[str, str], tuple[Any, int]] = {}
    for row in rows:
        for field_name in OPTIONAL:
            value = getattr(row, field_name)
            if value is None:
                continue
            earlier = seen.setdefault((row.sku, field_name), (value, row.line))
            if earlier[0] != value:
                problems.append(
                    f"line {row.line}: {field_name} {value} for {row.sku} differs from line {earlier[1]}'s {earlier[0]}"
                )
    return problems
