"""How every reading command prints (`crossdock_cli.output`): tables measured in terminal cells, so
Chinese names and emoji keep the columns straight; fitted to the terminal with … unless --wide; no
colour codes off a terminal; --json alone on stdout; times in the zone --tz names."""

from __future__ import annotations

import argparse
import io
import json
from datetime import UTC, datetime

import pytest
from crossdock_cli.arguments import UsageError
from crossdock_cli.output import Output, fit, options
from rich.cells import cell_len
from rich.console import Console
from rich.text import Text

ROWS = [
    ["taobao-cn", "深圳优品数码旗舰店", 1234],
    ["amazon-us", "Amazon.com (US) 📦", 7],
    ["shopify-uk", "Shopify UK store", 56],
]
LONG = "Tracking updates are delayed; our staff are following up with the carrier. " * 3


def printed(width: int = 80, **flags: object) -> tuple[Output, io.StringIO, io.StringIO]:
    stream, errors = io.StringIO(), io.StringIO()
    out = Output(stream=stream, errors=errors, **flags)  # type: ignore[arg-type]
    if not out.wide:
        out.console.width = width
    return out, stream, errors


def parse(*argv: str) -> argparse.Namespace:
    return argparse.ArgumentParser(parents=[options()]).parse_args(list(argv))


def test_cjk_and_emoji_columns_align() -> None:
    # Given a table whose names mix Chinese, emoji and Latin letters
    out, stream, _ = printed()
    # When printed
    out.table(["SHOP", "NAME", "ORDERS"], ROWS, empty="none", numeric=["ORDERS"])
    # Then every line is as wide in terminal cells, and each name starts at the same cell
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2 + len(ROWS)
    assert len({cell_len(line) for line in lines}) == 1
    rows = lines[2:]
    starts = {cell_len(line[: line.index(name)]) for line, (_, name, _) in zip(rows, ROWS, strict=True)}
    assert starts == {cell_len(lines[0][: lines[0].index("NAME")])}
    assert all(line.endswith(str(orders)) for line, (_, _, orders) in zip(rows, ROWS, strict=True))


def test_a_table_wider_than_the_terminal_is_cut_with_an_ellipsis_and_fits() -> None:
    # Given a 60-cell terminal and a row whose last column is far wider
    out, stream, _ = printed(width=60)
    # When printed
    out.table(
        ["PARCEL", "STATUS", "CUSTOMER SEES"], [["4PX3001518625001CN", "in_transit", LONG]], empty="none"
    )
    # Then every line fits, the long text ends in …, and the short cells are whole
    lines = stream.getvalue().splitlines()
    assert max(cell_len(line) for line in lines) <= 60
    assert lines[-1].rstrip().endswith("…")
    assert lines[-1].startswith("4PX3001518625001CN  in_transit  Tracking updates")


def test_wide_never_cuts() -> None:
    # Given --wide
    out, stream, _ = printed(wide=True)
    # When the same wide row is printed
    out.table(
        ["PARCEL", "STATUS", "CUSTOMER SEES"], [["4PX3001518625001CN", "in_transit", LONG]], empty="none"
    )
    # Then the text is whole, on one line
    text = stream.getvalue()
    assert LONG.strip() in text and "…" not in text
    assert len(text.splitlines()) == 3


def test_fit_cuts_the_widest_column_first_then_the_last_one() -> None:
    # When / Then
    assert fit([10, 100, 10], 60) == [10, 40, 10]
    assert fit([30, 30, 30], 70) == [24, 24, 22]
    assert fit([10, 10], 40) == [10, 10]


def test_no_ansi_escape_codes_when_not_a_terminal() -> None:
    # Given a coloured cell (a failed state in red) and a coloured line, printed to a file
    out, stream, _ = printed()
    # When
    out.table(["SKU", "REORDER"], [["LAMP-02", Text("blocked", style="bold red")]], empty="none")
    out.line("1 product blocked", style="red")
    # Then no escape code is written
    assert "\x1b[" not in stream.getvalue() and "blocked" in stream.getvalue()


def test_colour_is_shown_on_a_terminal() -> None:
    # Given the same cell on a (forced) terminal
    out, stream, _ = printed()
    out.console = Console(file=stream, force_terminal=True, color_system="standard", width=80)
    # When
    out.table(["SKU", "REORDER"], [["LAMP-02", Text("blocked", style="red")]], empty="none")
    # Then the cell is red
    assert "\x1b[31mblocked" in stream.getvalue()


def test_json_prints_exactly_one_document_and_nothing_else() -> None:
    # Given --json
    out, stream, errors = printed(json_mode=True)
    # When a command prints its table, its notes and its document
    out.table(["SHOP", "NAME", "ORDERS"], ROWS, empty="none")
    out.fields([("shop", "taobao-cn")])
    out.line("3 of 5 shops shown")
    out.note("pull of taobao-cn queued")
    out.json({"shops": [{"shop_id": "taobao-cn", "checked_at": datetime(2026, 3, 9, 7, 5, tzinfo=UTC)}]})
    # Then stdout holds one JSON document (times in UTC with a Z); the people's view is left out and
    # only the note (what an acting command did) reaches stderr
    document = json.loads(stream.getvalue())
    assert document == {"shops": [{"shop_id": "taobao-cn", "checked_at": "2026-03-09T07:05:00Z"}]}
    assert errors.getvalue() == "pull of taobao-cn queued\n"


def test_without_json_no_document_is_printed() -> None:
    # Given people's output
    out, stream, _ = printed()
    # When
    out.json({"shops": []})
    # Then
    assert stream.getvalue() == ""


def test_tz_shows_times_in_that_zone() -> None:
    # Given --tz Asia/Shanghai
    out = Output.from_args(parse("--tz", "Asia/Shanghai"))
    # When / Then
    assert out.when(datetime(2026, 12, 3, 14, 50, tzinfo=UTC)) == "2026-12-03 22:50 +08:00"
    assert out.when(None) == "—"
    assert (
        Output.from_args(parse("--tz", "UTC")).when(datetime(2026, 12, 3, 14, 50, tzinfo=UTC)).endswith("UTC")
    )


def test_a_bad_tz_is_a_usage_error() -> None:
    # When / Then
    with pytest.raises(UsageError, match="'Mars/Olympus' is not a time zone"):
        Output.from_args(parse("--tz", "Mars/Olympus"))


def test_an_empty_table_says_so() -> None:
    # Given
    out, stream, _ = printed()
    # When
    out.table(["SHOP"], [], empty="no shops registered yet")
    # Then
    assert stream.getvalue() == "no shops registered yet\n"
